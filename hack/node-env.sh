# shellcheck shell=bash disable=SC2034  # (the variables are for the scripts that source this)
# Shared by the real-node scripts (node-up.sh, node-down.sh, load-images.sh,
# publish-host-service.sh): where the node keeps its state, the fixed addresses of the pod
# network, and pid helpers. Sourced, not run.
#
# Addresses (all on this machine; nothing is routed off it):
#   10.88.0.0/16  pod network on bridge cni0; 10.88.0.1 is the host: node IP, and the address
#                 host processes serve pods on (API server forwarder, CoreDNS, and the platform:
#                 object store, Prometheus, MLflow; hack/publish-host-service.sh)
#   10.96.0.0/12  Service ClusterIPs (kube-proxy, iptables mode); 10.96.0.1 kubernetes,
#                 10.96.0.10 kube-dns
# Ports on 10.88.0.1: 20250 kubelet, the API server's port (6443) via socat, 53 CoreDNS; the
#                     platform (hack/platform-env.sh): 7070 object store (also on 127.0.0.1),
#                     9090 Prometheus, 5000 MLflow.
# Ports on 127.0.0.1: 20248 kubelet healthz, 20249/20256 kube-proxy metrics/healthz,
#                     20253/20254/20255 CoreDNS health/ready/metrics.

NODE_HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$NODE_HACK")
STATE=$ROOT/.local
PKI=$STATE/pki
LOGS=$STATE/logs
NODE_STATE=$STATE/node
NODE_PIDS=$NODE_STATE/pids
BIN=$STATE/bin                 # -> the tool cache (cluster-up.sh links it)
KUBECTL=$BIN/kubectl

NODE_NAME=modelops-node-0
NODE_LABEL=modelops.dev/real-node=true
FAKE_NODE=kwok-node-0
FAKE_TAINT=kwok.x-k8s.io/node=fake:NoSchedule
NODE_IP=10.88.0.1
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.96.0.0/12
CLUSTER_DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
BRIDGE=cni0
GUARD_CHAIN=MODELOPS-FWD-GUARD
CONTAINERD_DIR=$NODE_STATE/containerd
CONTAINERD_SOCK=$CONTAINERD_DIR/containerd.sock

# Node processes, in start order: name -> executable basename (what /proc/PID/exe must be).
NODE_PROCS=(containerd kubelet kube-proxy apiserver-proxy coredns)
declare -A NODE_EXE=([containerd]=containerd [kubelet]=kubelet [kube-proxy]=kube-proxy
  [apiserver-proxy]=socat [coredns]=coredns)

# Global sysctls the kubelet and kube-proxy (or we, for pod -> ClusterIP) change; node-up
# records them once, node-down writes them back.
NODE_SYSCTLS=(net.ipv4.ip_forward vm.overcommit_memory vm.panic_on_oom kernel.panic
  kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)

# Host paths the kubelet, containerd and libcni use whatever their flags say; node-up notes
# which already existed (those are left alone), node-down removes the others.
HOST_PATHS=(/var/lib/kubelet /var/log/containers /var/lib/cni /run/containerd /run/netns)

# exe_is NAME PID: PID is alive and runs an executable called NAME (pids get reused).
exe_is() { [[ $(readlink "/proc/$2/exe" 2>/dev/null) == */"$1" || $(readlink "/proc/$2/exe" 2>/dev/null) == */"$1 (deleted)" ]]; }

# node_pid NAME: the recorded pid of NAME if it still runs NAME's executable.
node_pid() {
  local f=$NODE_PIDS/$1.pid p
  [[ -f $f ]] || return 1
  p=$(cat "$f")
  exe_is "${NODE_EXE[$1]}" "$p" && echo "$p"
}

node_alive() { node_pid "$1" >/dev/null; }

# kubectl as the cluster admin, with a bound request time.
k() { "$KUBECTL" --kubeconfig "$STATE/kubeconfig" --request-timeout=10s "$@"; }

api_server_url() { awk '/server:/ {print $2; exit}' "$STATE/kubeconfig"; }

api_ready() { [[ -f $STATE/kubeconfig ]] && k get --raw /readyz >/dev/null 2>&1; }
