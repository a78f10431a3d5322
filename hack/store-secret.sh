#!/usr/bin/env bash
# Gives a namespace the local object store's credentials the way KServe (and so the operator's
# model puller) expects them: a Secret `model-store`, labelled modelops.dev/credential=workload
# (the operator only uses Secrets that opted in), with
#   keys         AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   (the operator references these two)
#                S3_ENDPOINT, S3_USE_HTTPS, AWS_DEFAULT_REGION  (so `envFrom: secretRef` alone
#                                                             configures a trainer/load generator)
#   annotations  serving.kserve.io/s3-endpoint: s3.storage.svc.cluster.local:80
#                serving.kserve.io/s3-usehttps: "0"
#                serving.kserve.io/s3-region: us-east-1
# listed in the ServiceAccount's `secrets:` (default: `default`; a missing named one is created).
# Idempotent. Values go to the API server on stdin, never on a command line.
#
# Usage: hack/store-secret.sh NAMESPACE [SERVICEACCOUNT]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

die() { echo "store-secret: ERROR: $*" >&2; exit 1; }
(($# == 1 || $# == 2)) || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
ns=$1 sa=${2:-default}
api_ready || die "the control plane is not up (hack/cluster-up.sh)"
[[ -r $S3_ENV ]] || die "$S3_ENV missing: start the platform first (hack/platform-up.sh)"

namespace_settled "$ns" || exit 1
k get namespace "$ns" >/dev/null 2>&1 || k create namespace "$ns" >/dev/null

# Values as JSON strings (the access key and secret are hex/alnum, but quote them anyway).
json() { printf '"%s"' "$(sed 's/[\\"]/\\&/g' <<<"$1")"; }
k apply --server-side --force-conflicts --field-manager=modelops-store-secret -f - >/dev/null <<YAML
apiVersion: v1
kind: Secret
type: Opaque
metadata:
  name: model-store
  namespace: $ns
  labels:
    modelops.dev/credential: workload
    app.kubernetes.io/managed-by: modelops-store-secret
  annotations:
    serving.kserve.io/s3-endpoint: "$(s3_env S3_ENDPOINT)"
    serving.kserve.io/s3-usehttps: "0"
    serving.kserve.io/s3-region: "$S3_REGION"
stringData:
  AWS_ACCESS_KEY_ID: $(json "$(s3_env AWS_ACCESS_KEY_ID)")
  AWS_SECRET_ACCESS_KEY: $(json "$(s3_env AWS_SECRET_ACCESS_KEY)")
  S3_ENDPOINT: "$(s3_env S3_ENDPOINT)"
  S3_USE_HTTPS: "0"
  AWS_DEFAULT_REGION: "$S3_REGION"
YAML

if [[ $sa == default ]]; then
  # The controller-manager creates `default` right after the namespace.
  deadline=$((SECONDS + 30))
  until k get serviceaccount -n "$ns" default >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "no ServiceAccount $ns/default after 30s"
    sleep 0.3
  done
elif ! k get serviceaccount -n "$ns" "$sa" >/dev/null 2>&1; then
  k create serviceaccount -n "$ns" "$sa" >/dev/null
fi
# secrets is merged by name (strategic merge patch): existing entries stay, no duplicate.
if ! k get serviceaccount -n "$ns" "$sa" -o jsonpath='{range .secrets[*]}{.name}{"\n"}{end}' | grep -qx model-store; then
  k patch serviceaccount -n "$ns" "$sa" -p '{"secrets":[{"name":"model-store"}]}' >/dev/null
fi
echo "store-secret: $ns/model-store (endpoint $(s3_env S3_ENDPOINT)) listed on ServiceAccount $ns/$sa" >&2
