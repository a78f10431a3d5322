#!/usr/bin/env bash
# Smoke test of the real node (hack/node-up.sh): runs two pods under the `restricted` Pod
# Security profile with read-only root filesystems and checks, from inside a pod, what a
# workload expects of a cluster:
#   - Service DNS (CoreDNS): kubernetes.default and a Service of its own namespace resolve
#   - a ClusterIP answers (kube-proxy -> the other pod)
#   - the API server answers through the `kubernetes` Service with the pod's ServiceAccount token
#   - nothing off the machine: no default route, names outside cluster.local do not resolve
# plus kubectl logs/exec (API server -> kubelet). Prints one OK line per check; exit 1 on the first failure.
# Usage: hack/node-smoke.sh     (the namespace modelops-smoke is deleted afterwards)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"

NS=modelops-smoke
IMAGE=$(k get node "$NODE_NAME" -o jsonpath='{.status.images[*].names}' | tr ',[]" ' '\n' | grep -m1 '^localhost/modelops/python-base:') \
  || { echo "node-smoke: the real node is not up or has no python-base image (hack/node-up.sh)" >&2; exit 1; }
t0=$SECONDS
ok() { echo "node-smoke: [+$((SECONDS - t0))s] OK   $*"; }
fail() { echo "node-smoke: [+$((SECONDS - t0))s] FAIL $*" >&2; k get pods -n "$NS" -o wide >&2 || true; exit 1; }
trap 'k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true' EXIT

k delete namespace "$NS" --ignore-not-found --wait=true --timeout=60s >/dev/null
k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: $NS, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: $IMAGE
    imagePullPolicy: IfNotPresent
    command: [python, -c, "import http.server as h, os; os.chdir('/tmp'); open('index.html', 'w').write('hello from a real pod'); h.ThreadingHTTPServer(('', 8080), h.SimpleHTTPRequestHandler).serve_forever()"]
    ports: [{containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: $NS}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: $IMAGE
    imagePullPolicy: IfNotPresent
    command: [python, -c, "import time; print('client up', flush=True); time.sleep(3600)"]
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
YAML
k wait -n "$NS" --for=condition=Ready pod/web pod/client --timeout=60s >/dev/null || fail "pods not Ready in 60s"
[[ $(k get pod -n "$NS" web -o jsonpath='{.spec.nodeName}') == "$NODE_NAME" ]] || fail "web did not land on $NODE_NAME"
ok "pods Running on $NODE_NAME (restricted, read-only root filesystem, image $IMAGE)"
k logs -n "$NS" client | grep -q 'client up' || fail "kubectl logs"
ok "kubectl logs"

# One Python run inside the client pod; every line it prints is "name value".
out=$(k exec -i -n "$NS" client -- python - <<'PY'
import json, os, socket, ssl, urllib.request
def p(k, v): print(k, v, flush=True)
p("uid", os.getuid())
p("resolv", " ".join(l.strip() for l in open("/etc/resolv.conf") if l.startswith("nameserver")))
for name in ("kubernetes.default", "web", "kube-dns.kube-system.svc.cluster.local"):
    p("dns:" + name, socket.gethostbyname(name))
p("http", urllib.request.urlopen("http://web/", timeout=5).read().decode())
sa = "/var/run/secrets/kubernetes.io/serviceaccount/"
ctx = ssl.create_default_context(cafile=sa + "ca.crt")
req = urllib.request.Request(
    "https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews",
    data=json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}).encode(),
    headers={"Authorization": "Bearer " + open(sa + "token").read(), "Content-Type": "application/json"})
p("api-user", json.load(urllib.request.urlopen(req, context=ctx, timeout=5))["status"]["userInfo"]["username"])
routes = [l.split() for l in open("/proc/net/route").readlines()[1:]]
p("default-route", any(r[1] == "00000000" for r in routes))
# connect() on a UDP socket only looks the route up: no packet is sent.
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("198.51.100.1", 53)); p("outside", "routable")
except OSError as e:
    p("outside", "unreachable:" + e.strerror.replace(" ", "_"))
try:
    p("dns:pypi.org", socket.gethostbyname("pypi.org"))
except OSError:
    p("dns:pypi.org", "unresolved")
PY
) || fail "checks inside the pod: $out"
get() { awk -v k="$1" '$1 == k {sub(/^[^ ]* /, ""); print; exit}' <<<"$out"; }

[[ $(get resolv) == "nameserver $CLUSTER_DNS_IP" ]] || fail "resolv.conf: $(get resolv)"
[[ $(get dns:kubernetes.default) == 10.96.0.1 ]] || fail "kubernetes.default -> $(get dns:kubernetes.default)"
web_ip=$(k get svc -n "$NS" web -o jsonpath='{.spec.clusterIP}')
[[ $(get dns:web) == "$web_ip" ]] || fail "web -> $(get dns:web), want $web_ip"
ok "kubectl exec; DNS: kubernetes.default -> 10.96.0.1, web -> $web_ip, kube-dns.kube-system.svc.cluster.local -> $(get dns:kube-dns.kube-system.svc.cluster.local)"
[[ $(get http) == 'hello from a real pod' ]] || fail "http://web/ said: $(get http)"
ok "pod -> ClusterIP $web_ip:80 -> pod web:8080 answered"
[[ $(get api-user) == "system:serviceaccount:$NS:default" ]] || fail "API via kubernetes Service: $(get api-user)"
ok "API server via https://kubernetes.default.svc (10.96.0.1:443) with the pod's token: $(get api-user)"
[[ $(get default-route) == False && $(get outside) == unreachable:* && $(get dns:pypi.org) == unresolved ]] \
  || fail "isolation: default-route=$(get default-route) outside=$(get outside) pypi.org=$(get dns:pypi.org)"
ok "no default route in the pod (198.51.100.1: $(get outside | cut -d: -f2)), pypi.org does not resolve"
ok "all checks passed in $((SECONDS - t0))s"
