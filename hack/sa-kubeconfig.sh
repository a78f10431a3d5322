#!/usr/bin/env bash
# Writes a kubeconfig that authenticates as a ServiceAccount of the local cluster, with a
# bound token from `kubectl create token`, so the operator (a local JVM) runs under its own
# RBAC instead of system:masters. Self-contained (token + certificate-authority-data), the
# form the Fabric8 client reads.
# Usage: hack/sa-kubeconfig.sh NAMESPACE SERVICEACCOUNT OUTFILE [DURATION, default 24h]
set -euo pipefail
(($# == 3 || $# == 4)) || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
ns=$1 sa=$2 out=$3 duration=${4:-24h}
STATE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.local
[[ -f $STATE/kubeconfig ]] || { echo "sa-kubeconfig: cluster not up; run hack/cluster-up.sh" >&2; exit 1; }
kubectl() { "$STATE/bin/kubectl" "$@"; }

server=$(kubectl --kubeconfig "$STATE/kubeconfig" config view --minify -o jsonpath='{.clusters[0].cluster.server}')
token=$(kubectl --kubeconfig "$STATE/kubeconfig" create token "$sa" -n "$ns" --duration "$duration")
tmp=$(mktemp "$out.XXXXXX")   # written whole, then moved: readers never see half a file
trap 'rm -f "$tmp"' EXIT
chmod 600 "$tmp"              # holds a credential
kc=(kubectl --kubeconfig "$tmp" config)
"${kc[@]}" set-cluster local --server "$server" --certificate-authority "$STATE/pki/ca.crt" --embed-certs >/dev/null
"${kc[@]}" set-credentials "$ns-$sa" --token "$token" >/dev/null
"${kc[@]}" set-context local --cluster local --user "$ns-$sa" --namespace "$ns" >/dev/null
"${kc[@]}" use-context local >/dev/null
mv "$tmp" "$out"
trap - EXIT
echo "sa-kubeconfig: wrote $out (system:serviceaccount:$ns:$sa, valid $duration)" >&2
