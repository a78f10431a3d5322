"""Writing the baseline ConfigMap through the Kubernetes API with the pod's ServiceAccount.

One request (a Server-Side Apply PATCH) is all the trainer needs, so this is a few lines of
`requests` with the standard in-cluster configuration rather than the `kubernetes` package:
KUBERNETES_SERVICE_HOST/PORT and the mounted token, CA certificate and namespace.

RBAC the trainer's ServiceAccount needs in its namespace: configmaps `get`, `create` and `patch`
(apply creates the ConfigMap when it does not exist yet).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import requests

SERVICEACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
FIELD_MANAGER = "modelops-trainer"


class KubeError(Exception):
    pass


class InClusterConfigMaps:
    def __init__(self, env=os.environ, serviceaccount_dir: str | None = None, timeout: float = 10.0):
        host = env.get("KUBERNETES_SERVICE_HOST")
        if not host:
            raise KubeError("not running in a pod: KUBERNETES_SERVICE_HOST is not set")
        port = env.get("KUBERNETES_SERVICE_PORT", "443")
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        self._base = f"https://{host}:{port}"
        self._dir = Path(serviceaccount_dir or env.get("KUBERNETES_SERVICEACCOUNT_DIR", SERVICEACCOUNT_DIR))
        self._timeout = timeout
        try:
            self.namespace = env.get("POD_NAMESPACE") or (self._dir / "namespace").read_text().strip()
        except OSError as e:
            raise KubeError(f"no ServiceAccount namespace at {self._dir}/namespace: {e.strerror}") from e

    def _token(self) -> str:
        # Read on every call: projected tokens are rotated by the kubelet.
        try:
            return (self._dir / "token").read_text().strip()
        except OSError as e:
            raise KubeError(f"no ServiceAccount token at {self._dir}/token (automountServiceAccountToken off?)") from e

    def apply(self, name: str, data: dict[str, str], labels: dict[str, str] | None = None) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": self.namespace, "labels": labels or {}},
            "data": data,
        }
        url = f"{self._base}/api/v1/namespaces/{self.namespace}/configmaps/{name}"
        try:
            response = requests.patch(
                url,
                params={"fieldManager": FIELD_MANAGER, "force": "true"},
                # JSON is YAML, which is what the apply patch type takes.
                data=json.dumps(body),
                headers={"Authorization": f"Bearer {self._token()}", "Content-Type": "application/apply-patch+yaml"},
                verify=str(self._dir / "ca.crt"),
                timeout=self._timeout,
            )
        except requests.RequestException as e:
            raise KubeError(f"cannot reach the Kubernetes API at {self._base}: {type(e).__name__}") from e
        if response.status_code not in (200, 201):
            raise KubeError(
                f"writing ConfigMap {self.namespace}/{name} failed: HTTP {response.status_code} {_status_message(response)}"
            )


def _status_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:300]
    except ValueError:
        return ""
