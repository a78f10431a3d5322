"""Loading, readiness and shutdown of the server process."""

import signal
import socket
import threading

import joblib
import numpy as np
from sklearn.datasets import load_iris

from conftest import infer_body, wait_for, write_model_dir
from gated import GatedClassifier

ROW = [6.7, 3.0, 5.2, 2.3]


def gated_model_dir(tmp_path):
    data = load_iris()
    from sklearn.linear_model import LogisticRegression
    inner = LogisticRegression(max_iter=500).fit(data.data, data.target)
    return write_model_dir(tmp_path / "model", GatedClassifier(inner)), inner


def connection_refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


def test_not_ready_until_the_model_is_loaded(tmp_path, start_server):
    model_dir, _ = gated_model_dir(tmp_path)
    gates = tmp_path / "gates"
    gates.mkdir()
    server = start_server(model_dir, GATE_DIR=str(gates))
    # The port opens while the model is still loading: readiness says so, and so does inference.
    wait_for(lambda: server.status("/v2/health/ready") == 503, message="the port to open")
    assert server.get("/v2/health/ready").json() == {"ready": False, "reason": "loading"}
    assert server.status("/metrics") == 200
    assert server.post("/v2/models/iris/infer", infer_body([ROW])).status_code == 503
    assert "model_ready 0.0" in server.get("/metrics").text

    (gates / "open-load").touch()
    (gates / "open-predict").touch()
    server.wait_ready()
    assert server.get("/v2/health/ready").json() == {"ready": True}
    assert server.post("/v2/models/iris/infer", infer_body([ROW])).status_code == 200
    assert "model_ready 1.0" in server.get("/metrics").text


def test_sigterm_drains_then_finishes_the_request_in_flight_and_exits_cleanly(tmp_path, start_server):
    model_dir, inner = gated_model_dir(tmp_path)
    gates = tmp_path / "gates"
    gates.mkdir()
    (gates / "open-load").touch()
    server = start_server(model_dir, GATE_DIR=str(gates), DRAIN_SECONDS="1.5", GRACE_SECONDS="20")
    server.wait_ready()

    result = {}
    in_flight = threading.Thread(
        target=lambda: result.update(response=server.post("/v2/models/iris/infer", infer_body([ROW], "slow"))))
    in_flight.start()
    wait_for(lambda: (gates / "predict-started").exists(), message="the request to reach the model")

    server.process.send_signal(signal.SIGTERM)
    # Draining: not ready any more, but still answering (connections kube-proxy still sends here).
    wait_for(lambda: server.status("/v2/health/ready") == 503, message="readiness to drop")
    assert server.get("/v2/health/ready").json()["reason"] == "draining"
    late = server.get("/v2/models/iris/features")
    assert late.status_code == 200 and late.headers["connection"] == "close"
    # After the drain the listener closes; the request in flight is still being waited for.
    wait_for(lambda: connection_refused(server.port), timeout=15, message="the listener to close")
    assert in_flight.is_alive() and server.process.poll() is None

    (gates / "open-predict").touch()
    in_flight.join(timeout=30)
    response = result["response"]
    assert response.status_code == 200
    assert response.json()["outputs"][0]["data"] == inner.predict(np.array([ROW])).tolist()
    assert server.process.wait(timeout=30) == 0


def test_a_model_that_cannot_be_loaded_ends_the_process_with_the_reason(tmp_path, start_server):
    model_dir = write_model_dir(tmp_path / "model")
    (model_dir / "model.joblib").write_bytes(b"not a pickle")
    server = start_server(model_dir)
    assert server.process.wait(timeout=60) == 1
    assert "cannot load the model" in server.output()


def test_a_format_this_server_does_not_serve_is_refused(model_dir, start_server):
    server = start_server(model_dir, MODEL_FORMAT="onnx")
    assert server.process.wait(timeout=60) == 2
    assert "MODEL_FORMAT=onnx" in server.output()
