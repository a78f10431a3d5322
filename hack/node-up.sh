#!/usr/bin/env bash
# Joins a real node, modelops-node-0, to the local control plane of hack/cluster-up.sh, next
# to kwok's fake kwok-node-0: containerd v2 (tool cache) with Debian's runc and CNI plugins,
# the kubelet and kube-proxy (tool cache), all as root host processes. Then the platform
# services pods expect of a cluster, as host processes on 10.88.0.1 published as Services:
# the API server through the `kubernetes` Service (a socat forwarder, the API server itself
# listens on 127.0.0.1 only) and Service DNS (CoreDNS as kube-system/kube-dns, 10.96.0.10).
# Images are built by images/build.sh and imported (hack/load-images.sh), never pulled.
#
# Once the node is Ready, kwok-node-0 is tainted kwok.x-k8s.io/node=fake:NoSchedule: ordinary
# pods run for real here; pods that tolerate the taint (and select type=kwok) still go to kwok.
#
# Pod network: bridge cni0 10.88.0.1/16, no NAT, no default route in pods, host forwarding
# only from cni0 to cni0 (for pod -> ClusterIP -> pod). Nothing leaves the machine.
#
# State: .local/node (pids in .local/node/pids), logs: .local/logs/node-*.log (kept).
# Undo everything with hack/node-down.sh (hack/cluster-down.sh calls it).
# Env: MODELOPS_NODE_IMAGES (images to build and import; default: every image whose inputs
# exist, see images/build.sh), MODELOPS_NODE_KEEP_ON_FAILURE=1 (leave a failed start as it is).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

start=$SECONDS
log() { echo "node-up: [+$((SECONDS - start))s] $*" >&2; }
die() { echo "node-up: ERROR: $*" >&2; exit 1; }

# wait_until TIMEOUT-S PROCESS DESCRIPTION COMMAND...: poll COMMAND; fail early if PROCESS died.
wait_until() {
  local deadline=$((SECONDS + $1)) proc=$2 what=$3
  shift 3
  until "$@" >/dev/null 2>&1; do
    if [[ -n $proc ]] && ! node_alive "$proc"; then
      tail -n 25 "$LOGS/node-$proc.log" >&2
      die "$proc exited while waiting for $what; see $LOGS/node-$proc.log"
    fi
    ((SECONDS < deadline)) || die "timed out after $1s waiting for $what"
    sleep 0.3
  done
}

# launch NAME EXECUTABLE ARGS...: a host process in its own session (so its process group is
# its pid: node-down can stop a forking socat with its children), pid recorded.
launch() {
  local name=$1
  shift
  setsid "$@" >>"$LOGS/node-$name.log" 2>&1 </dev/null &
  echo $! >"$NODE_PIDS/$name.pid"
  log "started $name (pid $!)"
}

# --- preconditions -----------------------------------------------------------------------
preflight() {
  ((EUID == 0)) || die "the real node needs root (containerd, kubelet, iptables, a bridge): sudo $0"
  api_ready || die "the control plane is not up: run hack/cluster-up.sh first"
  local t
  for t in kubelet kube-proxy containerd containerd-shim-runc-v2 ctr coredns pause; do
    [[ -x $BIN/$t ]] || die "$BIN/$t missing: run hack/build-tools.sh (then hack/cluster-up.sh)"
  done
  ensure_packages
}

