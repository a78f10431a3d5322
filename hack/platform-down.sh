#!/usr/bin/env bash
# Undoes hack/platform-up.sh (and hack/mlflow-up.sh): unpublishes the Services and removes the
# namespaces, the Prometheus identity and RBAC it created (while the API server runs), stops the
# object store, Prometheus and MLflow (recorded pids only, and only while they run the program
# started, with a path under .local/platform on their command line), and removes Prometheus'
# TSDB and token. Then it checks that no platform process is left (exit 1 otherwise).
# hack/node-down.sh calls it first.
#
# Kept for the next start: the store's data and credentials (.local/platform/s3, s3.env) and
# MLflow's database. `--purge` removes .local/platform entirely (new credentials next time).
# Namespaces created by platform-up (storage, monitoring, mlflow) are deleted; model-store
# Secrets that hack/store-secret.sh put into other namespaces are left to their owners.
#
# Usage: hack/platform-down.sh [--purge]
#        hack/platform-down.sh --check    only report leftover platform processes
set -euo pipefail
shopt -s nullglob
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

log() { echo "platform-down: $*" >&2; }

# Processes of ours still running, whatever the pid files say.
leftovers() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case ${exe##*/} in
      versitygw | prometheus | python3* | "versitygw (deleted)" | "prometheus (deleted)")
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$PLATFORM/" && echo "process ${p#/proc/} $exe" ;;
    esac
  done
  return 0
}

check() {
  local left
  left=$(leftovers)
  if [[ -n $left ]]; then
    echo "platform-down: LEFT BEHIND:" >&2
    sed 's/^/  /' <<<"$left" >&2
    return 1
  fi
  log "clean: no platform processes left"
}

main() {
  if [[ ${1:-} == --check ]]; then check; exit; fi
  ((EUID == 0)) || { echo "platform-down: needs root: sudo $0" >&2; exit 1; }
  "$NODE_HACK/mlflow-down.sh" ${1:+"$1"}
  if api_ready; then
    "$NODE_HACK/publish-host-service.sh" --delete storage s3 >/dev/null 2>&1 || true
    "$NODE_HACK/publish-host-service.sh" --delete monitoring prometheus >/dev/null 2>&1 || true
    k delete clusterrolebinding,clusterrole -l "app.kubernetes.io/managed-by=$PLATFORM_MANAGER" --ignore-not-found >/dev/null 2>&1 || true
    k delete namespace -l "app.kubernetes.io/managed-by=$PLATFORM_MANAGER" --wait=false --ignore-not-found >/dev/null 2>&1 || true
    log "unpublished s3, prometheus, mlflow; removed their namespaces and RBAC"
  fi
  platform_stop prometheus
  platform_stop s3
  rm -rf "$PROM_DIR/data" "$PROM_DIR/kubeconfig"
  if [[ ${1:-} == --purge ]]; then rm -rf "$PLATFORM"; log "purged $PLATFORM"; fi
  check
}

main "$@"
