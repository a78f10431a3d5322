#!/usr/bin/env bash
# Publishes a platform service that runs as a host process on the real node's IP (10.88.0.1)
# the way a cluster would have it: a Service without selector plus an EndpointSlice pointing
# at 10.88.0.1. Pods then reach it by name (NAME.NAMESPACE.svc.cluster.local, via CoreDNS) and
# ClusterIP (kube-proxy routes it to the host process), as if it ran in the cluster.
# The process must listen on 10.88.0.1 (or 0.0.0.0) on the host port.
#
# Usage: hack/publish-host-service.sh [options] NAMESPACE NAME PORT[,PORT...]
#   PORT            [name=]port[:hostport][/tcp|/udp], e.g. 9090, http=80:8080, dns=53/udp
#                   (name defaults to <proto>-<port>; hostport to port)
#   --cluster-ip IP a fixed ClusterIP (e.g. 10.96.0.10 for kube-dns)
#   --label K=V     a label on the Service (repeatable)
#   --endpoints-only  only the EndpointSlice, for a Service that exists (default/kubernetes)
#   --delete        remove what an earlier call with the same NAMESPACE NAME published
# Examples:
#   hack/publish-host-service.sh monitoring prometheus http=9090
#   hack/publish-host-service.sh --endpoints-only default kubernetes https=443:6443
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

usage() { sed -n '/^# Usage:/,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "publish-host-service: ERROR: $*" >&2; exit 1; }

MANAGER=modelops-publish-host-service
cluster_ip="" endpoints_only=false delete=false labels=()
while (($#)); do
  case $1 in
    --cluster-ip) cluster_ip=$2; shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    --endpoints-only) endpoints_only=true; shift ;;
    --delete) delete=true; shift ;;
    -h | --help) usage ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
if $delete; then (($# >= 2)) || usage; else (($# == 3)) || usage; fi
ns=$1 name=$2 ports=${3:-}
api_ready || die "the control plane is not up (hack/cluster-up.sh)"
slice=$name-host

if $delete; then
  k delete endpointslice -n "$ns" "$slice" --ignore-not-found >/dev/null
  $endpoints_only || k delete service -n "$ns" "$name" --ignore-not-found >/dev/null
  echo "publish-host-service: removed $ns/$name" >&2
  exit 0
fi

# Parse PORT specs into the Service's and the EndpointSlice's port lists.
svc_ports="" slice_ports=""
IFS=, read -ra specs <<<"$ports"
for spec in "${specs[@]}"; do
  [[ $spec =~ ^(([a-z0-9-]+)=)?([0-9]+)(:([0-9]+))?(/(tcp|udp))?$ ]] || die "bad port '$spec' (want [name=]port[:hostport][/tcp|/udp])"
  proto=${BASH_REMATCH[7]:-tcp} port=${BASH_REMATCH[3]}
  host_port=${BASH_REMATCH[5]:-$port} pname=${BASH_REMATCH[2]:-$proto-$port}
  svc_ports+="
  - {name: $pname, port: $port, targetPort: $host_port, protocol: ${proto^^}}"
  slice_ports+="
- {name: $pname, port: $host_port, protocol: ${proto^^}}"
done

label_yaml=""
for l in ${labels[@]+"${labels[@]}"}; do label_yaml+="
    ${l%%=*}: \"${l#*=}\""; done

k get namespace "$ns" >/dev/null 2>&1 || k create namespace "$ns" >/dev/null

{
  if ! $endpoints_only; then
    cat <<YAML
apiVersion: v1
kind: Service
metadata:
  name: $name
  namespace: $ns
  labels:
    app.kubernetes.io/managed-by: $MANAGER$label_yaml
  annotations:
    modelops.dev/host-service: "$NODE_IP (a host process on the real node; hack/publish-host-service.sh)"
spec:
  type: ClusterIP${cluster_ip:+
  clusterIP: $cluster_ip}
  ports:$svc_ports
---
YAML
  fi
  # managed-by is not the EndpointSlice controller's value, so it leaves this slice alone.
  cat <<YAML
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $slice
  namespace: $ns
  labels:
    kubernetes.io/service-name: $name
    endpointslice.kubernetes.io/managed-by: $MANAGER
addressType: IPv4
endpoints:
- addresses: [$NODE_IP]
  conditions: {ready: true, serving: true, terminating: false}
  nodeName: $NODE_NAME
ports:$slice_ports
YAML
} | k apply --server-side --force-conflicts --field-manager="$MANAGER" -f - >/dev/null

echo "publish-host-service: $ns/$name -> $NODE_IP ($ports)$(
  $endpoints_only || echo ", ClusterIP $(k get service -n "$ns" "$name" -o jsonpath='{.spec.clusterIP}')")" >&2
