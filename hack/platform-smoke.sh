#!/usr/bin/env bash
# Checks the platform services of hack/platform-up.sh end to end, as workloads use them:
#   1. the object store from the host (SigV4 PUT/GET/DELETE on 127.0.0.1),
#   2. the example model is there (hack/seed-models.sh, idempotent),
#   3. from a pod, by Service name (DNS, ClusterIP, kube-proxy, the model-store Secret via
#      envFrom): boto3 put/get with the endpoint URL (path-style and botocore's default
#      addressing), the seeded model's objects, Prometheus' and (if up) MLflow's health,
#   4. a model server as the operator runs it (model-puller init container pulling
#      s3://models/iris/1/, sklearn-server on a port named http, the operator's labels) is
#      scraped by Prometheus with namespace/pod/deployment/track/version on its series,
#   5. with MLflow up: a registered model, a run whose artifacts are uploaded into
#      s3://mlflow/, a model version from them, an alias, read back through the REST API.
# Namespace platform-smoke (deleted at the end). Root; the node and the platform must be up.
# Prints one line per check; exit 1 at the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/platform-env.sh"

start=$SECONDS
NS=platform-smoke
ok() { echo "platform-smoke: [+$((SECONDS - start))s] ok: $*"; }
die() { echo "platform-smoke: FAILED: $*" >&2; exit 1; }

((EUID == 0)) || die "needs root: sudo $0"
api_ready || die "the control plane is not up"
platform_alive s3 && platform_alive prometheus || die "the platform is not up (hack/platform-up.sh)"
mlflow=false
platform_alive mlflow && mlflow=true

cleanup() { k delete namespace "$NS" --wait=false --ignore-not-found >/dev/null 2>&1 || true; }
trap cleanup EXIT

# --- 1. host ------------------------------------------------------------------------------------
id=$(date +%s)-$RANDOM
body="platform-smoke $id"
[[ $(s3_curl -o /dev/null -w '%{http_code}' -X PUT --data-binary "$body" "traffic/smoke/$id.txt") == 200 ]] || die "host PUT"
[[ $(s3_curl "traffic/smoke/$id.txt") == "$body" ]] || die "host GET returned something else"
s3_curl -o /dev/null -X DELETE "traffic/smoke/$id.txt"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$S3_HOST_URL/traffic/smoke/x") == 403 ]] || die "anonymous GET was not refused"
ok "object store from the host: PUT/GET/DELETE s3://traffic/smoke/$id.txt ($S3_HOST_URL), anonymous refused"

# --- 2. the example model -------------------------------------------------------------------------
"$NODE_HACK/load-images.sh" trainer model-puller sklearn-server >/dev/null 2>&1 || die "importing the images failed"
seeded=$("$NODE_HACK/seed-models.sh" 2>/dev/null) || die "seed-models.sh failed"
ok "seeded: $seeded"

# --- 3. a pod, by Service name --------------------------------------------------------------------
namespace_settled "$NS" || exit 1
k create namespace "$NS" >/dev/null 2>&1 || true
"$NODE_HACK/store-secret.sh" "$NS" 2>/dev/null

restricted='securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}'
pod_security='securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: RuntimeDefault}}'
client_py=$(cat <<'PY'
import json, os, sys, urllib.request
import boto3
from botocore.config import Config
url = ("https" if os.environ.get("S3_USE_HTTPS", "1") != "0" else "http") + "://" + os.environ["S3_ENDPOINT"]
out = {"endpoint": url}
for style in ("path", "auto"):
    s3 = boto3.client("s3", endpoint_url=url, config=Config(s3={"addressing_style": style}, retries={"max_attempts": 2}))
    key = f"smoke/pod-{style}.txt"
    s3.put_object(Bucket="traffic", Key=key, Body=style.encode())
    assert s3.get_object(Bucket="traffic", Key=key)["Body"].read() == style.encode()
    s3.delete_object(Bucket="traffic", Key=key)
    out[style] = "put/get/delete ok"
s3 = boto3.client("s3", endpoint_url=url)
out["iris"] = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="models", Prefix="iris/1/").get("Contents", []))
try:
    boto3.client("s3", endpoint_url=url, config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1},
                 connect_timeout=3)).head_bucket(Bucket="models")
    out["virtual"] = "works"
except Exception as e:
    out["virtual"] = "fails (" + type(e).__name__ + ")"
for name, u in (("prometheus", "http://prometheus.monitoring.svc.cluster.local:9090/-/ready"),
                ("mlflow", "http://mlflow.mlflow.svc.cluster.local/health")):
    if name == "mlflow" and os.environ.get("MLFLOW") != "1":
        continue
    with urllib.request.urlopen(u, timeout=5) as r:
        out[name] = r.status
