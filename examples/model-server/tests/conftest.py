import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import joblib
import pytest
import requests
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"
sys.path.insert(0, str(SRC))

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
CLASSES = ["setosa", "versicolor", "virginica"]
# Any strictly increasing edges do; these are deliberately not the trainer's, the server must not care.
EDGES = {
    "sepal_length": [4.5, 5.0, 5.5, 6.0, 6.5, 7.0],
    "sepal_width": [2.5, 3.0, 3.5, 4.0],
    "petal_length": [1.5, 3.0, 4.5, 6.0],
    "petal_width": [0.5, 1.0, 1.5, 2.0],
}


def write_model_dir(directory: Path, estimator=None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if estimator is None:
        data = load_iris()
        estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(data.data, data.target)
    joblib.dump(estimator, directory / "model.joblib")
    (directory / "features.json").write_text(json.dumps({
        "features": [{"name": n, "edges": EDGES[n]} for n in FEATURES],
        "classes": CLASSES,
        "model": {"version": "test"},
    }))
    return directory


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return write_model_dir(tmp_path_factory.mktemp("model"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=30.0, interval=0.02, message="condition"):
    """Poll `condition` until it returns a truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


class ServerProcess:
    """`python -m sklearn_server` as the image runs it, on a free port."""

    def __init__(self, model_dir, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        defaults = dict(MODEL_NAME="iris", MODEL_VERSION="7", MODEL_DIR=str(model_dir), MODEL_FORMAT="sklearn",
                        HTTP_PORT=str(self.port), DRAIN_SECONDS="0.2")
        self.env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{TESTS}", **dict(defaults, **env))
        self.process = subprocess.Popen([sys.executable, "-m", "sklearn_server"], env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def get(self, path, **kwargs):
        return requests.get(self.url + path, timeout=10, **kwargs)

    def post(self, path, body, **kwargs):
        return requests.post(self.url + path, json=body, timeout=30, **kwargs)

    def status(self, path):
        try:
            return self.get(path).status_code
        except requests.ConnectionError:
            return None

    def wait_ready(self, timeout=60):
        wait_for(lambda: self.status("/v2/health/ready") == 200 or self.process.poll() is not None, timeout,
                 message="the server to become ready")
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stdout.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


@pytest.fixture
def start_server():
    servers = []

    def start(model_dir, **env):
        server = ServerProcess(model_dir, **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def infer_body(rows, request_id=None, outputs=None):
    body = {"inputs": [{"name": "input-0", "shape": [len(rows), len(rows[0])], "datatype": "FP64",
                        "data": [v for row in rows for v in row]}]}
    if request_id:
        body["id"] = request_id
    if outputs:
        body["outputs"] = [{"name": o} for o in outputs]
    return body
