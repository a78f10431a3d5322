#!/usr/bin/env bash
# make bench, serving part: on the local cluster with the real node (warm images), how long from
# `kubectl apply` of the iris example to its first successful prediction through the Service,
# RUNS times (a fresh namespace each), then the closed loop of `make demo` with each step's time.
# Prints a table beside the anchor: KServe reports ≈ 12 s to the first prediction of its sklearn
# iris example on a larger machine.
#
# Uses a running local cluster with the real node if there is one (and leaves it running),
# otherwise starts one and stops it at the end. Root only (the real node).
#
# Usage: hack/bench-serving.sh [RUNS]   (default 3)
set -euo pipefail
HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HACK/platform-env.sh"
RUNS=${1:-3}
PORT=${MODELOPS_BENCH_HTTP_PORT:-18080}
say() { echo "bench-serving: $*" >&2; }
die() { echo "bench-serving: ERROR: $*" >&2; exit 1; }
((EUID == 0)) || die "needs root (the real node)"

started=false operator=""
cleanup() {
  [[ -n $operator ]] && kill "$operator" 2>/dev/null && wait "$operator" 2>/dev/null || true
  for i in $(seq 1 "$RUNS"); do k delete namespace "bench-serving-$i" --wait=false >/dev/null 2>&1 || true; done
  if $started; then "$HACK/cluster-down.sh" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
if ! api_ready || ! k get node "$NODE_NAME" >/dev/null 2>&1; then
  api_ready && die "a local cluster without the real node is up: hack/cluster-down.sh first"
  MODELOPS_REAL_NODE=1 "$HACK/cluster-up.sh" >&2
  started=true
fi
k apply --server-side -k "$ROOT/deploy/core" >/dev/null
"$HACK/sa-kubeconfig.sh" modelops-system modelops-operator "$STATE/bench-operator.kubeconfig" >/dev/null
[[ -f $ROOT/target/quarkus-app/quarkus-run.jar ]] || (cd "$ROOT" && mvn -B -q package -DskipTests)
KUBECONFIG=$STATE/bench-operator.kubeconfig QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$PORT \
  MODELOPS_METRIC_ENDPOINTS=default=$PROM_URL \
  java @"$ROOT/src/main/jvm.options" -jar "$ROOT/target/quarkus-app/quarkus-run.jar" \
  >"$STATE/logs/bench-operator.log" 2>&1 &
operator=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
"$HACK/seed-models.sh" >/dev/null

predict='{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": [6.7, 3.0, 5.2, 2.3]}]}'
times=()
for i in $(seq 1 "$RUNS"); do
  ns=bench-serving-$i
  k create namespace "$ns" >/dev/null
  k label namespace "$ns" pod-security.kubernetes.io/enforce=restricted >/dev/null
  "$HACK/store-secret.sh" "$ns"
  t0=$(date +%s.%N)
  k apply -n "$ns" -f "$ROOT/deploy/examples/iris.yaml" >/dev/null
  until ip=$(k get service -n "$ns" iris -o jsonpath='{.spec.clusterIP}' 2>/dev/null) && [[ -n $ip ]] &&
    curl -fsS --max-time 2 -o /dev/null -H 'Content-Type: application/json' "http://$ip/v2/models/iris/infer" -d "$predict" 2>/dev/null; do
    (($(date +%s) - ${t0%.*} < 300)) || die "no prediction within 300 s (run $i)"
    sleep 0.2
  done
  t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  times+=("$t")
  say "run $i: apply → first prediction $t s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

# The loop: make demo's scenario in a namespace of its own.
MODELOPS_EXAMPLES_NAMESPACE=bench-loop "$HACK/examples-up.sh" bench-loop >/dev/null 2>&1
loop=$(MODELOPS_EXAMPLES_NAMESPACE=bench-loop "$HACK/demo.sh" 2>&1 | grep '^demo: \[') || true
k delete namespace bench-loop --wait=false >/dev/null 2>&1 || true

echo
echo "Serving on the real node (2 cores; warm images)"
printf '| %-44s | %-22s | %-34s |\n' "measure" "modelops" "anchor"
printf '| %-44s | %-22s | %-34s |\n' "--------------------------------------------" "----------------------" "----------------------------------"
printf '| %-44s | %-22s | %-34s |\n' "apply → first prediction (median of $RUNS)" "$median s (${times[*]})" "KServe sklearn iris ≈ 12 s (larger machine)"
echo
echo "The closed loop (make demo: shift → drift → one Job → canary → serving)"
echo "${loop:-  (the loop did not complete: see make demo)}"
