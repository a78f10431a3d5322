#!/usr/bin/env bash
# Undoes hack/node-up.sh completely, then checks that nothing is left (exit 1 if something
# is, with a list). hack/cluster-down.sh calls it first, while the API server still runs, so
# that the node can be drained; it also works with the control plane already gone.
#
# Order matters: pods first (the kubelet runs CNI DEL, so netns and IPs are released), then
# the platform services (hack/platform-down.sh: object store, Prometheus, MLflow), kubelet,
# CoreDNS and the API forwarder, kube-proxy (and its rules), the last containers and containerd;
# then mounts, netns, cgroups, sysctls (forwarding off while the forward guard is still there),
# iptables chains, nftables tables it created, the bridge (its routes go with it), and the
# host directories the kubelet, containerd and libcni use whatever their flags say.
# Only recorded pids are signalled (and only if they still run the program we started), plus
# containerd's own record of its shims (shim.pid) and processes inside the node's kubepods cgroups.
#
# Usage: hack/node-down.sh           stop and clean up (root)
#        hack/node-down.sh --check   only report what is left
# Logs (.local/logs/node-*.log) are kept.
set -euo pipefail
shopt -s nullglob
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

start=$SECONDS
log() { echo "node-down: [+$((SECONDS - start))s] $*" >&2; }

# stop NAME [group]: TERM, up to 10 s, then KILL; "group": the whole process group (socat forks
# a child per connection; launch gave it its own session, so its group id is its pid).
stop() {
  local p target
  if p=$(node_pid "$1"); then
    target=$p
    [[ ${2:-} == group ]] && target=-$p
    kill -TERM -- "$target" 2>/dev/null || true
    for _ in $(seq 50); do exe_is "${NODE_EXE[$1]}" "$p" || break; sleep 0.2; done
    if exe_is "${NODE_EXE[$1]}" "$p"; then
      log "$1 (pid $p) ignored TERM for 10s; KILL"
      kill -KILL -- "$target" 2>/dev/null || true
    fi
    [[ ${2:-} == group ]] && kill -KILL -- "$target" 2>/dev/null || true   # children still serving
    log "stopped $1 (pid $p)"
  fi
  rm -f "$NODE_PIDS/$1.pid"
}

# --- 1. the cluster side: drain, forget the node, unpublish, untaint kwok ----------------------
drain() {
  api_ready || { log "API server not reachable: skipping the drain"; return 0; }
  if k get node "$NODE_NAME" >/dev/null 2>&1; then
    k cordon "$NODE_NAME" >/dev/null 2>&1 || true
    k delete pods -A --field-selector "spec.nodeName=$NODE_NAME" --grace-period=1 --wait=false >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 45))
    while [[ -n $(k get pods -A --field-selector "spec.nodeName=$NODE_NAME" -o name 2>/dev/null) ]]; do
      if ((SECONDS >= deadline)); then log "pods still on $NODE_NAME after 45s; removing them by force"; break; fi
      sleep 0.5
    done
    k delete node "$NODE_NAME" --wait=false >/dev/null 2>&1 || true
    log "drained and removed node $NODE_NAME"
  fi
  "$NODE_HACK/publish-host-service.sh" --delete kube-system kube-dns >/dev/null 2>&1 || true
  "$NODE_HACK/publish-host-service.sh" --delete --endpoints-only default kubernetes >/dev/null 2>&1 || true
  k delete clusterrolebinding,clusterrole -l app.kubernetes.io/managed-by=modelops-node-up --ignore-not-found >/dev/null 2>&1 || true
  if k get node "$FAKE_NODE" -o jsonpath='{.spec.taints[*].key}' 2>/dev/null | grep -qw kwok.x-k8s.io/node; then
    k taint node "$FAKE_NODE" "${FAKE_TAINT}-" >/dev/null 2>&1 || true
    log "removed the taint from $FAKE_NODE"
  fi
}

# --- 2. processes ------------------------------------------------------------------------------
ctr_() { "$BIN/ctr" --address "$CONTAINERD_SOCK" --timeout 20s -n k8s.io "$@"; }

