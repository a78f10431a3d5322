#!/usr/bin/env bash
# Prints shell exports for using the local cluster: eval "$(hack/cluster-env.sh)"
set -euo pipefail
STATE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.local
[[ -f $STATE/kubeconfig && -e $STATE/bin ]] || { echo "cluster-env: not up; run hack/cluster-up.sh" >&2; exit 1; }
# .local/bin links to the tool cache, so the path stays valid across tool rebuilds.
# shellcheck disable=SC2016 # $PATH must expand in the caller's shell
printf 'export KUBECONFIG=%q\nexport PATH=%q:"$PATH"\n' "$STATE/kubeconfig" "$STATE/bin"
