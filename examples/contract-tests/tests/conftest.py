"""The four examples together, as the operator wires them: trainer -> store -> puller -> server <- load generator."""

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests

EXAMPLES = Path(__file__).resolve().parents[2]
SOURCES = {name: EXAMPLES / folder / "src" for name, folder in
           (("trainer", "trainer"), ("server", "model-server"), ("puller", "model-puller"),
            ("load_generator", "load-generator"))}
for source in SOURCES.values():
    sys.path.insert(0, str(source))

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "contract-test", "AWS_SECRET_ACCESS_KEY": "contract-test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


def wait_for(condition, timeout=60.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    """A local S3 server with a bucket, and the environment every component reads it from."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = dict(CREDENTIALS, AWS_ENDPOINT_URL=f"http://{host}:{port}")
    client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], aws_access_key_id="x",
                          aws_secret_access_key="x", region_name="us-east-1")
    client.create_bucket(Bucket="models")
    yield env, client
    server.stop()


def run_module(module, *args, env, source, timeout=120):
    completed = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=timeout,
                               env=dict(env, PATH=os.environ["PATH"], PYTHONPATH=str(source)))
    assert completed.returncode == 0, f"{module} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed


class Server:
    def __init__(self, model_dir, version, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sklearn_server"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONPATH=str(SOURCES["server"]), MODEL_NAME="iris", MODEL_VERSION=version,
                     MODEL_DIR=str(model_dir), MODEL_FORMAT="sklearn", HTTP_PORT=str(self.port),
                     DRAIN_SECONDS="0.1", **env))

        def ready():
            assert self.process.poll() is None, "the server exited"
            try:
                return requests.get(f"{self.url}/v2/health/ready", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(ready, message="the server to be ready")

    def metrics(self) -> str:
        return requests.get(f"{self.url}/metrics", timeout=5).text

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0


def bucket_name(request):
    return ("c-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()))[:50].strip("-")
