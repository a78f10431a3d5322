#!/usr/bin/env bash
# Puts deploy/examples (the iris loop) into a namespace of the local cluster with a real node,
# with what the examples expect of a cluster: the namespace under the `restricted` Pod Security
# profile, the object store's credentials as the Secret model-store on its default
# ServiceAccount (hack/store-secret.sh), iris version 1 in the store (hack/seed-models.sh), the
# drift baseline ConfigMap iris-baseline from that version's baseline.json.
# Then waits until the iris ModelDeployment is Ready (its servers answer their probes) and
# prints a prediction made through its Service.
#
# The operator must be running and declare the metric endpoint "default" (the platform's
# Prometheus): hack/run.sh does both.
#
# Usage: hack/examples-up.sh [NAMESPACE]    (default: demo)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

NS=${1:-demo}
t0=$SECONDS
log() { echo "examples-up: [+$((SECONDS - t0))s] $*" >&2; }
die() { echo "examples-up: ERROR: $*" >&2; exit 1; }

api_ready || die "the control plane is not up (hack/cluster-up.sh)"
k get node "$NODE_NAME" >/dev/null 2>&1 || die "the real node is not up: the examples need real pods"

k apply --server-side --field-manager=modelops-examples-up -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
YAML
"$NODE_HACK/store-secret.sh" "$NS"
"$NODE_HACK/seed-models.sh" >/dev/null
log "namespace $NS: Secret model-store, s3://models/iris/1/ seeded"
# The drift baseline belongs to the trainers once they run (each rewrites it): created once,
# from the seed version's, never overwritten.
if ! k get configmap -n "$NS" iris-baseline >/dev/null 2>&1; then
  k create configmap -n "$NS" iris-baseline \
    --from-file=baseline.json=<(s3_curl -fsS models/iris/1/baseline.json) >/dev/null
fi
k apply -n "$NS" -k "$ROOT/deploy/examples" >&2
log "waiting for ModelDeployment iris to be Ready (pull, load, readiness probe)"
if ! k wait -n "$NS" --for=condition=Ready mdep/iris --timeout=300s >/dev/null; then
  k get mdep,pods -n "$NS" -o wide >&2
  die "iris did not become Ready in 300s (kubectl describe mdep iris -n $NS)"
fi
ip=$(k get service -n "$NS" iris -o jsonpath='{.spec.clusterIP}')
log "iris is Ready; a prediction through its Service ($ip):"
curl -fsS --max-time 10 -H 'Content-Type: application/json' "http://$ip/v2/models/iris/infer" \
  -d '{"inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64", "data": [5.1, 3.5, 1.4, 0.2]}],
       "outputs": [{"name": "label"}]}' >&2 ||
  die "the prediction failed"
echo >&2
