#!/usr/bin/env bash
# Starts the platform services of the local cluster as host processes on the real node's IP
# (10.88.0.1) and publishes them as Services (hack/publish-host-service.sh), the way a cluster
# would run them as Deployments:
#
#   storage/s3             the object store: Versity S3 Gateway (Apache-2.0, hack/tools/versitygw),
#                          posix backend on .local/platform/s3, 10.88.0.1:7070 and 127.0.0.1:7070;
#                          Service port 80. Root credentials generated at first start into
#                          .local/platform/s3.env (mode 600); buckets models, mlflow, traffic.
#   monitoring/prometheus  Prometheus 2.42 (hack/tools/prometheus: Debian's build has no Kubernetes
#                          service discovery), 10.88.0.1:9090, scraping (every 2 s, found by
#                          Kubernetes service discovery as monitoring/prometheus, a ServiceAccount
#                          that may list/watch pods) the model servers, load generators and
#                          annotated pods (the operator) on the real node.
#   mlflow/mlflow          only with MODELOPS_MLFLOW=1: hack/mlflow-up.sh.
#
# hack/node-up.sh calls it once the node is Ready (MODELOPS_PLATFORM=0 skips it), node-down
# undoes it (hack/platform-down.sh). Idempotent: services already running are left as they are
# (their Services are applied again). With MODELOPS_SEED_MODELS=1 it also runs
# hack/seed-models.sh. Root (the node is root's); logs: .local/logs/platform-*.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

start=$SECONDS
log() { echo "platform-up: [+$((SECONDS - start))s] $*" >&2; }
die() { echo "platform-up: ERROR: $*" >&2; exit 1; }

preflight() {
  ((EUID == 0)) || die "needs root (the real node's services): sudo $0"
  api_ready || die "the control plane is not up: run hack/cluster-up.sh first"
  ip -o -4 addr show dev "$BRIDGE" 2>/dev/null | grep -qF " $NODE_IP/" \
    || die "no $NODE_IP on $BRIDGE: the real node is not up (MODELOPS_REAL_NODE=1 hack/cluster-up.sh)"
  [[ -x $BIN/versitygw ]] || die "$BIN/versitygw missing: run hack/build-tools.sh (then hack/cluster-up.sh)"
  [[ -x $BIN/prometheus ]] || die "$BIN/prometheus missing: run hack/build-tools.sh (then hack/cluster-up.sh)"
  mkdir -p "$PLATFORM" "$PLATFORM_PIDS" "$LOGS"
}

# port_free ADDR PORT NAME: nobody but NAME (ours) listens there.
port_free() {
  local owner
  platform_alive "$3" && return 0
  if ss -Htln "src $1 and sport = :$2" | grep -q . || ss -Htln "src 0.0.0.0 and sport = :$2" | grep -q .; then
    owner=$(ss -Htlnp "sport = :$2" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    die "port $1:$2 is in use (by pid ${owner:-?}), $3 cannot start there"
  fi
}

# namespace NAME: created (if needed) and labelled ours, so platform-down can remove it.
namespace() {
  namespace_settled "$1" || exit 1
  k apply --server-side --field-manager="$PLATFORM_MANAGER" -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $1, labels: {app.kubernetes.io/managed-by: $PLATFORM_MANAGER}}
YAML
}

# --- the object store --------------------------------------------------------------------------
s3_credentials() {
  [[ -s $S3_ENV ]] && return 0
  local ak sk tmp
  ak=MODELOPS$(openssl rand -hex 6 | tr 'a-f' 'A-F')
  sk=$(openssl rand -hex 20)
  tmp=$(mktemp "$S3_ENV.XXXXXX")
  chmod 600 "$tmp"
  cat >"$tmp" <<ENV
# Root credentials of the local object store (hack/platform-up.sh, generated at its first start;
# kept until hack/platform-down.sh --purge). Host programs: source this file (AWS_ENDPOINT_URL is
# the host's endpoint). Pods: S3_ENDPOINT + S3_USE_HTTPS (KServe's convention), or
# S3_CLUSTER_URL; hack/store-secret.sh NAMESPACE [SA] puts the keys into a namespace.
AWS_ACCESS_KEY_ID=$ak
AWS_SECRET_ACCESS_KEY=$sk
AWS_DEFAULT_REGION=$S3_REGION
AWS_ENDPOINT_URL=$S3_HOST_URL
S3_HOST_URL=$S3_HOST_URL
S3_NODE_URL=http://$NODE_IP:$S3_PORT
S3_ENDPOINT=$S3_SERVICE_HOST:80
S3_USE_HTTPS=0
S3_CLUSTER_URL=http://$S3_SERVICE_HOST
S3_BUCKETS="${S3_BUCKETS[*]}"
ENV
  mv "$tmp" "$S3_ENV"
  log "generated the store's root credentials: $S3_ENV (mode 600)"
}

