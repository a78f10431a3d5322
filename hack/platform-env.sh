# shellcheck shell=bash disable=SC2034  # (the variables are for the scripts that source this)
# Shared by the platform scripts (platform-up.sh, platform-down.sh, mlflow-up.sh,
# mlflow-down.sh, store-secret.sh, seed-models.sh): the platform services the examples and the
# tests expect of a cluster, as host processes on the real node's IP (10.88.0.1), published as
# Services by hack/publish-host-service.sh. Sourced, not run.
#
#   service        host process (listens on)              Service (in-cluster URL)
#   object store   versitygw  10.88.0.1:7070, 127.0.0.1:7070   storage/s3     http://s3.storage.svc.cluster.local (80)
#   Prometheus     prometheus 10.88.0.1:9090              monitoring/prometheus  http://prometheus.monitoring.svc.cluster.local:9090
#   MLflow         mlflow     10.88.0.1:5000 (MODELOPS_MLFLOW=1)   mlflow/mlflow  http://mlflow.mlflow.svc.cluster.local (80, 5000)
#
# State under .local/platform (kept by node-down and cluster-down, so the store's data, its
# credentials and MLflow's database survive a restart; `hack/platform-down.sh --purge` removes
# it): s3.env (credentials, mode 600), mlflow.env, s3/ (the store's posix root), prometheus/
# (config, identity; its TSDB is removed on stop), mlflow/ (SQLite), pids/. Logs:
# .local/logs/platform-*.log.
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

PLATFORM=$STATE/platform
PLATFORM_PIDS=$PLATFORM/pids
PLATFORM_MANAGER=modelops-platform-up    # app.kubernetes.io/managed-by of what platform-up creates

S3_PORT=7070
S3_DATA=$PLATFORM/s3
S3_ENV=$PLATFORM/s3.env
S3_REGION=us-east-1
S3_BUCKETS=(models mlflow traffic)
S3_HOST_URL=http://127.0.0.1:$S3_PORT
S3_SERVICE_HOST=s3.storage.svc.$CLUSTER_DOMAIN

PROM_PORT=9090
PROM_DIR=$PLATFORM/prometheus
PROM_URL=http://$NODE_IP:$PROM_PORT

MLFLOW_PORT=5000
MLFLOW_DIR=$PLATFORM/mlflow
MLFLOW_ENV=$PLATFORM/mlflow.env
MLFLOW_URL=http://$NODE_IP:$MLFLOW_PORT

# Platform processes: name -> executable basename (what /proc/PID/exe must be). A pid counts
# as ours only if it runs that executable AND its command line names $PLATFORM (every one of
# them is given a path under it), so a reused pid or someone else's Prometheus is never touched.
PLATFORM_PROCS=(s3 prometheus mlflow)
declare -A PLATFORM_EXE=([s3]=versitygw [prometheus]=prometheus [mlflow]=python3.11)

# platform_pid NAME: the recorded pid of NAME if it is still our process.
platform_pid() {
  local f=$PLATFORM_PIDS/$1.pid p
  [[ -f $f ]] || return 1
  p=$(cat "$f")
  exe_is "${PLATFORM_EXE[$1]}" "$p" && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$PLATFORM/" && echo "$p"
}

platform_alive() { platform_pid "$1" >/dev/null; }

# platform_launch NAME EXECUTABLE ARGS...: in its own session (its process group is its pid,
# so a server with worker processes stops as a whole), pid recorded, output to its log.
# Secrets go through the environment (set them on the call), never on a command line.
platform_launch() {
  local name=$1
  shift
  mkdir -p "$PLATFORM_PIDS" "$LOGS"
  echo "=== $(date -u +%FT%TZ) start" >>"$LOGS/platform-$name.log"
  setsid "$@" >>"$LOGS/platform-$name.log" 2>&1 </dev/null &
  echo $! >"$PLATFORM_PIDS/$name.pid"
}

# platform_stop NAME: TERM to its process group, up to 10 s, then KILL.
platform_stop() {
  local p
  if p=$(platform_pid "$1"); then
    kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 50); do exe_is "${PLATFORM_EXE[$1]}" "$p" || break; sleep 0.2; done
    if exe_is "${PLATFORM_EXE[$1]}" "$p"; then
      echo "platform: $1 (pid $p) ignored TERM for 10s; KILL" >&2
      kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
    fi
    kill -KILL -- "-$p" 2>/dev/null || true   # workers that outlived their parent
    echo "platform: stopped $1 (pid $p)" >&2
  fi
  rm -f "$PLATFORM_PIDS/$1.pid"
}

# platform_wait TIMEOUT-S NAME DESCRIPTION COMMAND...: poll COMMAND; fail early if NAME died.
platform_wait() {
  local deadline=$((SECONDS + $1)) name=$2 what=$3
  shift 3
  until "$@" >/dev/null 2>&1; do
    if ! platform_alive "$name"; then
      tail -n 25 "$LOGS/platform-$name.log" >&2
      echo "platform: ERROR: $name exited while waiting for $what; see $LOGS/platform-$name.log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "platform: ERROR: timed out after $1s waiting for $what; see $LOGS/platform-$name.log" >&2
      return 1
    fi
    sleep 0.3
  done
}

# namespace_settled NAME [TIMEOUT-S, default 90]: NAME is not being deleted (platform-down and
# the smoke test delete namespaces without waiting; a quick restart would find them terminating).
namespace_settled() {
  local deadline=$((SECONDS + ${2:-90}))
  while [[ -n $(k get namespace "$1" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null) ]]; do
    if ((SECONDS >= deadline)); then
      echo "platform: ERROR: namespace $1 is still terminating after ${2:-90}s" >&2
      return 1
    fi
    sleep 0.5
  done
}

# publish ARGS...: hack/publish-host-service.sh, its output shown only when it fails.
publish() {
  local out
  out=$("$NODE_HACK/publish-host-service.sh" "$@" 2>&1) || { echo "$out" >&2; return 1; }
}

# s3_env VAR: a value from the credentials file.
s3_env() { sed -n "s/^$1=//p" "$S3_ENV"; }

# s3_curl CURL-ARGS... PATH: a SigV4-signed request to the store on 127.0.0.1 (curl's
# --aws-sigv4; the credentials go through a config on a pipe, not the command line).
# Paths without a query string only (curl 7.88 does not sort query parameters when signing).
s3_curl() {
  local path=${*: -1}
  curl -sS --max-time 10 --aws-sigv4 "aws:amz:$S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    -K <(printf 'user = "%s:%s"\n' "$(s3_env AWS_ACCESS_KEY_ID)" "$(s3_env AWS_SECRET_ACCESS_KEY)") \
    "${@:1:$#-1}" "$S3_HOST_URL/${path#/}"
}

# s3_exists BUCKET/KEY: the object exists (HEAD 200).
s3_exists() { [[ $(s3_curl -o /dev/null -w '%{http_code}' -I "$1") == 200 ]]; }
