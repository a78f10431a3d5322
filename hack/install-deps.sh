#!/usr/bin/env bash
# The Debian packages `make test` and `make run` need, installed when missing (as root; otherwise
# one line names them and the command stops). Go and Java are expected on the machine.
#
# tool -> package: certificates (openssl), readiness checks (curl), port checks in
# hack/cluster-up.sh (ss), the drift and canary e2e tests' own Prometheus (prometheus), the Argo CD
# Lua scripts (lua5.1). The real node (hack/node-up.sh) and its images (images/build.sh): runc, the
# CNI plugins, iptables and conntrack (kube-proxy), socat (API server forwarder), umoci, skopeo and
# debootstrap; gcc and strip build Kubernetes' pause.c (hack/build-tools.sh). The examples' venv
# (examples/test.sh) and the platform's MLflow (hack/mlflow-up.sh): python3 and python3-venv.
#
# Usage: hack/install-deps.sh          (idempotent; silent when nothing is missing)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

declare -A package_of=([openssl]=openssl [curl]=curl [ss]=iproute2 [prometheus]=prometheus [lua5.1]=lua5.1
  [runc]=runc [iptables]=iptables [conntrack]=conntrack [socat]=socat [umoci]=umoci [skopeo]=skopeo
  [debootstrap]=debootstrap [gcc]=gcc [strip]=binutils)
need=()
for tool in "${!package_of[@]}"; do command -v "$tool" >/dev/null || need+=("${package_of[$tool]}"); done
[[ -x /usr/lib/cni/bridge ]] || need+=(containernetworking-plugins)
[[ -x /usr/bin/python3 ]] || need+=(python3)
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
((${#need[@]})) || exit 0

if ((EUID != 0)); then
  echo "install-deps: missing Debian packages; as root run: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}" >&2
apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