start_s3() {
  s3_credentials
  if platform_alive s3; then
    log "object store already running (pid $(platform_pid s3))"
  else
    port_free "$NODE_IP" "$S3_PORT" s3
    port_free 127.0.0.1 "$S3_PORT" s3
    mkdir -p "$S3_DATA"
    # Credentials through the environment (ROOT_ACCESS_KEY_ID/ROOT_SECRET_ACCESS_KEY), not argv.
    # No IAM service: single-account mode, the root account owns every bucket.
    ROOT_ACCESS_KEY_ID=$(s3_env AWS_ACCESS_KEY_ID) ROOT_SECRET_ACCESS_KEY=$(s3_env AWS_SECRET_ACCESS_KEY) \
      platform_launch s3 "$BIN/versitygw" --port "$NODE_IP:$S3_PORT" --port "127.0.0.1:$S3_PORT" \
      --region "$S3_REGION" --health /health --quiet posix "$S3_DATA"
    log "started the object store (versitygw, pid $(cat "$PLATFORM_PIDS/s3.pid"))"
  fi
  platform_wait 30 s3 "the object store on $NODE_IP:$S3_PORT" curl -fsS --max-time 2 "http://$NODE_IP:$S3_PORT/health" \
    || exit 1
  local b code
  for b in "${S3_BUCKETS[@]}"; do
    code=$(s3_curl -o "$PLATFORM/.bucket-reply" -w '%{http_code}' -X PUT "$b") || true
    case $code in
      200) log "created bucket $b" ;;
      409) grep -q BucketAlreadyOwnedByYou "$PLATFORM/.bucket-reply" || die "bucket $b: $(cat "$PLATFORM/.bucket-reply")" ;;
      *) die "creating bucket $b failed (HTTP $code): $(cat "$PLATFORM/.bucket-reply" 2>/dev/null)" ;;
    esac
  done
  rm -f "$PLATFORM/.bucket-reply"
  namespace storage
  publish --label app.kubernetes.io/name=s3 storage s3 "http=80:$S3_PORT"
  log "object store ready: $S3_HOST_URL (host), http://$S3_SERVICE_HOST (pods); buckets ${S3_BUCKETS[*]}"
}

# --- Prometheus ----------------------------------------------------------------------------------
prometheus_identity() {
  namespace monitoring
  k apply --server-side --field-manager="$PLATFORM_MANAGER" -f - >/dev/null <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: prometheus, namespace: monitoring, labels: {app.kubernetes.io/managed-by: $PLATFORM_MANAGER}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "modelops:prometheus", labels: {app.kubernetes.io/managed-by: $PLATFORM_MANAGER}}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "modelops:prometheus", labels: {app.kubernetes.io/managed-by: $PLATFORM_MANAGER}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "modelops:prometheus"}
subjects:
- {kind: ServiceAccount, name: prometheus, namespace: monitoring}
YAML
  # A bound token of that ServiceAccount (the cluster's CA and keys are new at every
  # cluster-up, and node-down stops Prometheus, so the token never outlives its cluster).
  local out
  out=$("$NODE_HACK/sa-kubeconfig.sh" monitoring prometheus "$PROM_DIR/kubeconfig" 720h 2>&1) || die "sa-kubeconfig: $out"
}

