#!/usr/bin/env bash
# make demo: the closed loop on the iris example that `make run` put in namespace demo. Shifts
# the load generator's inputs, then follows what the operator does and prints each step with
# its time since the shift:
#   drift detected (DriftDetected=True) → retrain Job created → Job done (model uploaded) →
#   canary started → the new version serving (or rolled back)
# and finally the drift score under the new model. In another shell, watch it happen:
#   kubectl get modelops -n demo -w
#
# Usage: hack/demo.sh [SHIFT]   (default 2: two standard deviations on every feature)
# Env: MODELOPS_EXAMPLES_NAMESPACE (demo), DEMO_TIMEOUT seconds per step (300).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

NS=${MODELOPS_EXAMPLES_NAMESPACE:-demo}
SHIFT=${1:-2}
TIMEOUT=${DEMO_TIMEOUT:-300}
die() { echo "demo: ERROR: $*" >&2; exit 1; }

api_ready || die "the local cluster is not up: run \`make run\` in another shell first"
k get mdep -n "$NS" iris >/dev/null 2>&1 || die "no ModelDeployment iris in namespace $NS: run \`make run\` first"
k get rtp -n "$NS" iris-drift >/dev/null 2>&1 || die "no RetrainPolicy iris-drift in namespace $NS"

jp() { k get "$1" -n "$NS" "$2" -o jsonpath="$3" 2>/dev/null || true; }
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.1f s", b - a }'; }
step() { printf 'demo: [%s] %s\n' "$(elapsed)" "$*"; }
# await DESCRIPTION COMMAND...: polls COMMAND (every 0.5 s) until it succeeds, for TIMEOUT seconds.
await() {
  local what=$1 deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || die "no '$what' within ${TIMEOUT}s (kubectl describe mdep iris -n $NS; kubectl describe rtp iris-drift -n $NS)"
    sleep 0.5
  done
}

serving_before=$(jp mdep iris '{.status.servingVersion}')
retrains_before=$(jp rtp iris-drift '{.status.retrainCount}')
retrains_before=${retrains_before:-0}
next=$(jp rtp iris-drift '{.status.nextEligibleTime}')
if [[ -n $next ]] && (($(date -d "$next" +%s) > $(date +%s))); then
  echo "demo: note: the policy is cooling down until $next; the retrain waits for it" >&2
fi
traffic=$(k get pods -n "$NS" -l app.kubernetes.io/name=iris-traffic \
  -o jsonpath='{range .items[?(@.status.podIP)]}{.status.podIP}{"\n"}{end}' | head -n 1)
[[ -n $traffic ]] || die "the load generator (Deployment iris-traffic) has no running pod"

echo "demo: iris serves version $serving_before; drift score $(jp rtp iris-drift '{.status.score}') (threshold $(jp rtp iris-drift '{.spec.drift.threshold}'))"
curl -fsS --max-time 5 -X POST "http://$traffic:8090/shift?amount=$SHIFT" >/dev/null || die "the load generator refused the shift"
t0=$(date +%s.%N)
step "traffic shifted by $SHIFT standard deviations"

drifting() { [[ $(jp rtp iris-drift '{.status.conditions[?(@.type=="DriftDetected")].status}') == True ]]; }
await "drift detected" drifting
step "drift detected: score $(jp rtp iris-drift '{.status.score}')"

job_created() { local n; n=$(jp rtp iris-drift '{.status.retrainCount}'); ((${n:-0} > retrains_before)); }
await "a retrain Job" job_created
job=$(jp rtp iris-drift '{.status.history[0].job}')
step "retrain Job $job created (the breach held for $(jp rtp iris-drift '{.spec.drift.for}'))"

job_done() { [[ -n $(jp job "$job" '{.status.completionTime}') || -n $(jp job "$job" '{.status.failed}') ]]; }
await "the Job done" job_done
[[ -n $(jp job "$job" '{.status.completionTime}') ]] || die "Job $job failed: kubectl logs -n $NS job/$job"
step "Job $job done: $(k logs -n "$NS" "job/$job" --tail=1 2>/dev/null)"

rollout_started() { [[ -n $(jp mdep iris '{.status.rollout.canaryVersion}') || $(jp mdep iris '{.status.servingVersion}') != "$serving_before" ]]; }
await "the canary" rollout_started
new=$(jp mdep iris '{.spec.model.version}')
step "canary $new started beside $serving_before"

rollout_ended() { [[ -z $(jp mdep iris '{.status.rollout.canaryVersion}') ]]; }
await "the canary's end" rollout_ended
if [[ $(jp mdep iris '{.status.servingVersion}') == "$new" ]]; then
  step "version $new serving (canary analysis passed)"
else
  step "version $new rolled back: $(jp mdep iris '{.status.conditions[?(@.type=="Degraded")].message}')"
  exit 1
fi

below() { [[ $(jp rtp iris-drift '{.status.conditions[?(@.type=="DriftDetected")].reason}') == BelowThreshold ]]; }
await "drift back below the threshold" below
step "drift score $(jp rtp iris-drift '{.status.score}') under $new: below the threshold; next retrain not before $(jp rtp iris-drift '{.status.nextEligibleTime}')"
