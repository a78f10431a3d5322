#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback for local runs and e2e tests:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, plus kwok faking one Node
# and the lifecycle of its pods (no kubelet, no container runtime, no pod network).
# With MODELOPS_REAL_NODE=1 (root) it then joins a real node as well (hack/node-up.sh:
# containerd, kubelet, kube-proxy, pod network, DNS) and taints the fake node, so that
# ordinary pods run for real and only pods that tolerate kwok.x-k8s.io/node=fake go to kwok.
#
# State lives in <repo>/.local: kubeconfig (admin), pki/, etcd-data/, logs/, pids/, bin ->
# the tool cache. Everything listens on 127.0.0.1 only. Stop with hack/cluster-down.sh.
#
# Env overrides: MODELOPS_APISERVER_PORT (6443), MODELOPS_ETCD_PORT (2379),
# MODELOPS_ETCD_PEER_PORT (2380), MODELOPS_KCM_PORT (10257), MODELOPS_SCHEDULER_PORT (10259),
# MODELOPS_POD_CIDR (127.1.0.0/16), MODELOPS_POD_ROUTE (0), MODELOPS_TOOLS_BIN (skip
# hack/build-tools.sh), MODELOPS_APISERVER_EXTRA_ARGS / MODELOPS_KCM_EXTRA_ARGS /
# MODELOPS_SCHEDULER_EXTRA_ARGS (extra flags, space-separated, e.g. for the benchmark),
# MODELOPS_REAL_NODE (0; 1: also start the real node, see above).
#
# Pod IPs: kwok hands out IPs from the node's podCIDR. The default is a loopback range, so
# a test process can serve HTTP "as" a pod by binding the pod's IP and all test traffic
# stays on 127.0.0.0/8. The cost: the apiserver rejects loopback addresses in
# EndpointSlices, so Services get no endpoints (nothing here routes ClusterIPs anyway).
# For Service endpoints, set MODELOPS_POD_CIDR to a non-loopback range and
# MODELOPS_POD_ROUTE=1 (as root): that range is then routed to lo as a "local" route,
# undone by cluster-down.
set -euo pipefail

HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HACK")
STATE=$ROOT/.local
PKI=$STATE/pki PIDS=$STATE/pids LOGS=$STATE/logs
API_PORT=${MODELOPS_APISERVER_PORT:-6443}
ETCD_PORT=${MODELOPS_ETCD_PORT:-2379}
ETCD_PEER_PORT=${MODELOPS_ETCD_PEER_PORT:-2380}
KCM_PORT=${MODELOPS_KCM_PORT:-10257}
SCHED_PORT=${MODELOPS_SCHEDULER_PORT:-10259}
POD_CIDR=${MODELOPS_POD_CIDR:-127.1.0.0/16}
SERVICE_CIDR=10.96.0.0/12
NODE=kwok-node-0
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
read -ra APISERVER_EXTRA <<<"${MODELOPS_APISERVER_EXTRA_ARGS:-}"
read -ra KCM_EXTRA <<<"${MODELOPS_KCM_EXTRA_ARGS:-}"
read -ra SCHEDULER_EXTRA <<<"${MODELOPS_SCHEDULER_EXTRA_ARGS:-}"

start=$SECONDS
log() { echo "cluster-up: [+$((SECONDS - start))s] $*" >&2; }
die() { echo "cluster-up: ERROR: $*" >&2; exit 1; }

alive() { [[ -f $PIDS/$1.pid ]] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }
readyz() { # [server URL, default: ours]
  curl -fsS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "${1:-https://127.0.0.1:$API_PORT}/readyz" >/dev/null 2>&1
}

# --- already up? ------------------------------------------------------------------------
if compgen -G "$PIDS/*.pid" >/dev/null; then
  all=true
  for c in "${COMPONENTS[@]}"; do alive "$c" || all=false; done
  # The running cluster's URL, not $API_PORT: it may have been started with other ports.
  if $all && readyz "$(awk '/server:/ {print $2; exit}' "$STATE/kubeconfig" 2>/dev/null)"; then
    log "already up (KUBECONFIG=$STATE/kubeconfig)"
    if [[ ${MODELOPS_REAL_NODE:-0} == 1 ]]; then "$HACK/node-up.sh"; fi
    exit 0
  fi
  log "found stale/partial state in .local; cleaning it up first"
  "$HACK/cluster-down.sh"
fi