# Debian packages the node uses: runc, the CNI plugins, iptables/conntrack (kube-proxy),
# socat (API server forwarder), umoci/skopeo/debootstrap (images/build.sh).
ensure_packages() {
  local need=() p
  declare -A has=([runc]=/usr/sbin/runc [containernetworking-plugins]=/usr/lib/cni/bridge
    [iptables]=/usr/sbin/iptables [conntrack]=/usr/sbin/conntrack [socat]=/usr/bin/socat
    [umoci]=/usr/bin/umoci [skopeo]=/usr/bin/skopeo [debootstrap]=/usr/sbin/debootstrap)
  for p in "${!has[@]}"; do [[ -x ${has[$p]} ]] || need+=("$p"); done
  ((${#need[@]} == 0)) && return 0
  log "installing Debian packages: ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null \
    || die "apt-get install ${need[*]} failed"
}

# Already up: every process alive and the node Ready -> nothing to do. Partly up -> clean first.
already_up() {
  local p
  [[ -d $NODE_STATE ]] || return 1
  for p in "${NODE_PROCS[@]}"; do
    if ! node_alive "$p"; then
      log "found a partial node (no $p); cleaning it up first"
      "$NODE_HACK/node-down.sh"
      return 1
    fi
  done
  node_ready
}

node_ready() {
  [[ $(k get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# --- host state we change, recorded first so that node-down can put it back ----------------
record_host_state() {
  local s p
  mkdir -p "$NODE_STATE" "$NODE_PIDS" "$LOGS"
  for s in "${NODE_SYSCTLS[@]}"; do
    [[ -e /proc/sys/${s//.//} ]] && echo "$s=$(sysctl -n "$s")"
  done >"$NODE_STATE/sysctl.orig"
  for p in "${HOST_PATHS[@]}"; do [[ -e $p ]] && echo "$p"; done >"$NODE_STATE/host-paths.preexisting"
  nft list tables 2>/dev/null >"$NODE_STATE/nft-tables.orig" || true
}

# --- pod network ---------------------------------------------------------------------------
setup_network() {
  # The bridge exists before the kubelet starts: its address is the node IP (the kubelet
  # rejects loopback node IPs) and what host services bind to.
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NODE_IP/16" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # ClusterIPs from the host go to the bridge, never to the default route.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
  # Pod -> ClusterIP -> pod is routed by the host (cni0 in, cni0 out), which needs
  # ip_forward. The guard (mangle runs before kube-proxy's filter ACCEPTs) drops anything
  # else that would be forwarded, so turning forwarding on opens nothing towards eth0.
  # It is in place before forwarding is switched on.
  iptables -t mangle -N "$GUARD_CHAIN" 2>/dev/null || iptables -t mangle -F "$GUARD_CHAIN"
  iptables -t mangle -A "$GUARD_CHAIN" ! -i "$BRIDGE" -j DROP -m comment --comment "modelops: forward only cni0 -> cni0"
  iptables -t mangle -A "$GUARD_CHAIN" ! -o "$BRIDGE" -j DROP -m comment --comment "modelops: forward only cni0 -> cni0"
  iptables -t mangle -C FORWARD -j "$GUARD_CHAIN" 2>/dev/null || iptables -t mangle -I FORWARD 1 -j "$GUARD_CHAIN"
  sysctl -qw net.ipv4.ip_forward=1

  mkdir -p "$NODE_STATE/cni/net.d" "$NODE_STATE/cni/ipam"
  # isGateway false: the plugin would otherwise set ip_forward itself; ipMasq false: no NAT.
  # Pods get their subnet route and 10.96.0.0/12 via the host, and no default route.
  cat >"$NODE_STATE/cni/net.d/10-modelops.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "modelops-pods",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": false, "isDefaultGateway": false,
    "ipMasq": false, "hairpinMode": true,
    "ipam": {
      "type": "host-local", "dataDir": "$NODE_STATE/cni/ipam",
      "ranges": [[{"subnet": "$POD_CIDR", "rangeStart": "10.88.0.10", "gateway": "$NODE_IP"}]],
      "routes": [{"dst": "$SERVICE_CIDR"}]
    }
  }]
}
JSON
  log "bridge $BRIDGE $NODE_IP/16, route $SERVICE_CIDR, forwarding cni0 -> cni0 only"
}

# --- containerd ----------------------------------------------------------------------------
start_containerd() {
  local sandbox=$1
  # Images are imported, never pulled: every registry (_default) resolves to a closed port on
  # loopback, so a pod naming an image that is not there fails at once (ErrImagePull) and
  # containerd does not even look a registry's name up. A later loopback registry gets its
  # own certs.d/<host:port>/hosts.toml, which takes precedence.
  mkdir -p "$CONTAINERD_DIR/certs.d/_default"
  cat >"$CONTAINERD_DIR/certs.d/_default/hosts.toml" <<'TOML'
server = "http://127.0.0.1:1"
[host."http://127.0.0.1:1"]
  capabilities = ["pull", "resolve"]
TOML
  cat >"$CONTAINERD_DIR/config.toml" <<TOML
# containerd for modelops-node-0 (hack/node-up.sh); every path under .local/node/containerd.
version = 3
root = "$CONTAINERD_DIR/root"
state = "$CONTAINERD_DIR/state"
# No CAP_SYS_RESOURCE here: a negative oom_score_adj cannot be set (0 = containerd's own).
oom_score = 0
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CONTAINERD_DIR/opt"
[plugins."io.containerd.nri.v1.nri"]
  disable = true
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    # Imported by hack/load-images.sh, never pulled.
    sandbox = "$sandbox"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "$CONTAINERD_DIR/certs.d"
[plugins."io.containerd.cri.v1.runtime"]
  disable_apparmor = true
  # Clamp the kubelet's negative oom_score_adj (-997/-998) to containerd's own (see oom_score).
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$NODE_STATE/cni/net.d"
    max_conf_num = 1
[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
  stream_server_address = "127.0.0.1"
TOML
  # PATH: containerd finds its shim next to itself.
  launch containerd env PATH="$BIN:/usr/sbin:/usr/bin:/sbin:/bin" "$BIN/containerd" --config "$CONTAINERD_DIR/config.toml"
  wait_until 30 containerd "containerd's socket" "$BIN/ctr" --address "$CONTAINERD_SOCK" version
}

# --- identities ----------------------------------------------------------------------------
# client_cert NAME SUBJECT: a client certificate from the cluster CA (which cluster-up makes
# anew each time, so these are made anew too).
client_cert() {
  local d=$NODE_STATE/pki
  mkdir -p "$d"
  openssl req -new -newkey rsa:2048 -nodes -subj "$2" -keyout "$d/$1.key" -out "$d/$1.csr" 2>/dev/null
  openssl x509 -req -in "$d/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -days 30 \
    -set_serial "0x$(openssl rand -hex 16)" -out "$d/$1.crt" 2>/dev/null \
    -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n')
  rm -f "$d/$1.csr"
}

# kubeconfig FILE CERT-NAME [SERVER]
kubeconfig() {
  local kc=("$KUBECTL" --kubeconfig "$1" config)
  rm -f "$1"
  "${kc[@]}" set-cluster local --server "${3:-$(api_server_url)}" --certificate-authority "$PKI/ca.crt" --embed-certs >/dev/null
  "${kc[@]}" set-credentials "$2" --client-certificate "$NODE_STATE/pki/$2.crt" \
    --client-key "$NODE_STATE/pki/$2.key" --embed-certs >/dev/null
  "${kc[@]}" set-context local --cluster local --user "$2" >/dev/null
  "${kc[@]}" use-context local >/dev/null
}

make_identities() {
  # The Node authorizer and the bootstrap RBAC cover these two names.
  # In parallel (key generation is the slow part); wait for these pids only, not containerd.
  local pids=() p
  client_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" & pids+=($!)
  client_cert kube-proxy "/CN=system:kube-proxy" & pids+=($!)
  client_cert coredns "/CN=modelops:coredns" & pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || die "openssl failed"; done
  kubeconfig "$NODE_STATE/kubelet.kubeconfig" kubelet
  kubeconfig "$NODE_STATE/kube-proxy.kubeconfig" kube-proxy
  kubeconfig "$NODE_STATE/coredns.kubeconfig" coredns
  # CoreDNS's identity reads what Service DNS needs, nothing else.
  k apply --server-side --field-manager=modelops-node-up -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "modelops:coredns", labels: {app.kubernetes.io/managed-by: modelops-node-up}}
rules:
- apiGroups: [""]
  resources: [services, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "modelops:coredns", labels: {app.kubernetes.io/managed-by: modelops-node-up}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "modelops:coredns"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "modelops:coredns"}
YAML
}

# --- kubelet and kube-proxy ------------------------------------------------------------------
start_kubelet() {
  local d=$NODE_STATE/kubelet
  mkdir -p "$d/root" "$d/certs" "$d/volume-plugins" "$NODE_STATE/pod-logs"
  # Pods resolve through cluster DNS only: the host's resolv.conf (nameservers, search
  # domains) must not reach them, and "Default" DNS policy pods get no nameserver at all.
  : >"$d/resolv.conf"
  cat >"$d/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 20250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 20248
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
# cgroup v1 host: the kubelet refuses it unless told; cgroupfs, as containerd is configured.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
# No CAP_SYS_RESOURCE: negative OOM scores are refused (see containerd's restrict_oom_score_adj).
oomScoreAdj: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $d/resolv.conf
podLogsDir: $NODE_STATE/pod-logs
volumePluginDir: $d/volume-plugins
serializeImagePulls: false
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
# Imported images are all there is: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
maxPods: 110
# 1.35+ verifies pull credentials of cached images; with imported images that made pods fail
# with ErrImageNeverPull although the image was present.
imagePullCredentialsVerificationPolicy: NeverVerify
YAML
  launch kubelet "$BIN/kubelet" --config="$d/config.yaml" --kubeconfig="$NODE_STATE/kubelet.kubeconfig" \
    --root-dir="$d/root" --cert-dir="$d/certs" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --node-labels="$NODE_LABEL"
}

start_kube_proxy() {
  cat >"$NODE_STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $NODE_STATE/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
# Traffic from inside 10.88.0.0/16 (pods and the host's 10.88.0.1) is not masqueraded.
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:20256
metricsBindAddress: 127.0.0.1:20249
nodePortAddresses: [$NODE_IP/32]
oomScoreAdj: 0
# No NodePorts on 127.0.0.1 (that would set net.ipv4.conf.all.route_localnet=1).
iptables: {localhostNodePorts: false}
# 0: leave the global conntrack sysctls alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
YAML
  launch kube-proxy "$BIN/kube-proxy" --config="$NODE_STATE/kube-proxy.yaml"
}

# --- platform services on 10.88.0.1 ----------------------------------------------------------
# The API server for pods: it listens on 127.0.0.1 only, so an L4 forwarder listens on the
# node IP, and the `kubernetes` Service (10.96.0.1:443, no endpoints: the API server runs with
# --endpoint-reconciler-type=none) gets an EndpointSlice pointing at it.
start_apiserver_proxy() {
  local port
  port=$(api_server_url | sed 's|.*:||')
  launch apiserver-proxy socat "TCP-LISTEN:$port,bind=$NODE_IP,reuseaddr,fork,backlog=256" "TCP:127.0.0.1:$port"
  wait_until 10 apiserver-proxy "the API server on $NODE_IP:$port" \
    curl -fsS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://$NODE_IP:$port/readyz"
  "$NODE_HACK/publish-host-service.sh" --endpoints-only default kubernetes "https=443:$port"
}

# Service DNS: CoreDNS on 10.88.0.1:53 (UDP and TCP) answering cluster.local and the reverse
# zones from the API (its own identity, see make_identities); anything else is REFUSED: there
# is no forward plugin (not even compiled in), so no query leaves the machine.
start_coredns() {
  local zones="$CLUSTER_DOMAIN in-addr.arpa ip6.arpa"
  mkdir -p "$NODE_STATE/coredns"
  cat >"$NODE_STATE/coredns/Corefile" <<COREFILE
$CLUSTER_DOMAIN:53 in-addr.arpa:53 ip6.arpa:53 {
    bind $NODE_IP
    errors
    health 127.0.0.1:20253
    ready 127.0.0.1:20254
    prometheus 127.0.0.1:20255
    kubernetes $zones {
        kubeconfig $NODE_STATE/coredns.kubeconfig local
        pods disabled
        ttl 30
    }
    cache 30
    loadbalance
}
COREFILE
  launch coredns "$BIN/coredns" -conf "$NODE_STATE/coredns/Corefile"
  wait_until 30 coredns "CoreDNS ready (API synced)" curl -fsS --max-time 2 http://127.0.0.1:20254/ready
  "$NODE_HACK/publish-host-service.sh" --cluster-ip "$CLUSTER_DNS_IP" --label k8s-app=kube-dns \
    kube-system kube-dns dns=53/udp,dns-tcp=53/tcp
}

# --- waits -----------------------------------------------------------------------------------
wait_node() {
  wait_until 60 kubelet "node $NODE_NAME Ready" node_ready
  log "node $NODE_NAME Ready"
  wait_until 30 kube-proxy "kube-proxy healthy" curl -fsS --max-time 2 http://127.0.0.1:20256/healthz
}

# Ordinary pods go to the real node from now on; kwok keeps the pods that tolerate this.
taint_fake_node() {
  if k get node "$FAKE_NODE" >/dev/null 2>&1; then
    k taint node "$FAKE_NODE" "$FAKE_TAINT" --overwrite >/dev/null
    log "tainted $FAKE_NODE $FAKE_TAINT"
  fi
}

on_failure() {
  local rc=$?
  ((rc == 0)) && return
  echo "node-up: failed (exit $rc); logs: $LOGS/node-*.log" >&2
  if [[ ${MODELOPS_NODE_KEEP_ON_FAILURE:-0} != 1 ]]; then
    echo "node-up: cleaning up (MODELOPS_NODE_KEEP_ON_FAILURE=1 keeps the failed node for a look)" >&2
    "$NODE_HACK/node-down.sh" || true
  fi
}

main() {
  preflight
  if already_up; then
    log "already up ($NODE_NAME Ready)"
    exit 0
  fi
  trap on_failure EXIT
  trap 'exit 143' TERM INT   # so that on_failure also runs when interrupted
  record_host_state
  setup_network
  # Images first: containerd's config names the pause image.
  local images=() sandbox
  [[ -n ${MODELOPS_NODE_IMAGES:-} ]] && read -ra images <<<"pause $MODELOPS_NODE_IMAGES"
  "$ROOT/images/build.sh" ${images[@]+"${images[@]}"} >"$NODE_STATE/images.list"
  sandbox=$(awk '$1 == "pause" {print $3; exit}' "$NODE_STATE/images.list")
  start_containerd "$sandbox"
  "$NODE_HACK/load-images.sh" --from "$NODE_STATE/images.list" >/dev/null
  make_identities
  start_kubelet
  start_kube_proxy
  start_apiserver_proxy
  start_coredns
  wait_node
  taint_fake_node
  trap - EXIT TERM INT
  log "ready: node $NODE_NAME ($NODE_IP), DNS $CLUSTER_DNS_IP, pods on $POD_CIDR; images: $(cut -d' ' -f1 "$NODE_STATE/images.list" | paste -sd' ')"
}

main "$@"
