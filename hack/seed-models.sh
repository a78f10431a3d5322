#!/usr/bin/env bash
# Seeds the local object store with the example model: version 1 of iris at s3://models/iris/1/
# (model.joblib, baseline.json, features.json), made by the example trainer's seed mode
# (`python -m trainer --seed --store s3://models/iris`, examples/trainer).
#
# By default as a Job on the real node (namespace storage, image
# ghcr.io/modelops-dev/trainer:0.1.0 imported if missing, credentials from the model-store
# Secret via envFrom, the store by its Service name): the path a RetrainPolicy's trainer takes,
# needing nothing on the host but the image. --host runs the same module on the host instead,
# with the examples venv (~/.cache/modelops-examples-venv, MODELOPS_EXAMPLES_VENV; made by
# examples/test.sh) against the store on 127.0.0.1.
#
# Idempotent: when s3://models/iris/1/features.json (the trainer writes it last) exists, it only
# says so. stdout: the trainer's result line, {"version": "1", "uri": "s3://models/iris/1/"}.
#
# --version V seeds another version of iris the same way (e.g. a second good one to roll out);
# --bad makes it a deliberately bad one (the trainer's --shuffle-labels: ~33% accuracy), for
# trying a canary rollback.
#
# Usage: hack/seed-models.sh [--host] [--version V] [--bad]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

start=$SECONDS
log() { echo "seed-models: [+$((SECONDS - start))s] $*" >&2; }
die() { echo "seed-models: ERROR: $*" >&2; exit 1; }

MODEL=iris VERSION=1 STORE=s3://models/iris
IMAGE=ghcr.io/modelops-dev/trainer:0.1.0
NS=storage

mode=job
shuffle=()
while (($#)); do
  case $1 in
    --host) mode=host ;;
    --version) VERSION=${2:?--version needs a value}; shift ;;
    --bad) shuffle=(--shuffle-labels) ;;
    *) sed -n 's/^# Usage: //p' "$0" >&2; exit 2 ;;
  esac
  shift
done
[[ $VERSION =~ ^[a-z0-9]([a-z0-9.-]{0,40}[a-z0-9])?$ ]] || die "--version: lowercase letters, digits, '.' and '-', at most 42"
JOB=seed-iris-${VERSION//./-}

[[ -r $S3_ENV ]] && curl -fsS --max-time 2 "$S3_HOST_URL/health" >/dev/null 2>&1 \
  || die "the object store is not running: hack/platform-up.sh first"

result() { echo "{\"version\": \"$VERSION\", \"uri\": \"$STORE/$VERSION/\"}"; }

if s3_exists "models/$MODEL/$VERSION/features.json" && s3_exists "models/$MODEL/$VERSION/model.joblib"; then
  log "$STORE/$VERSION/ already seeded"
  result
  exit 0
fi

seed_host() {
  local venv=${MODELOPS_EXAMPLES_VENV:-$HOME/.cache/modelops-examples-venv}
  [[ -x $venv/bin/python ]] || die "$venv missing: examples/test.sh trainer builds it (or drop --host)"
  log "running the trainer's seed mode on the host ($venv)"
  (
    set -a
    # shellcheck disable=SC1090
    source "$S3_ENV"
    set +a
    cd "$ROOT/examples/trainer"
    MODEL_NAME=$MODEL MODEL_VERSION=$VERSION PYTHONPATH=src TRAFFIC_URI="" \
      timeout 120 nice -n 10 "$venv/bin/python" -m trainer --seed --store "$STORE" ${shuffle[@]+"${shuffle[@]}"}
  ) | tail -n 1
}

ctr_() { "$BIN/ctr" --address "$CONTAINERD_SOCK" --timeout 20s -n k8s.io "$@"; }

seed_job() {
  ((EUID == 0)) || die "needs root (the node's containerd, to check the image): sudo $0"
  api_ready || die "the control plane is not up"
  if ! ctr_ images ls -q "name==$IMAGE" 2>/dev/null | grep -qxF "$IMAGE"; then
    log "importing the trainer image"
    "$NODE_HACK/load-images.sh" trainer >/dev/null
  fi
  "$NODE_HACK/store-secret.sh" "$NS" 2>/dev/null
  k delete job -n "$NS" "$JOB" --ignore-not-found --wait=true >/dev/null   # an earlier, failed try
  k apply -f - >/dev/null <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $JOB
  namespace: $NS
  labels: {app.kubernetes.io/managed-by: modelops-seed-models, app.kubernetes.io/name: trainer}
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 180
  ttlSecondsAfterFinished: 600
  template:
    metadata:
      labels: {app.kubernetes.io/managed-by: modelops-seed-models, app.kubernetes.io/name: trainer}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 1
      nodeSelector: {modelops.dev/real-node: "true"}
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: seed
        image: $IMAGE
        imagePullPolicy: IfNotPresent
        args: [--seed, --store, "$STORE"${shuffle[@]+, ${shuffle[*]}}]
        env:
        - {name: MODEL_NAME, value: $MODEL}
        - {name: MODEL_VERSION, value: "$VERSION"}
        - {name: TRAFFIC_URI, value: ""}
        envFrom:
        - secretRef: {name: model-store}
        resources:
          requests: {cpu: 100m, memory: 256Mi}
          limits: {memory: 768Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
YAML
  log "Job $NS/$JOB created"
  local deadline=$((SECONDS + 180)) st
  while :; do
    st=$(k get job -n "$NS" "$JOB" -o jsonpath='{.status.succeeded}/{.status.failed}' 2>/dev/null || true)
    [[ $st == 1/* ]] && break
    if [[ $st == */1 ]] || ((SECONDS >= deadline)); then
      k logs -n "$NS" "job/$JOB" --tail=30 >&2 2>/dev/null || true
      k get pods -n "$NS" -l "job-name=$JOB" -o wide >&2 2>/dev/null || true
      die "Job $NS/$JOB $([[ $st == */1 ]] && echo failed || echo "did not finish in 180s")"
    fi
    sleep 0.5
  done
  log "Job $NS/$JOB succeeded"
  k logs -n "$NS" "job/$JOB" --tail=1
}

"seed_$mode" >/dev/null
s3_exists "models/$MODEL/$VERSION/features.json" || die "the trainer finished but $STORE/$VERSION/features.json is not there"
log "seeded $STORE/$VERSION/ ($mode)"
result