# --- tools and ports --------------------------------------------------------------------
BIN=${MODELOPS_TOOLS_BIN:-$("$HACK/build-tools.sh" | tail -1)}
for t in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
  [[ -x $BIN/$t ]] || die "$BIN/$t missing: run hack/build-tools.sh"
done
STAGES=$(dirname "$BIN")/kwok/stages.yaml
[[ -f $STAGES ]] || die "$STAGES missing: run hack/build-tools.sh"
command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
export PATH=$BIN:$PATH

check_port() { # port env-var-name
  local owner
  if ss -Htln "sport = :$1" | grep -q .; then
    owner=$(ss -Htlnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    die "port $1 is in use (by pid ${owner:-?}): stop it or set $2"
  fi
}
check_port "$API_PORT" MODELOPS_APISERVER_PORT
check_port "$ETCD_PORT" MODELOPS_ETCD_PORT
check_port "$ETCD_PEER_PORT" MODELOPS_ETCD_PEER_PORT
check_port "$KCM_PORT" MODELOPS_KCM_PORT
check_port "$SCHED_PORT" MODELOPS_SCHEDULER_PORT

rm -rf "$PKI" "$PIDS" "$STATE/etcd-data" "$STATE/kubeconfig" "$STATE"/*.kubeconfig
mkdir -p "$PKI" "$PIDS" "$LOGS"
ln -sfn "$BIN" "$STATE/bin"

# --- certificates -----------------------------------------------------------------------
# RSA everywhere: the Java (Fabric8) client reads RSA PEM keys without BouncyCastle.
# Key generation dominates start-up time, so independent keys are made in parallel.
log "generating certificates"
ossl() { local out; out=$(openssl "$@" 2>&1) || { echo "$out" >&2; return 1; }; }
bg_pids=()
bg() { "$@" & bg_pids+=($!); }
join() { for p in "${bg_pids[@]}"; do wait "$p" || die "openssl failed"; done; bg_pids=(); }
ca() { # name CN
  ossl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$2" \
    -keyout "$PKI/$1.key" -out "$PKI/$1.crt"
}
cert() { # name subject extensions [ca]; random serials: no shared .srl file to race on
  local ca=${4:-ca}
  ossl req -new -newkey rsa:2048 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr"
  ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 365 -out "$PKI/$1.crt" \
    -extfile <(printf '%s\n' "$3")
  rm "$PKI/$1.csr"
}
client="keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
bg ca ca modelops-local-ca
# Front proxy (aggregation layer): without a requestheader CA, every component logs
# "missing content for CA bundle ...requestheader-client-ca-file" forever. Separate CA, as
# kubeadm does, so ordinary client certs cannot assert X-Remote-User headers.
bg ca front-proxy-ca modelops-front-proxy-ca
bg ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key"
join
bg cert apiserver "/CN=kube-apiserver" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1,IP:10.88.0.1"
bg cert admin "/O=system:masters/CN=modelops-admin" "$client"
# The API server's identity towards kubelets (logs, exec, port-forward): not system:masters,
# bound below to the bootstrap ClusterRole system:kubelet-api-admin, the kubelet API only.
bg cert apiserver-kubelet-client "/CN=modelops:apiserver-kubelet-client" "$client"
bg cert front-proxy-client "/CN=front-proxy-client" "$client" front-proxy-ca
# The bootstrap RBAC policy grants these exact user names what the components need.
bg cert kube-controller-manager "/CN=system:kube-controller-manager" "$client"
bg cert kube-scheduler "/CN=system:kube-scheduler" "$client"
join
ossl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

kubeconfig() { # file cert-name
  local kc=(kubectl --kubeconfig "$1" config)
  "${kc[@]}" set-cluster local --server "https://127.0.0.1:$API_PORT" \
    --certificate-authority "$PKI/ca.crt" --embed-certs >/dev/null
  "${kc[@]}" set-credentials "$2" --client-certificate "$PKI/$2.crt" \
    --client-key "$PKI/$2.key" --embed-certs >/dev/null
  "${kc[@]}" set-context local --cluster local --user "$2" >/dev/null
  "${kc[@]}" use-context local >/dev/null
}
kubeconfig "$STATE/kubeconfig" admin
kubeconfig "$STATE/kube-controller-manager.kubeconfig" kube-controller-manager
kubeconfig "$STATE/kube-scheduler.kubeconfig" kube-scheduler
export KUBECONFIG=$STATE/kubeconfig

# --- processes --------------------------------------------------------------------------
launch() { # name args... ; setsid: survive the caller's terminal/process group
  log "starting $1"
  setsid "$BIN/$1" "${@:2}" >"$LOGS/$1.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$1.pid"
}
wait_for() { # component timeout-seconds description command...
  local deadline=$((SECONDS + $2))
  until "${@:4}" >/dev/null 2>&1; do
    alive "$1" || { tail -n 20 "$LOGS/$1.log" >&2; die "$1 exited; see $LOGS/$1.log"; }
    ((SECONDS < deadline)) || die "timed out after $2s waiting for $3; see $LOGS/$1.log"
    sleep 0.5
  done
}
healthz() { curl -fsSk --max-time 2 "https://127.0.0.1:$1/healthz"; }

launch etcd --name=modelops --data-dir="$STATE/etcd-data" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="modelops=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --log-level=warn
wait_for etcd 30 "etcd /health" curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

# --endpoint-reconciler-type=none: the default reconciler publishes the advertise address
# in the "kubernetes" Endpoints, and loopback addresses are invalid there.
launch kube-apiserver --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" --authorization-mode=Node,RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --endpoint-reconciler-type=none \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" --kubelet-preferred-address-types=InternalIP \
  ${APISERVER_EXTRA[@]+"${APISERVER_EXTRA[@]}"}
wait_for kube-apiserver 90 "kube-apiserver /readyz" readyz

# --flex-volume-plugin-dir: inside .local (the default makes /usr/libexec/kubernetes/...).
launch kube-controller-manager --kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
  --controllers='*' --use-service-account-credentials \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --flex-volume-plugin-dir="$STATE/flex-volume-plugins" ${KCM_EXTRA[@]+"${KCM_EXTRA[@]}"}
launch kube-scheduler --kubeconfig="$STATE/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false \
  ${SCHEDULER_EXTRA[@]+"${SCHEDULER_EXTRA[@]}"}
# kwok plays kubelet for the fake Nodes, those annotated kwok.x-k8s.io/node=fake (a real
# node's kubelet must be left alone). Admin identity: the Node authorizer would limit a
# system:node:* user to one node. --cidr is only the fallback when a Node has no podCIDR.
launch kwok --kubeconfig="$STATE/kubeconfig" --config="$STAGES" \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds=40 --cidr="$POD_CIDR" --node-ip=127.0.0.1
wait_for kube-controller-manager 60 "kube-controller-manager /healthz" healthz "$KCM_PORT"
wait_for kube-scheduler 60 "kube-scheduler /healthz" healthz "$SCHED_PORT"

# --- pod IPs reachable on this machine (see header) ------------------------------------
if [[ ${MODELOPS_POD_ROUTE:-0} == 1 && $POD_CIDR != 127.* ]]; then
  if ip route replace local "$POD_CIDR" dev lo table local 2>/dev/null; then
    echo "$POD_CIDR" >"$STATE/pod-route"   # tells cluster-down what to remove
  else
    log "note: could not route $POD_CIDR to lo (needs root); pod IPs are not bindable"
  fi
fi

# --- fake node --------------------------------------------------------------------------
# The API server's kubelet client may use the kubelet API (and nothing else).
kubectl apply --server-side --field-manager=modelops-cluster-up -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "modelops:apiserver-kubelet-client"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "modelops:apiserver-kubelet-client"}
EOF

log "creating fake node $NODE"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: $NODE
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
spec:
  podCIDR: $POD_CIDR
  podCIDRs: [$POD_CIDR]
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110", nvidia.com/gpu: "4"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110", nvidia.com/gpu: "4"}
EOF
# The TaintNodesByCondition admission plugin adds node.kubernetes.io/not-ready; the node
# lifecycle controller removes it once kwok reports Ready.
node_ready() {
  [[ $(kubectl get node "$NODE" -o \
    jsonpath='{.status.conditions[?(@.type=="Ready")].status}/{.spec.taints}') == True/ ]]
}
wait_for kwok 60 "node $NODE Ready and untainted" node_ready
# Pods can only be created in a namespace once its "default" ServiceAccount exists.
wait_for kube-controller-manager 60 "default ServiceAccount" kubectl get serviceaccount default

log "ready in $((SECONDS - start))s"
if [[ ${MODELOPS_REAL_NODE:-0} == 1 ]]; then "$HACK/node-up.sh"; fi
log "  export KUBECONFIG=$STATE/kubeconfig PATH=$STATE/bin:\$PATH   (or: eval \"\$(hack/cluster-env.sh)\")"
