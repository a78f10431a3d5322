import json
import threading
import time

import numpy as np
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sklearn.datasets import load_iris

from conftest import EDGES, FEATURES, iris_rule, wait_for
from load_generator.__main__ import ConfigError, build, result_line
from load_generator.control import ControlServer

IRIS = load_iris()
STD = IRIS.data.std(axis=0)


def generator_for(url, **env):
    generator, limits = build(dict({"TARGET_URL": url, "RATE": "200", "FEEDBACK_DELAY": "off"}, **env))
    return generator, limits


def bucket(values, edges):
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    return counts.tolist()


def test_steady_traffic_with_delayed_feedback_and_zero_failures(fake_server):
    generator, limits = generator_for(fake_server.url, RATE="100", MAX_REQUESTS="40", FEEDBACK_DELAY="0.3")
    started = time.monotonic()
    stats = generator.run(**limits)
    elapsed = time.monotonic() - started

    assert (stats["sent"], stats["ok"], stats["failed"], stats["retried"]) == (40, 40, 0, 0)
    assert elapsed >= 39 / 100  # paced, not a burst
    assert len(fake_server.infers) == 40
    for _, body in fake_server.infers:
        (tensor,) = body["inputs"]
        assert tensor["datatype"] == "FP64" and tensor["shape"] == [1, 4]
    # every answer fed back once, with its inputs and true label, not before the delay
    assert stats["feedback"] == {"sent": 40, "ok": 40, "failed": 0}
    sent_at = {body["id"]: t for t, body in fake_server.infers}
    for received_at, body in fake_server.feedback:
        assert received_at - sent_at[body["id"]] >= 0.3
        assert len(body["inputs"]) == 1 and body["labels"][0] in (0, 1, 2)
    assert {body["id"] for _, body in fake_server.feedback} == set(sent_at)
    # client-side accuracy: the fake answers with a decent rule, and the labels are the true ones
    assert stats["predictions"]["correct"] + stats["predictions"]["incorrect"] == 40
    assert stats["predictions"]["correct"] >= 30


def test_bucket_counts_are_those_of_the_rows_the_server_received(fake_server):
    # one request at a time, so "the last 25 answered" is also "the last 25 the server received"
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="60", RECENT_WINDOW_SIZE="25", SEED="3",
                                      CONCURRENCY="1")
    stats = generator.run(**limits)
    rows = np.array(fake_server.rows())
    for column, name in enumerate(FEATURES):
        labels = [repr(e) for e in EDGES[name]] + ["+Inf"]
        assert stats["buckets"][name] == {"edges": labels, "counts": bucket(rows[:, column], EDGES[name])}
        assert stats["recent_buckets"][name] == {"edges": labels, "counts": bucket(rows[-25:, column], EDGES[name])}


def test_shift_moves_every_feature_by_its_standard_deviation(fake_server):
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="30", SHIFT="2")
    generator.run(**limits)
    iris_rows = {tuple(np.round(r, 6)) for r in IRIS.data}
    for row in fake_server.rows():
        assert tuple(np.round(np.array(row) - 2 * STD, 6)) in iris_rows


def test_shift_of_chosen_features_only(fake_server):
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="20", SHIFT="1", SHIFT_FEATURES="petal_length")
    generator.run(**limits)
    iris_rows = {tuple(np.round(r, 6)) for r in IRIS.data}
    for row in fake_server.rows():
        unshifted = np.array(row) - np.array([0, 0, STD[2], 0])
        assert tuple(np.round(unshifted, 6)) in iris_rows


