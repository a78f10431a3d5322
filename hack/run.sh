#!/usr/bin/env bash
# make run: build the operator and run it as a local process.
#  - KUBECONFIG unset: start the local control plane, install CRDs and RBAC, run the operator
#    under its own ServiceAccount (RBAC enforced as in a cluster), apply deploy/examples.
#  - KUBECONFIG set: install CRDs and RBAC there and run the operator with your credentials.
# Ctrl-C stops the operator (and the local control plane if this script started it).
set -euo pipefail
HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HACK")
cd "$ROOT"
HTTP_PORT=${MODELOPS_HTTP_PORT:-8080}
say() { echo "run: $*" >&2; }

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
  "$HACK/cluster-up.sh"
  started_cluster=true
  eval "$("$HACK/cluster-env.sh")"
  kubectl apply --server-side -k deploy/core >/dev/null
  mkdir -p .local
  operator_kubeconfig=$ROOT/.local/operator.kubeconfig
  "$HACK/sa-kubeconfig.sh" modelops-system modelops-operator "$operator_kubeconfig"
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

run: the operator is running on the local control plane. In another shell:
    export KUBECONFIG=$KUBECONFIG PATH=$ROOT/.local/bin:\$PATH
    kubectl get mdep -A -w
    kubectl describe mdep churn
  Ctrl-C here stops the operator and the control plane.
MSG
fi
wait "$operator_pid"
