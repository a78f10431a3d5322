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
EXAMPLES_NS=${MODELOPS_EXAMPLES_NAMESPACE:-demo}
# The platform's Prometheus (hack/platform-up.sh), declared as the metric endpoint "default"
# that deploy/examples' analysis queries name: from the host (local JVM) and from pods.
PROMETHEUS_FROM_HOST=http://10.88.0.1:9090
PROMETHEUS_IN_CLUSTER=http://prometheus.monitoring.svc.cluster.local:9090
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
    "$HACK/install-operator.sh" --set "metricEndpoints.default=$PROMETHEUS_IN_CLUSTER"
    "$HACK/examples-up.sh" "$EXAMPLES_NS"
    cat >&2 <<MSG

run: the operator runs in the cluster (Helm release modelops-operator, namespace modelops-system).
  In another shell:
    export KUBECONFIG=$KUBECONFIG PATH=$ROOT/.local/bin:\$PATH
    kubectl get pods -n modelops-system -o wide
    kubectl get modelops -n $EXAMPLES_NS -w
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
if ((real_node)) && [[ -z ${MODELOPS_METRIC_ENDPOINTS:-} ]]; then
  export MODELOPS_METRIC_ENDPOINTS=default=$PROMETHEUS_FROM_HOST
fi
KUBECONFIG=$operator_kubeconfig QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$HTTP_PORT \
  java @src/main/jvm.options -jar target/quarkus-app/quarkus-run.jar > >(tee .local/logs/operator.log) 2>&1 &
operator_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$operator_pid" 2>/dev/null || { say "the operator exited; see .local/logs/operator.log"; exit 1; }
  sleep 1
done

if ! $started_cluster; then
  say "operator running. Try: kubectl apply -f deploy/examples/more/sklearn-churn.yaml (deploy/examples needs an object store and a Prometheus: README, Examples)"
elif ((real_node)); then
  "$HACK/examples-up.sh" "$EXAMPLES_NS"
  cat >&2 <<MSG

run: the operator is running on the local control plane (real node: its pods really run).
  The iris loop is in namespace $EXAMPLES_NS. In another shell:
    export KUBECONFIG=$KUBECONFIG PATH=$ROOT/.local/bin:\$PATH
    kubectl get modelops -n $EXAMPLES_NS -w
    curl -s http://\$(kubectl get svc -n $EXAMPLES_NS iris -o jsonpath='{.spec.clusterIP}')/v2/models/iris/infer \\
      -d '{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": [6.7, 3.0, 5.2, 2.3]}]}'
    make demo    # shifts the traffic: drift, one retrain Job, the canary, the new version
  Ctrl-C here stops the operator and the local cluster. In-cluster instead: IN_CLUSTER=1 make run
MSG
else
  kubectl apply -f deploy/examples/more/sklearn-churn.yaml
  cat >&2 <<MSG

run: the operator is running on the local control plane (kwok only: pods are simulated). In another shell:
    export KUBECONFIG=$KUBECONFIG PATH=$ROOT/.local/bin:\$PATH
    kubectl get mdep -A -w
  Ctrl-C here stops the operator and the local cluster. Real pods: run as root.
MSG
fi
wait "$operator_pid"