def test_control_endpoint_changes_the_shift_while_running(fake_server):
    generator, _ = generator_for(fake_server.url, RATE="50")
    control = ControlServer(generator, port=0, host="127.0.0.1").start()
    base = f"http://127.0.0.1:{control.port}"
    runner = threading.Thread(target=generator.run)
    runner.start()
    try:
        wait_for(lambda: len(fake_server.infers) >= 5, message="unshifted traffic")
        assert requests.post(f"{base}/shift?amount=3", timeout=5).json() == {"shift": 3.0}
        assert requests.get(f"{base}/shift", timeout=5).json() == {"shift": 3.0}
        assert requests.post(f"{base}/shift?amount=lots", timeout=5).status_code == 400
        count_at_switch = len(fake_server.infers)
        wait_for(lambda: len(fake_server.infers) >= count_at_switch + 10, message="shifted traffic")
        # in-flight requests may predate the switch; the last ones are all shifted
        for row in fake_server.rows()[-5:]:
            assert row[0] >= IRIS.data[:, 0].min() + 3 * STD[0] - 1e-9
        stats = requests.get(f"{base}/stats", timeout=5).json()
        assert stats["shift"] == 3.0 and stats["failed"] == 0 and stats["ok"] >= 15
        metrics = requests.get(f"{base}/metrics", timeout=5).text
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for f in text_string_to_metric_families(metrics) for s in f.samples}
        assert samples[("loadgen_shift", ())] == 3.0
        assert samples[("loadgen_requests_total", (("outcome", "failed"),))] == 0
        assert samples[("loadgen_input_feature_bucket", (("feature", "sepal_length"), ("le", "+Inf")))] >= 15
    finally:
        generator.stop()
        runner.join(timeout=30)
        control.stop()


def test_server_errors_are_failures_by_kind(fake_server):
    fake_server.fail_with = 503
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="5")
    stats = generator.run(**limits)
    assert (stats["ok"], stats["failed"], stats["failures"]["http_5xx"]) == (0, 5, 5)


def test_a_reset_connection_is_retried_once(fake_server):
    fake_server.reset_next = 1
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="3", CONCURRENCY="1")
    stats = generator.run(**limits)
    assert (stats["ok"], stats["failed"], stats["retried"]) == (3, 0, 1)


def test_server_gone_counts_connect_failures(fake_server):
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="4")
    fake_server.stop()
    stats = generator.run(**limits)
    assert (stats["ok"], stats["failed"], stats["failures"]["connect"]) == (0, 4, 4)


def test_configuration_errors(fake_server, tmp_path):
    with pytest.raises(ConfigError, match="TARGET_URL"):
        build({})
    with pytest.raises(ConfigError, match="unknown features"):
        build({"TARGET_URL": fake_server.url, "SHIFT_FEATURES": "colour"})
    schema = tmp_path / "features.json"
    schema.write_text(json.dumps({"features": [{"name": "x", "edges": [1]}]}))
    with pytest.raises(ConfigError, match="not iris"):
        build({"TARGET_URL": "http://127.0.0.1:9", "FEATURES_FILE": str(schema)})


def test_the_command_runs_a_bounded_job_and_prints_its_result(fake_server):
    import os
    import subprocess
    import sys
    from pathlib import Path

    completed = subprocess.run(
        [sys.executable, "-m", "load_generator"], capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
             "TARGET_URL": fake_server.url, "RATE": "100", "MAX_REQUESTS": "12", "FEEDBACK_DELAY": "0.1",
             "CONTROL_PORT": "0"})
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (result["sent"], result["ok"], result["failed"]) == (12, 12, 0)
    assert result["feedback"] == {"sent": 12, "ok": 12, "failed": 0}
    completed = subprocess.run([sys.executable, "-m", "load_generator"], capture_output=True, text=True, timeout=60,
                               env={"PATH": os.environ["PATH"],
                                    "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    assert completed.returncode == 1 and "TARGET_URL is not set" in completed.stderr


def test_the_result_line_of_a_finite_run_carries_the_answered_rows_histograms(fake_server):
    generator, limits = generator_for(fake_server.url, MAX_REQUESTS="12")
    line = result_line(generator.run(**limits))
    assert line["sent"] == line["ok"] == 12
    assert all(sum(h["counts"]) == 12 for h in line["buckets"].values())
    json.dumps(line)
