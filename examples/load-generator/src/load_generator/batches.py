"""Recording the traffic for the trainer: batches of answered inputs with their true labels.

Each batch is one object under BATCH_URI (e.g. s3://models/iris/traffic/), named
`<UTC timestamp>Z-<instance>-<sequence>.json` so that the newest sort last, holding
    {"format": "modelops-traffic/v1", "features": [...], "classes": [...], "rows": [[...]],
     "labels": [...], "shift": 0.0, "written_at": "..."}
which is what the trainer's `recent_traffic` reads. Store endpoint and credentials as for the
trainer: AWS_* variables, AWS_ENDPOINT_URL or KServe's S3_ENDPOINT + S3_USE_HTTPS, S3_VERIFY_SSL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from datetime import datetime, timezone
from urllib.parse import urlparse

from .traffic import CLASS_NAMES, FEATURE_NAMES

log = logging.getLogger(__name__)


def endpoint_url_from_env(env=os.environ) -> str | None:
    """AWS_ENDPOINT_URL, else KServe's S3_ENDPOINT with https unless S3_USE_HTTPS=0 (as the trainer)."""
    if env.get("AWS_ENDPOINT_URL"):
        return env["AWS_ENDPOINT_URL"]
    endpoint = env.get("S3_ENDPOINT")
    if not endpoint:
        return None
    if "://" in endpoint:
        return endpoint
    return ("http://" if env.get("S3_USE_HTTPS", "1") == "0" else "https://") + endpoint


class TrafficRecorder:
    def __init__(self, uri: str, batch_size: int, instance: str, client=None):
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"BATCH_URI {uri!r} is not an s3://BUCKET/PATH/ URI")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.lstrip("/")
        if self.prefix and not self.prefix.endswith("/"):
            self.prefix += "/"
        self.batch_size = batch_size
        self.instance = re.sub(r"[^A-Za-z0-9.-]+", "-", instance) or "loadgen"
        if client is None:
            import boto3

            verify = os.environ.get("S3_VERIFY_SSL", "1").lower() not in ("0", "false")
            client = boto3.client("s3", endpoint_url=endpoint_url_from_env(), verify=verify)
        self._client = client
        self._lock = threading.Lock()
        self._rows, self._labels = [], []
        self._sequence = 0
        self.written = 0
        self.failed = 0

    def add(self, row: list[float], label: int, shift: float) -> None:
        with self._lock:
            self._rows.append(row)
            self._labels.append(label)
            if len(self._rows) < self.batch_size:
                return
            rows, labels = self._take()
        self._write(rows, labels, shift)

    def flush(self, shift: float) -> None:
        with self._lock:
            rows, labels = self._take()
        if rows:
            self._write(rows, labels, shift)

    def _take(self):
        rows, labels = self._rows, self._labels
        self._rows, self._labels = [], []
        self._sequence += 1
        return rows, labels

    def _write(self, rows, labels, shift: float) -> None:
        now = datetime.now(timezone.utc)
        key = f"{self.prefix}{now:%Y%m%dT%H%M%S.%f}Z-{self.instance}-{self._sequence:06d}.json"
        batch = {"format": "modelops-traffic/v1", "features": list(FEATURE_NAMES), "classes": list(CLASS_NAMES),
                 "rows": rows, "labels": labels, "shift": shift, "written_at": now.isoformat()}
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(batch).encode(),
                                    ContentType="application/json")
            self.written += 1
        except Exception as e:  # recording is best effort: traffic must go on when the store hiccups
            self.failed += 1
            log.warning("cannot write traffic batch s3://%s/%s: %s", self.bucket, key, e)