stop_processes() {
  stop kubelet
  stop coredns
  stop apiserver-proxy group
  if node_alive kube-proxy; then
    stop kube-proxy
    [[ -x $BIN/kube-proxy ]] && "$BIN/kube-proxy" --cleanup >>"$LOGS/node-kube-proxy.log" 2>&1 || true
  fi
  # Containers the drain did not stop (e.g. the control plane was already gone): kill them
  # through containerd, so that their shims exit.
  if [[ -S $CONTAINERD_SOCK ]] && node_alive containerd; then
    local t n=0
    for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1 || true; n=$((n + 1)); done
    for t in $(ctr_ tasks ls -q 2>/dev/null); do
      for _ in $(seq 25); do ctr_ tasks rm -f "$t" >/dev/null 2>&1 && break; sleep 0.2; done
    done
    ((n)) && log "killed $n leftover containers"
  fi
  stop containerd
  # Shims containerd recorded under our state dir and that still run (e.g. containerd was killed).
  local f p
  for f in "$CONTAINERD_DIR"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    p=$(cat "$f")
    if exe_is containerd-shim-runc-v2 "$p" && tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF -- "-address $CONTAINERD_SOCK"; then
      kill -KILL "$p" && log "killed leftover shim (pid $p)"
    fi
  done
  # Last resort: processes still inside the node's pod cgroups are the node's containers.
  for f in /sys/fs/cgroup/*/kubepods; do
    find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | while read -r p; do
      kill -KILL "$p" 2>/dev/null && log "killed leftover pod process $p"
    done
  done
}

# --- 3. mounts, netns, cgroups ------------------------------------------------------------------
our_mounts() { # deepest first
  awk '{print $5}' /proc/self/mountinfo |
    grep -E "^($NODE_STATE/|/run/containerd/|/run/containerd$|/run/netns/|/var/lib/kubelet/|/var/lib/kubelet$)" | sort -r || true
}

cleanup_mounts() {
  local m n=0
  for _ in 1 2 3; do   # a mount can hide another one under it
    for m in $(our_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; n=$((n + 1)); done
  done
  ((n)) && log "unmounted $n mounts"
  rm -f /run/netns/cni-*
  local c
  for c in /sys/fs/cgroup/*/kubepods; do find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
}

# --- 4. kernel settings, firewall, bridge ---------------------------------------------------------
restore_sysctls() {
  [[ -f $NODE_STATE/sysctl.orig ]] || return 0
  sysctl -q -p "$NODE_STATE/sysctl.orig" >/dev/null && log "sysctls restored ($(wc -l <"$NODE_STATE/sysctl.orig"))"
}

cleanup_iptables() {
  local ipt t c
  for ipt in iptables ip6tables; do
    for t in mangle nat filter; do
      # Jumps from built-in/other chains into KUBE-* chains, then the KUBE-* chains themselves
      # (kubelet's canaries, whatever kube-proxy --cleanup left). This machine's own rules
      # never use the KUBE- prefix.
      "$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-A" && $2 !~ /^KUBE-/ && / -j KUBE-/' | sed 's/^-A //' |
        while read -r rule; do eval "$ipt -t $t -D $rule" || true; done
      for c in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do "$ipt" -t "$t" -F "$c" || true; done
      for c in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do "$ipt" -t "$t" -X "$c" || true; done
    done
  done
  # The forward guard, last: forwarding is already off (restore_sysctls).
  while iptables -t mangle -D FORWARD -j "$GUARD_CHAIN" 2>/dev/null; do :; done
  iptables -t mangle -F "$GUARD_CHAIN" 2>/dev/null && iptables -t mangle -X "$GUARD_CHAIN"
  # nftables tables that appeared with the node (iptables-nft creates ip/ip6 filter, nat,
  # mangle on first use) and hold no rule any more.
  if [[ -f $NODE_STATE/nft-tables.orig ]] && command -v nft >/dev/null; then
    local fam name
    nft list tables 2>/dev/null | while read -r _ fam name; do
      grep -qxF "table $fam $name" "$NODE_STATE/nft-tables.orig" && continue
      nft -j list table "$fam" "$name" 2>/dev/null | grep -q '"rule"' && continue
      nft delete table "$fam" "$name" 2>/dev/null || true
    done
  fi
  log "iptables: KUBE-* chains and the forward guard removed"
}

