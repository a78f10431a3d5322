#!/usr/bin/env bash
# Stops the local control plane started by hack/cluster-up.sh and removes its state
# (.local/ except logs/, kept for post-mortems); a real node (hack/node-up.sh) goes first. Only the pids recorded in .local/pids are
# signalled, and only if they still run the binary we started (pids get reused).
set -euo pipefail
shopt -s extglob

HACK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=$(dirname "$HACK")/.local
PIDS=$STATE/pids

log() { echo "cluster-down: $*" >&2; }

# ours NAME PID: true if PID is alive and its executable is named NAME.
ours() { [[ $(readlink "/proc/$2/exe" 2>/dev/null) == */"$1"?(" (deleted)") ]]; }

# A real node first, while the API server can still drain it (hack/node-up.sh).
if [[ -d $STATE/node ]]; then
  "$HACK/node-down.sh" || log "node-down reported leftovers (see above)"
fi

# Reverse start order, so clients go before the apiserver and the apiserver before etcd.
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f=$PIDS/$name.pid
  [[ -f $f ]] || continue
  pid=$(cat "$f")
  if ours "$name" "$pid"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do ours "$name" "$pid" || break; sleep 0.2; done  # up to 10s
    if ours "$name" "$pid"; then
      log "$name (pid $pid) ignored TERM for 10s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$f"
done

# The local route cluster-up added for pod IPs (only if it recorded one).
if [[ -f $STATE/pod-route ]]; then
  ip route del local "$(cat "$STATE/pod-route")" dev lo table local 2>/dev/null || true
  rm -f "$STATE/pod-route"
fi

rm -rf "$PIDS" "${STATE:?}/pki" "$STATE/etcd-data" "${STATE:?}/bin" "$STATE/kubeconfig" "$STATE/flex-volume-plugins" "$STATE/helm" \
  "$STATE"/*.kubeconfig
log "stopped (logs kept in $STATE/logs)"
