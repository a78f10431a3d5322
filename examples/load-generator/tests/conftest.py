import json
import logging
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
EDGES = {
    "sepal_length": [4.5, 5.5, 6.5, 7.5],
    "sepal_width": [2.5, 3.0, 3.5],
    "petal_length": [2.0, 4.0, 6.0],
    "petal_width": [0.5, 1.0, 1.5, 2.0],
}


def iris_rule(row):
    """A decent hand-written iris classifier, so the fake answers like a model would."""
    if row[2] < 2.5:
        return 0
    return 1 if row[3] < 1.75 else 2


class FakeV2Server:
    """A v2 inference server on loopback that records what it receives.

    `fail_with` makes it answer that status; `reset_next` closes that many connections without an answer."""

    def __init__(self):
        self.infers = []  # (monotonic time, body)
        self.feedback = []  # (monotonic time, body)
        self.fail_with = None
        self.reset_next = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _json(self, status, document):
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/v2/models/iris/features":
                    self._json(200, {"features": [{"name": n, "edges": EDGES[n]} for n in FEATURES],
                                     "classes": ["setosa", "versicolor", "virginica"]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    if fake.reset_next > 0 and self.path.endswith("/infer"):
                        fake.reset_next -= 1
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                if self.path == "/v2/models/iris/infer":
                    with fake.lock:
                        fake.infers.append((time.monotonic(), body))
                    if fake.fail_with:
                        self._json(fake.fail_with, {"error": "injected"})
                        return
                    rows = body["inputs"][0]["data"]
                    self._json(200, {"id": body["id"], "model_name": "iris", "outputs": [
                        {"name": "predict", "shape": [1], "datatype": "INT64", "data": [iris_rule(rows)]}]})
                elif self.path == "/v2/models/iris/feedback":
                    with fake.lock:
                        fake.feedback.append((time.monotonic(), body))
                    self._json(200, {"correct": 1, "incorrect": 0, "unmatched": 0})
                else:
                    self._json(404, {"error": "not found"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def rows(self):
        with self.lock:
            return [body["inputs"][0]["data"] for _, body in self.infers]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_server():
    server = FakeV2Server()
    yield server
    server.stop()


def wait_for(condition, timeout=30.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch, request):
    import boto3

    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(key, value)
    name = ("l-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()))[:50].strip("-")
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=name)
    yield client, name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)