remove_bridge() {
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE"
    log "removed bridge $BRIDGE (and its routes)"
  fi
}

remove_dirs() {
  local p
  for p in "${HOST_PATHS[@]}"; do
    [[ -f $NODE_STATE/host-paths.preexisting ]] && grep -qxF "$p" "$NODE_STATE/host-paths.preexisting" && continue
    rm -rf "$p"
  done
  rm -rf "$NODE_STATE"
}

# --- 5. the check ---------------------------------------------------------------------------------
# leftovers [SYSCTL-RECORD]: prints one line per thing the node left behind.
leftovers() {
  local p exe name
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    name=${exe##*/}
    case ${name% (deleted)} in
      kubelet | kube-proxy | containerd | containerd-shim-runc-v2 | coredns | runc) echo "process ${p#/proc/} $exe" ;;
      socat) tr '\0' ' ' <"$p/cmdline" | grep -qF "bind=$NODE_IP" && echo "process ${p#/proc/} socat (API server forwarder)" ;;
      versitygw | prometheus | python3*)   # platform services (hack/platform-up.sh)
        tr '\0' ' ' <"$p/cmdline" | grep -qF -- "$STATE/platform/" && echo "process ${p#/proc/} $exe (platform service)" ;;
    esac
  done
  our_mounts | sed 's/^/mount /'
  ip -o link show | awk -F': ' '$2 ~ /^(cni0|veth)/ {print "link " $2}'
  ip route show | grep -E "cni0|10\.96\.|10\.88\." | sed 's/^/route /' || true
  for p in iptables ip6tables; do
    "$p"-save 2>/dev/null | grep -E "KUBE-|$GUARD_CHAIN|cni0" | sed "s/^/$p /" || true
  done
  for p in /sys/fs/cgroup/*/kubepods; do echo "cgroup $p"; done
  for p in "${HOST_PATHS[@]}" "$NODE_STATE"; do
    [[ -e $p ]] && ! grep -qxF "$p" <<<"${PREEXISTING:-}" && echo "path $p"
  done
  if [[ -n ${1:-} ]]; then
    while IFS='=' read -r name exe; do
      [[ $(sysctl -n "$name" 2>/dev/null) == "$exe" ]] || echo "sysctl $name=$(sysctl -n "$name") (was $exe)"
    done <<<"$1"
  fi
  return 0
}

check() { # [SYSCTL-RECORD]
  local left
  left=$(leftovers "${1:-}")
  if [[ -n $left ]]; then
    echo "node-down: LEFT BEHIND:" >&2
    sed 's/^/  /' <<<"$left" >&2
    return 1
  fi
  log "clean: no node processes, mounts, links, routes, iptables rules, cgroups or directories left"
}

main() {
  if [[ ${1:-} == --check ]]; then
    [[ -f $NODE_STATE/host-paths.preexisting ]] && PREEXISTING=$(cat "$NODE_STATE/host-paths.preexisting")
    check
    exit
  fi
  ((EUID == 0)) || { echo "node-down: needs root: sudo $0" >&2; exit 1; }
  local sysctls="" preexisting=""
  [[ -f $NODE_STATE/sysctl.orig ]] && sysctls=$(cat "$NODE_STATE/sysctl.orig")
  [[ -f $NODE_STATE/host-paths.preexisting ]] && preexisting=$(cat "$NODE_STATE/host-paths.preexisting")
  # The platform services first (hack/platform-up.sh), while the API server still runs.
  if [[ -d $STATE/platform ]]; then
    "$NODE_HACK/platform-down.sh" || log "platform-down reported leftovers (see above)"
  fi
  drain
  stop_processes
  cleanup_mounts
  restore_sysctls
  cleanup_iptables
  remove_bridge
  remove_dirs
  PREEXISTING=$preexisting check "$sysctls"
}

main "$@"
