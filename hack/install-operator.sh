#!/usr/bin/env bash
# Installs the operator into the local cluster the way users install it: the Helm chart
# (helm/modelops-operator) with the locally built operator image, which is imported into the
# real node's containerd (hack/load-images.sh), never pulled. The release namespace enforces
# the `restricted` Pod Security profile, as deploy/core's namespace does.
#
# The image tag is the content tag (content-<hash>), so a rebuilt operator is a new pod
# template and `hack/install-operator.sh` again rolls it out. If the model-puller image is
# built (examples/model-puller), the operator's init containers use it too.
#
# Usage: hack/install-operator.sh [HELM-ARGS...]   e.g. --set replicaCount=1
#        hack/install-operator.sh --uninstall
# Env: MODELOPS_OPERATOR_NAMESPACE (modelops-system), MODELOPS_OPERATOR_RELEASE (modelops-operator),
# MODELOPS_HELM_ARGS (more helm arguments, space-separated; e.g. for IN_CLUSTER=1 make run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

NS=${MODELOPS_OPERATOR_NAMESPACE:-modelops-system}
RELEASE=${MODELOPS_OPERATOR_RELEASE:-modelops-operator}
t0=$SECONDS
log() { echo "install-operator: [+$((SECONDS - t0))s] $*" >&2; }
die() { echo "install-operator: ERROR: $*" >&2; exit 1; }

api_ready || die "the control plane is not up: hack/cluster-up.sh (with MODELOPS_REAL_NODE=1)"
# Helm's own cache and config stay inside .local.
export KUBECONFIG=$STATE/kubeconfig HELM_CACHE_HOME=$STATE/helm/cache HELM_CONFIG_HOME=$STATE/helm/config \
  HELM_DATA_HOME=$STATE/helm/data
helm() { "$BIN/helm" "$@"; }

if [[ ${1:-} == --uninstall ]]; then
  helm uninstall "$RELEASE" -n "$NS" --wait --timeout 120s >&2 || true
  exit 0
fi

k get node "$NODE_NAME" >/dev/null 2>&1 || die "the real node is not up (hack/node-up.sh): the operator's pods would have nowhere to run"

# Build (cached) and import the images the release uses.
images=$("$NODE_HACK/load-images.sh" operator 2>/dev/null || true)
[[ -n $images ]] || { "$NODE_HACK/load-images.sh" operator >/dev/null; die "building or importing the operator image failed (see above)"; }
ref=$(grep -m1 '/modelops-operator:content-' <<<"$images")
extra=()
read -ra helm_args <<<"${MODELOPS_HELM_ARGS:-}"
extra+=(${helm_args[@]+"${helm_args[@]}"})
if puller=$("$NODE_HACK/load-images.sh" model-puller 2>/dev/null | grep -m1 ':0\.1\.0$'); then
  extra+=(--set "modelPuller.image=$puller")
fi
log "operator image $ref${puller:+, model puller $puller}"

# The namespace is ours, not the chart's (the chart has none): labelled like deploy/core/namespace.yaml.
k apply --server-side --field-manager=modelops-install-operator -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
YAML

log "helm upgrade --install $RELEASE helm/modelops-operator -n $NS (waits for the rollout)"
helm upgrade --install "$RELEASE" "$ROOT/helm/modelops-operator" -n "$NS" \
  --set image.repository="${ref%:*}" --set image.tag="${ref##*:}" --set image.pullPolicy=IfNotPresent \
  ${extra[@]+"${extra[@]}"} --wait --timeout 300s "$@" >&2

k get pods -n "$NS" -l app.kubernetes.io/instance="$RELEASE" -o wide >&2
holder=$(k get lease -n "$NS" -o jsonpath='{range .items[*]}{.metadata.name}={.spec.holderIdentity}{"\n"}{end}' 2>/dev/null | grep leader || true)
log "installed in $((SECONDS - t0))s; leader lease: ${holder:-none yet}"
