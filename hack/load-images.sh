#!/usr/bin/env bash
# Imports container images into the real node's containerd (namespace k8s.io, the one the
# kubelet's CRI uses), building them first with images/build.sh (content-cached, so this is
# quick when nothing changed). Images are never pulled: pods use them with
# imagePullPolicy IfNotPresent (or Never) and the version or content tag. Root; the node must be
# up (hack/node-up.sh runs this itself).
#
# Usage: hack/load-images.sh [NAME...]     build and import NAMEs (default: every buildable image)
#        hack/load-images.sh --from LIST   import what an earlier images/build.sh printed
# stdout: the imported references, one per line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

log() { echo "load-images: $*" >&2; }
die() { echo "load-images: ERROR: $*" >&2; exit 1; }

((EUID == 0)) || die "needs root (the node's containerd socket): sudo $0 $*"
[[ -S $CONTAINERD_SOCK ]] || die "the real node is not up (no $CONTAINERD_SOCK): run hack/node-up.sh"

if [[ ${1:-} == --from ]]; then
  list=$(cat "$2")
else
  list=$("$ROOT/images/build.sh" "$@")
fi

t0=$SECONDS
while read -r name tar refs; do
  [[ -n $name ]] || continue
  t=$SECONDS
  # The content tag names exactly this build: if containerd has it, there is nothing to do.
  content_ref=${refs##* }
  if "$BIN/ctr" --address "$CONTAINERD_SOCK" -n k8s.io images ls -q "name==$content_ref" 2>/dev/null | grep -qxF "$content_ref"; then
    log "$name already imported: $refs"
    tr ' ' '\n' <<<"$refs"
    continue
  fi
  # ctr repeats containerd's cgroup v1 deprecation notice on every call: show its output only
  # when the import fails.
  out=$("$BIN/ctr" --address "$CONTAINERD_SOCK" --timeout 300s -n k8s.io images import "$tar" 2>&1) \
    || { echo "$out" >&2; die "importing $tar failed"; }
  log "imported $name in $((SECONDS - t))s: $refs"
  tr ' ' '\n' <<<"$refs"
done <<<"$list"
log "done in $((SECONDS - t0))s"
