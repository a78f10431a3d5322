#!/usr/bin/env bash
# make run: build the operator and run it.
#  - KUBECONFIG unset: start the local cluster. As root it has a real node by default
#    (hack/node-up.sh: pods really run, images built and imported; MODELOPS_REAL_NODE=0 opts
#    out), otherwise kwok only. Then install CRDs and RBAC, run the operator as a local JVM
#    under its own ServiceAccount (RBAC enforced as in a cluster; the quick edit-run loop), and
#    apply deploy/examples.
#    IN_CLUSTER=1 (needs the real node): install the operator with its Helm chart and the
#    locally built image instead (hack/install-operator.sh), apply deploy/examples and follow
#    the operator's logs.
#  - KUBECONFIG set: install CRDs and RBAC there and run the operator with your credentials.
# Ctrl-C stops the operator (and the local cluster if this script started it).
set -euo pipefail
HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HACK")
cd "$ROOT"
HTTP_PORT=${MODELOPS_HTTP_PORT:-8080}
IN_CLUSTER=${IN_CLUSTER:-0}
say() { echo "run: $*" >&2; }
die() { echo "run: ERROR: $*" >&2; exit 1; }

# The real node: root only, local cluster only, on unless MODELOPS_REAL_NODE=0.
real_node=0
if [[ -z ${KUBECONFIG:-} && ${MODELOPS_REAL_NODE:-1} != 0 ]]; then
  if ((EUID == 0)); then
    real_node=1
  else
    say "not root: kwok only, pods are simulated (a real node needs root; MODELOPS_REAL_NODE=0 hides this line)"
  fi
fi
if [[ $IN_CLUSTER == 1 ]]; then
  [[ -z ${KUBECONFIG:-} ]] || die "IN_CLUSTER=1 is for the local cluster; on your own cluster install helm/modelops-operator"
  ((real_node)) || die "IN_CLUSTER=1 needs the real node: run as root, without MODELOPS_REAL_NODE=0"
fi

mvn -B -q package -DskipTests

operator_pid=""
started_cluster=false
cleanup() {
  [[ -n $operator_pid ]] && kill "$operator_pid" 2>/dev/null && wait "$operator_pid" 2>/dev/null || true
  if $started_cluster; then "$HACK/cluster-down.sh" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${KUBECONFIG:-} ]]; then
  say "KUBECONFIG is set: running against $(kubectl config current-context)"
  kubectl apply --server-side -k deploy/core
  operator_kubeconfig=$KUBECONFIG
else
  # With the real node, cluster-up also builds the images (the operator's from the
  # target/quarkus-app just built) and imports them into the node's containerd.
  MODELOPS_REAL_NODE=$real_node "$HACK/cluster-up.sh"
  started_cluster=true
  eval "$("$HACK/cluster-env.sh")"
  if [[ $IN_CLUSTER == 1 ]]; then
    "$HACK/install-operator.sh"
    kubectl apply -k deploy/examples
    cat >&2 <<MSG

run: the operator runs in the cluster (Helm release modelops-operator, namespace modelops-system).
  In another shell:
    export KUBECONFIG=$KUBECONFIG PATH=$ROOT/.local/bin:\$PATH
    kubectl get pods -n modelops-system -o wide
    kubectl get mdep -A -w
  Ctrl-C here stops following the logs and stops the local cluster.
MSG
    kubectl logs -f -n modelops-system -l app.kubernetes.io/instance=modelops-operator \
      --prefix --max-log-requests=4 --tail=20 &
    operator_pid=$!
    wait "$operator_pid"
    exit
  fi
  kubectl apply --server-side -k deploy/core >/dev/null
  mkdir -p .local
  operator_kubeconfig=$ROOT/.local/operator.kubeconfig
  "$HACK/sa-kubeconfig.sh" modelops-system modelops-operator "$operator_kubeconfig"
fi

# On the real node the model puller's init containers need an image the node has.
if ((real_node)) && kubectl get node modelops-node-0 -o jsonpath='{.status.images[*].names}' 2>/dev/null |
  grep -q 'ghcr.io/modelops-dev/model-puller:0.1.0'; then
  export MODELOPS_MODEL_PULLER_IMAGE=ghcr.io/modelops-dev/model-puller:0.1.0
fi
mkdir -p .local/logs
say "starting the operator (log: .local/logs/operator.log, health: http://127.0.0.1:$HTTP_PORT/q/health)"
KUBECONFIG=$operator_kubeconfig QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$HTTP_PORT \
  java @src/main/jvm.options -jar target/quarkus-app/quarkus-run.jar > >(tee .local/logs/operator.log) 2>&1 &
operator_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$operator_pid" 2>/dev/null || { say "the operator exited; see .local/logs/operator.log"; exit 1; }
  sleep 1
done

if ! $started_cluster; then
  say "operator running. Try: kubectl apply -f deploy/examples/sklearn-churn.yaml"
else
  kubectl apply -k deploy/examples
  cat >&2 <<MSG

run: the operator is running on the local control plane$( ((real_node)) && echo " (real node: its pods really run)"). In another shell:
    export KUBECONFIG=$KUBECONFIG PATH=$ROOT/.local/bin:\$PATH
    kubectl get mdep -A -w
    kubectl describe mdep churn
  Ctrl-C here stops the operator and the local cluster. In-cluster instead: IN_CLUSTER=1 make run
MSG
fi
wait "$operator_pid"
