#!/usr/bin/env bash
# Starts an MLflow tracking and model registry server (PyPI mlflow, pinned with every
# dependency in hack/mlflow-requirements.txt) as a host process on 10.88.0.1:5000, published
# as the Service mlflow/mlflow (ports 80 and 5000): pods use
# http://mlflow.mlflow.svc.cluster.local. Backend store: SQLite in .local/platform/mlflow
# (kept across restarts). Artifacts: s3://mlflow/ in the local object store, written by the
# clients themselves (--no-serve-artifacts), so run and model-version URIs are s3://mlflow/...
# and a model puller can read them; clients need the store's credentials and
# MLFLOW_S3_ENDPOINT_URL (.local/platform/mlflow.env, .local/platform/s3.env).
#
# Off by default: hack/platform-up.sh (and so node-up) runs this with MODELOPS_MLFLOW=1, or run
# it after the platform is up. The venv is built once into
# ~/.cache/modelops-mlflow-venv-<key of the requirements> (MODELOPS_MLFLOW_VENV overrides).
# Idempotent; stop with hack/mlflow-down.sh (platform-down and node-down do it too).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

start=$SECONDS
log() { echo "mlflow-up: [+$((SECONDS - start))s] $*" >&2; }
die() { echo "mlflow-up: ERROR: $*" >&2; exit 1; }

REQS=$NODE_HACK/mlflow-requirements.txt
PY=/usr/bin/python3

venv_dir() {
  if [[ -n ${MODELOPS_MLFLOW_VENV:-} ]]; then echo "$MODELOPS_MLFLOW_VENV"; return; fi
  echo "$HOME/.cache/modelops-mlflow-venv-$({ "$PY" -VV; cat "$REQS"; } | sha256sum | cut -c1-12)"
}

# Wheels only, every package pinned (no resolution at install time), niced: 2 shared cores.
ensure_venv() {
  local v=$1 t0=$SECONDS
  [[ -f $v/.complete ]] && return 0
  [[ -x $PY ]] || die "$PY missing (apt-get install python3 python3-venv)"
  "$PY" -c 'import ensurepip' 2>/dev/null || die "python3-venv missing (apt-get install python3-venv)"
  mkdir -p "$(dirname "$v")"
  exec 9>"$v.lock"
  flock 9
  if [[ ! -f $v/.complete ]]; then
    log "building the MLflow venv $v (once; ~30-60 s)"
    rm -rf "$v"
    "$PY" -m venv "$v"
    nice -n 10 "$v/bin/pip" install -q --disable-pip-version-check --no-input --only-binary=:all: --no-deps \
      -r "$REQS" >"$v.install.log" 2>&1 || { tail -n 20 "$v.install.log" >&2; die "pip install failed (log: $v.install.log)"; }
    touch "$v/.complete"
    log "venv built in $((SECONDS - t0))s"
  fi
  exec 9>&-
}

write_env() {
  cat >"$MLFLOW_ENV.tmp" <<ENV
# The local MLflow server (hack/mlflow-up.sh). No secrets here: artifact clients also need the
# store's credentials from s3.env (host) or the model-store Secret (pods, hack/store-secret.sh).
MLFLOW_TRACKING_URI=$MLFLOW_URL
MLFLOW_CLUSTER_URL=http://mlflow.mlflow.svc.$CLUSTER_DOMAIN
MLFLOW_S3_ENDPOINT_URL=$S3_HOST_URL
MLFLOW_S3_CLUSTER_ENDPOINT_URL=http://$S3_SERVICE_HOST
MLFLOW_ARTIFACT_ROOT=s3://mlflow/
ENV
  mv "$MLFLOW_ENV.tmp" "$MLFLOW_ENV"
}

main() {
  ((EUID == 0)) || die "needs root (the real node's services): sudo $0"
  api_ready || die "the control plane is not up: run hack/cluster-up.sh first"
  platform_alive s3 && [[ -s $S3_ENV ]] || die "the object store is not running: hack/platform-up.sh first"
  local v
  v=$(venv_dir)
  ensure_venv "$v"
  mkdir -p "$MLFLOW_DIR"
  if platform_alive mlflow; then
    log "already running (pid $(platform_pid mlflow))"
  else
    if ss -Htln "src $NODE_IP and sport = :$MLFLOW_PORT" | grep -q .; then
      die "port $NODE_IP:$MLFLOW_PORT is in use: $(ss -Htlnp "sport = :$MLFLOW_PORT" | grep -o 'pid=[0-9]*' | head -1)"
    fi
    local svc=mlflow.mlflow hosts="" h
    # Host headers MLflow accepts (its DNS-rebinding guard): the Service's names, any 10.* (node
    # IP, ClusterIP) and loopback.
    for h in mlflow "$svc" "$svc.svc" "$svc.svc.$CLUSTER_DOMAIN" localhost 127.0.0.1; do hosts+="$h,$h:*,"; done
    hosts+="10.*"
    # Server-side artifact access (UI listings, deletes) uses the store on loopback. No job
    # runner (GenAI evaluation jobs: seven more processes, ~300 MiB).
    AWS_ACCESS_KEY_ID=$(s3_env AWS_ACCESS_KEY_ID) AWS_SECRET_ACCESS_KEY=$(s3_env AWS_SECRET_ACCESS_KEY) \
      AWS_DEFAULT_REGION=$S3_REGION MLFLOW_S3_ENDPOINT_URL=$S3_HOST_URL \
      MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true PYTHONDONTWRITEBYTECODE=1 \
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
      platform_launch mlflow "$v/bin/mlflow" server --host "$NODE_IP" --port "$MLFLOW_PORT" --workers 1 \
      --backend-store-uri "sqlite:///$MLFLOW_DIR/mlflow.db" --default-artifact-root s3://mlflow/ \
      --no-serve-artifacts --allowed-hosts "$hosts"
    log "started MLflow (pid $(cat "$PLATFORM_PIDS/mlflow.pid"))"
  fi
  # The first start creates the database (migrations): slower.
  platform_wait 180 mlflow "MLflow on $MLFLOW_URL" curl -fsS --max-time 2 "$MLFLOW_URL/health" || exit 1
  write_env
  namespace_settled mlflow || exit 1
  publish --label app.kubernetes.io/name=mlflow mlflow mlflow "http=80:$MLFLOW_PORT,mlflow=$MLFLOW_PORT"
  k label namespace mlflow "app.kubernetes.io/managed-by=$PLATFORM_MANAGER" --overwrite >/dev/null
  log "ready: $MLFLOW_URL (host), http://mlflow.mlflow.svc.$CLUSTER_DOMAIN (pods); artifacts s3://mlflow/; env $MLFLOW_ENV"
}

main "$@"