print(json.dumps(out))
PY
)
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: $NS}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  $pod_security
  containers:
  - name: client
    image: ghcr.io/modelops-dev/trainer:0.1.0
    imagePullPolicy: IfNotPresent
    command: [/opt/venv/bin/python, -c, $(printf '%s' "$client_py" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]
    env: [{name: MLFLOW, value: "$($mlflow && echo 1 || echo 0)"}]
    envFrom: [{secretRef: {name: model-store}}]
    $restricted
YAML

# --- 4. a model server as the operator runs it ------------------------------------------------------
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: iris-smoke-stable-0
  namespace: $NS
  labels:
    app.kubernetes.io/managed-by: modelops-operator
    app.kubernetes.io/component: model-server
    app.kubernetes.io/name: iris
    modelops.dev/deployment: iris-smoke
    modelops.dev/track: stable
    modelops.dev/model-version: "1"
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  $pod_security
  volumes: [{name: models, emptyDir: {}}]
  initContainers:
  - name: model-puller
    image: ghcr.io/modelops-dev/model-puller:0.1.0
    imagePullPolicy: IfNotPresent
    args: [s3://models/iris/1/, /mnt/models]
    envFrom: [{secretRef: {name: model-store}}]
    volumeMounts: [{name: models, mountPath: /mnt/models}]
    $restricted
  containers:
  - name: server
    image: ghcr.io/modelops-dev/sklearn-server:0.1.0
    imagePullPolicy: IfNotPresent
    env: [{name: MODEL_NAME, value: iris}, {name: MODEL_VERSION, value: "1"}, {name: MODEL_DIR, value: /mnt/models}]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /v2/health/ready, port: http}, periodSeconds: 1}
    volumeMounts: [{name: models, mountPath: /mnt/models, readOnly: true}]
    resources: {requests: {cpu: 100m, memory: 320Mi}, limits: {memory: 512Mi}}
    $restricted
YAML

wait_for() { # TIMEOUT DESCRIPTION COMMAND... (the description is for the reader)
  local deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}
phase() { [[ $(k get pod -n "$NS" "$1" -o jsonpath='{.status.phase}') == "$2" ]]; }
if ! wait_for 90 "client pod" phase client Succeeded; then
  k logs -n "$NS" client --tail=20 >&2 || true
  die "the client pod did not succeed within 90s (phase $(k get pod -n "$NS" client -o jsonpath='{.status.phase}'))"
fi
ok "from a pod (Service names, model-store Secret): $(k logs -n "$NS" client --tail=1)"

ready() { [[ $(k get pod -n "$NS" iris-smoke-stable-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]; }
if ! wait_for 120 "model server" ready; then
  k logs -n "$NS" iris-smoke-stable-0 -c model-puller --tail=10 >&2 || true
  k logs -n "$NS" iris-smoke-stable-0 -c server --tail=10 >&2 || true
  die "the model server pod was not Ready within 120s"
fi
ok "model server pod Ready (puller pulled s3://models/iris/1/ through s3.storage.svc)"

promq() { curl -fsS --max-time 5 --get --data-urlencode "query=$1" "$PROM_URL/api/v1/query"; }
scraped() { promq "up{job=\"model-servers\",namespace=\"$NS\",pod=\"iris-smoke-stable-0\",deployment=\"iris-smoke\",track=\"stable\",version=\"1\"} == 1" | grep -q '"value"'; }
wait_for 30 "scrape" scraped || die "Prometheus does not scrape the model server with its labels: $(promq "up{namespace=\"$NS\"}")"
series=$(promq "model_info{namespace=\"$NS\"}" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(json.dumps(r[0]["metric"], sort_keys=True) if r else "none")')
ok "Prometheus scrapes it every 2s: model_info $series"

# --- 5. MLflow -------------------------------------------------------------------------------------
if $mlflow; then
  api=$MLFLOW_URL/api/2.0/mlflow
  post() { curl -fsS --max-time 10 -H 'Content-Type: application/json' -X POST "$api/$1" -d "$2"; }
  get() { curl -fsS --max-time 10 --get "$api/$1" "${@:2}"; }
  jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
  name=smoke-$id
  post registered-models/create "{\"name\": \"$name\"}" >/dev/null || die "MLflow: registered-models/create"
  run=$(post runs/create '{"experiment_id": "0"}') || die "MLflow: runs/create"
  run_id=$(jq_ 'd["run"]["info"]["run_id"]' <<<"$run")
  art=$(jq_ 'd["run"]["info"]["artifact_uri"]' <<<"$run")
  [[ $art == s3://mlflow/* ]] || die "MLflow: run artifact URI $art is not in s3://mlflow/"
  # Upload the "model" where the run's artifacts live, as an MLflow client would (directly to S3).
  key=${art#s3://}/model/MLmodel
  [[ $(s3_curl -o /dev/null -w '%{http_code}' -X PUT --data-binary "artifact_path: model" "$key") == 200 ]] || die "upload to $art"
  mv=$(post model-versions/create "{\"name\": \"$name\", \"source\": \"$art/model\", \"run_id\": \"$run_id\"}") \
    || die "MLflow: model-versions/create"
  v=$(jq_ 'd["model_version"]["version"]' <<<"$mv")
  post registered-models/alias "{\"name\": \"$name\", \"alias\": \"champion\", \"version\": \"$v\"}" >/dev/null || die "MLflow: set alias"
  got=$(get registered-models/alias --data-urlencode "name=$name" --data-urlencode alias=champion) || die "MLflow: get alias"
  src=$(jq_ 'd["model_version"]["source"]' <<<"$got")
  dl=$(get model-versions/get-download-uri --data-urlencode "name=$name" --data-urlencode "version=$v" | jq_ 'd["artifact_uri"]')
  [[ $src == s3://mlflow/* && $dl == s3://mlflow/* ]] || die "MLflow: source $src / download URI $dl not in s3://mlflow/"
  s3_exists "${dl#s3://}/MLmodel" || die "MLflow: $dl/MLmodel not in the store"
  curl -fsS --max-time 10 -H "Content-Type: application/json" -X DELETE "$api/registered-models/delete" -d "{\"name\": \"$name\"}" >/dev/null || echo "platform-smoke: (could not delete $name)" >&2
  ok "MLflow: model $name version $v alias champion -> $dl (object present)"
fi
echo "platform-smoke: all checks passed in $((SECONDS - start))s"