prometheus_config() {
  local sd="kubeconfig_file: $PROM_DIR/kubeconfig"
  # Common target labels: namespace, pod, container, node.
  local pod_labels='
  - {source_labels: [__meta_kubernetes_pod_container_init], regex: "true", action: drop}
  - {source_labels: [__meta_kubernetes_pod_phase], regex: Running, action: keep}
  - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
  - {source_labels: [__meta_kubernetes_pod_container_name], target_label: container}
  - {source_labels: [__meta_kubernetes_pod_node_name], target_label: node}'
  cat >"$PROM_DIR/prometheus.yml" <<YAML
# Generated by hack/platform-up.sh. Only pods on the real node ($NODE_NAME) are scraped: kwok's
# fake pods have loopback IPs that tests serve on themselves.
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 2s
scrape_configs:
# Model servers the operator runs: container port named http, /metrics. Each series carries
# namespace, pod, deployment (modelops.dev/deployment), track (modelops.dev/track) and version
# (modelops.dev/model-version); a scraped label of the same name (model_info's version) becomes
# exported_<name>.
- job_name: model-servers
  kubernetes_sd_configs:
  - role: pod
    $sd
    selectors:
    - role: pod
      label: app.kubernetes.io/managed-by=modelops-operator,app.kubernetes.io/component=model-server
      field: spec.nodeName=$NODE_NAME
  metrics_path: /metrics
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_container_port_name], regex: http, action: keep}$pod_labels
  - {source_labels: [__meta_kubernetes_pod_label_modelops_dev_deployment], target_label: deployment}
  - {source_labels: [__meta_kubernetes_pod_label_modelops_dev_track], target_label: track}
  - {source_labels: [__meta_kubernetes_pod_label_modelops_dev_model_version], target_label: version}
# Load generators: pods labelled app.kubernetes.io/component=load-generator, on their container
# port named metrics or numbered 8090 (CONTROL_PORT), /metrics.
- job_name: load-generators
  kubernetes_sd_configs:
  - role: pod
    $sd
    selectors:
    - role: pod
      label: app.kubernetes.io/component=load-generator
      field: spec.nodeName=$NODE_NAME
  metrics_path: /metrics
  relabel_configs:
  - source_labels: [__meta_kubernetes_pod_container_port_name, __meta_kubernetes_pod_container_port_number]
    regex: 'metrics;.*|[^;]*;8090'
    action: keep$pod_labels
  - {source_labels: [__meta_kubernetes_pod_label_modelops_dev_deployment], target_label: deployment}
# Annotated pods (the operator): prometheus.io/scrape "true", prometheus.io/port,
# prometheus.io/path (default /metrics). Model servers are scraped above only.
- job_name: annotated-pods
  kubernetes_sd_configs:
  - role: pod
    $sd
    selectors:
    - role: pod
      field: spec.nodeName=$NODE_NAME
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], regex: "true", action: keep}
  - source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_managed_by, __meta_kubernetes_pod_label_app_kubernetes_io_component]
    regex: modelops-operator;model-server
    action: drop
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path], regex: (.+), target_label: __metrics_path__}
  - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
    regex: '([^:]+)(?::\d+)?;(\d+)'
    replacement: '\$1:\$2'
    target_label: __address__$pod_labels
  - {source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_name], target_label: app}
YAML
}

start_prometheus() {
  if platform_alive prometheus; then
    log "Prometheus already running (pid $(platform_pid prometheus))"
  else
    port_free "$NODE_IP" "$PROM_PORT" prometheus
    mkdir -p "$PROM_DIR/data"
    prometheus_identity
    prometheus_config
    platform_launch prometheus "$BIN/prometheus" --config.file="$PROM_DIR/prometheus.yml" \
      --storage.tsdb.path="$PROM_DIR/data" --storage.tsdb.retention.time=6h \
      --web.listen-address="$NODE_IP:$PROM_PORT" --web.enable-lifecycle --log.level=warn
    log "started Prometheus (pid $(cat "$PLATFORM_PIDS/prometheus.pid"))"
  fi
  platform_wait 60 prometheus "Prometheus ready on $PROM_URL" curl -fsS --max-time 2 "$PROM_URL/-/ready" || exit 1
  publish --label app.kubernetes.io/name=prometheus monitoring prometheus "http=$PROM_PORT"
  log "Prometheus ready: $PROM_URL (host), http://prometheus.monitoring.svc.$CLUSTER_DOMAIN:$PROM_PORT (pods)"
}

on_failure() {
  local rc=$?
  ((rc == 0)) || echo "platform-up: failed (exit $rc); logs: $LOGS/platform-*.log" >&2
}

main() {
  trap on_failure EXIT
  preflight
  start_s3
  start_prometheus
  if [[ ${MODELOPS_MLFLOW:-0} == 1 ]]; then "$NODE_HACK/mlflow-up.sh"; fi
  if [[ ${MODELOPS_SEED_MODELS:-0} == 1 ]]; then "$NODE_HACK/seed-models.sh" >/dev/null; fi
  log "ready: s3 $S3_HOST_URL, prometheus $PROM_URL$([[ ${MODELOPS_MLFLOW:-0} == 1 ]] && echo ", mlflow $MLFLOW_URL"); credentials $S3_ENV"
}

main "$@"
