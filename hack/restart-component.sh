#!/usr/bin/env bash
# Restarts one component of the local control plane with exactly the command line it runs with, for
# fault tests (e.g. an API server restart mid-run): hack/restart-component.sh kube-apiserver
set -euo pipefail
(($# == 1)) || { echo "usage: hack/restart-component.sh COMPONENT (e.g. kube-apiserver)" >&2; exit 2; }
name=$1
STATE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.local
pidfile=$STATE/pids/$name.pid
[[ -f $pidfile ]] || { echo "restart-component: $name is not running (no $pidfile)" >&2; exit 1; }
pid=$(cat "$pidfile")
mapfile -d '' cmd < "/proc/$pid/cmdline"
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
# Same as cluster-up's launch: its own session, logs appended.
setsid "${cmd[@]}" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
echo $! >"$pidfile"
if [[ $name == kube-apiserver ]]; then
  for _ in $(seq 1 120); do
    "$STATE/bin/kubectl" --kubeconfig "$STATE/kubeconfig" get --raw /readyz >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
echo "restart-component: $name restarted (pid $(cat "$pidfile"))" >&2
