#!/usr/bin/env bash
# Stops the MLflow server of hack/mlflow-up.sh (its whole process group) and unpublishes its
# Service. Its database (.local/platform/mlflow) stays for the next start; --purge removes it
# (the artifacts in s3://mlflow/ belong to the object store: hack/platform-down.sh --purge).
# hack/platform-down.sh (so node-down) calls it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

((EUID == 0)) || { echo "mlflow-down: needs root: sudo $0" >&2; exit 1; }
if api_ready; then
  "$NODE_HACK/publish-host-service.sh" --delete mlflow mlflow >/dev/null 2>&1 || true
fi
platform_stop mlflow
rm -f "$MLFLOW_ENV"
if [[ ${1:-} == --purge ]]; then rm -rf "$MLFLOW_DIR"; echo "mlflow-down: removed $MLFLOW_DIR" >&2; fi
