"""seed -> pull -> serve -> traffic -> drift -> retrain -> pull the new version: every hand-off checked."""

import json

import joblib
import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sklearn.datasets import load_iris

from conftest import SOURCES, Server, run_module
from load_generator import offline_drift
from load_generator.__main__ import build as build_load_generator

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def scrape(text):
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def series(samples, name, feature):
    return [(s.labels["le"], s.value) for s in samples if s.name == name and s.labels.get("feature") == feature]


def per_bucket(cumulative):
    values = [v for _, v in cumulative]
    return [int(b - a) for a, b in zip([0] + values, values)]


@pytest.fixture(scope="module")
def loop(store, tmp_path_factory):
    """Seeds version 1, pulls it and serves it, as the operator's pod would."""
    env, client = store
    work = tmp_path_factory.mktemp("loop")
    seeded = json.loads(run_module("trainer", "--seed", "--store", "s3://models/iris", env=dict(env, MODEL_NAME="iris"),
                                   source=SOURCES["trainer"]).stdout)
    run_module("model_puller", seeded["uri"], str(work / "v1"), env=env, source=SOURCES["puller"])
    server = Server(work / "v1", seeded["version"], RECENT_WINDOW_SIZE="150")
    yield {"env": env, "client": client, "work": work, "seeded": seeded, "server": server,
           "baseline": json.loads((work / "v1" / "baseline.json").read_text())}
    server.stop()


def send(loop, monkeypatch, requests, shift, seed):
    for key, value in loop["env"].items():
        monkeypatch.setenv(key, value)  # the traffic recorder's store
    generator, limits = build_load_generator({
        "TARGET_URL": loop["server"].url, "MODEL_NAME": "iris", "RATE": "300", "MAX_REQUESTS": str(requests),
        "SHIFT": str(shift), "SEED": str(seed), "FEEDBACK_DELAY": "0.05", "RECENT_WINDOW_SIZE": "150",
        "BATCH_URI": "s3://models/iris/traffic/", "BATCH_SIZE": "50"})
    return generator.run(**limits)


def test_the_loop_closes(loop, monkeypatch):
    env, server, baseline = loop["env"], loop["server"], loop["baseline"]
    assert loop["seeded"] == {"version": "1", "uri": "s3://models/iris/1/"}

    # 1. The server's bucket edges are the baseline's, as text: the operator can compare them.
    samples = scrape(server.metrics())
    for feature in FEATURES:
        assert [le for le, _ in series(samples, "model_input_recent_bucket", feature)] == baseline[feature]["edges"]
        assert [le for le, _ in series(samples, "model_input_feature_bucket", feature)] == baseline[feature]["edges"]

    # 2. Unshifted traffic: no failures, what was sent is what the server counted, feedback arrived.
    stats = send(loop, monkeypatch, 150, shift=0, seed=1)
    assert (stats["sent"], stats["ok"], stats["failed"]) == (150, 150, 0)
    samples = scrape(server.metrics())
    for feature in FEATURES:
        assert per_bucket(series(samples, "model_input_feature_bucket", feature)) == stats["buckets"][feature]["counts"]
        assert per_bucket(series(samples, "model_input_recent_bucket", feature)) == \
            stats["recent_buckets"][feature]["counts"]
    feedback = {s.labels["outcome"]: s.value for s in samples if s.name == "model_feedback_total"}
    assert feedback == {"correct": stats["predictions"]["correct"], "incorrect": stats["predictions"]["incorrect"]}
    assert feedback["correct"] / 150 > 0.9

    quiet = offline_drift.compare(offline_drift.histograms_from_json(baseline),
                                  offline_drift.histograms_from_prometheus(server.metrics()))
    # 3. Shifted traffic fills the whole recent window: drift is plain on every statistic.
    stats = send(loop, monkeypatch, 150, shift=1.5, seed=2)
    assert stats["failed"] == 0
    scrape_text = server.metrics()
    drifted = offline_drift.compare(offline_drift.histograms_from_json(baseline),
                                    offline_drift.histograms_from_prometheus(scrape_text))
    assert quiet["aggregate"]["psi"] < 0.25 < 1.0 < drifted["aggregate"]["psi"]
    assert drifted["aggregate"]["ks"] > 0.5 and drifted["aggregate"]["js"] > 0.5
    # the server scores its window against the baseline the same way (model_drift_score, PSI)
    server_scores = {s.labels["feature"]: s.value for s in scrape(scrape_text) if s.name == "model_feature_drift_score"}
    assert server_scores == pytest.approx({f: drifted["features"][f]["psi"] for f in FEATURES}, rel=1e-9)
    # the generator's own record of the window scores the same as the server's scrape
    from_generator = offline_drift.compare(offline_drift.histograms_from_json(baseline),
                                           offline_drift.histograms_from_json(stats["recent_buckets"]))
    assert from_generator == drifted
    shifted_accuracy = stats["predictions"]["correct"] / 150

    # 4. Retrain (as the RetrainPolicy's Job) on the recorded traffic, then pull the new version.
    log = loop["work"] / "termination-log"
    run_module("trainer", env=dict(env, MODEL_NAME="iris", MODEL_VERSION="1", MODEL_URI="s3://models/iris/1/",
                                   TRIGGER="drift", DRIFT_SCORE=f"{drifted['aggregate']['psi']:.4f}",
                                   TERMINATION_LOG=str(log), TRAFFIC_MAX_ROWS="150"),
               source=SOURCES["trainer"])
    result = json.loads(log.read_text())
    assert result == {"version": "1-r1", "uri": "s3://models/iris/1-r1/"}
    run_module("model_puller", result["uri"], str(loop["work"] / "v2"), env=env, source=SOURCES["puller"])
    new_baseline = json.loads((loop["work"] / "v2" / "baseline.json").read_text())
    assert [new_baseline[f]["edges"] for f in FEATURES] == [baseline[f]["edges"] for f in FEATURES]

    # The new model knows the shifted inputs, and its baseline is closer to today's traffic.
    iris = load_iris()
    shifted_rows = iris.data + 1.5 * iris.data.std(axis=0)
    new_model = joblib.load(loop["work"] / "v2" / "model.joblib")
    assert np.mean(new_model.predict(shifted_rows) == iris.target) > shifted_accuracy + 0.15
    after = offline_drift.compare(offline_drift.histograms_from_json(new_baseline),
                                  offline_drift.histograms_from_prometheus(scrape_text))
    assert after["aggregate"]["psi"] < drifted["aggregate"]["psi"] / 2

    # 5. The new version serves.
    new_server = Server(loop["work"] / "v2", result["version"])
    try:
        assert 'model_info{format="sklearn",model="iris",version="1-r1"} 1.0' in new_server.metrics()
    finally:
        new_server.stop()
