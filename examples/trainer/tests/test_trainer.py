import io
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris

from trainer.__main__ import main
from trainer.features import FEATURE_NAMES, iris_bucket_edges, le_label

SRC = Path(__file__).resolve().parents[1] / "src"


def s3(env):
    return boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])


def read_object(env, bucket, key):
    return s3(env).get_object(Bucket=bucket, Key=key)["Body"].read()


def load_model(env, bucket, prefix):
    return joblib.load(io.BytesIO(read_object(env, bucket, prefix + "model.joblib")))


def shifted_iris(amount):
    data = load_iris()
    return data.data + amount * data.data.std(axis=0), data.target


def put_traffic_batch(env, bucket, key, rows, labels):
    batch = {
        "format": "modelops-traffic/v1",
        "features": list(FEATURE_NAMES),
        "classes": ["setosa", "versicolor", "virginica"],
        "rows": np.asarray(rows).tolist(),
        "labels": np.asarray(labels).tolist(),
    }
    s3(env).put_object(Bucket=bucket, Key=key, Body=json.dumps(batch).encode())


@pytest.fixture
def seeded(s3_env, bucket, monkeypatch, capsys):
    monkeypatch.setenv("MODEL_NAME", "iris")
    assert main(["--seed", "--store", f"s3://{bucket}/iris"]) == 0
    result = json.loads(capsys.readouterr().out)
    return result


def test_seed_uploads_a_complete_first_version(s3_env, bucket, seeded):
    assert seeded == {"version": "1", "uri": f"s3://{bucket}/iris/1/"}
    keys = {o["Key"] for o in s3(s3_env).list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"iris/1/model.joblib", "iris/1/features.json", "iris/1/baseline.json"}

    features = json.loads(read_object(s3_env, bucket, "iris/1/features.json"))
    assert [f["name"] for f in features["features"]] == list(FEATURE_NAMES)
    assert features["classes"] == ["setosa", "versicolor", "virginica"]
    assert {f["name"]: f["edges"] for f in features["features"]} == iris_bucket_edges()

    baseline = json.loads(read_object(s3_env, bucket, "iris/1/baseline.json"))
    for feature in features["features"]:
        # baseline.json edges are exactly the features.json edges, as le strings, plus +Inf
        assert baseline[feature["name"]]["edges"] == [le_label(e) for e in feature["edges"]] + ["+Inf"]
        assert sum(baseline[feature["name"]]["counts"]) == 150

    model = load_model(s3_env, bucket, "iris/1/")
    data = load_iris()
    assert np.mean(model.predict(data.data) == data.target) > 0.95


def test_seed_is_idempotent_and_never_overwrites(s3_env, bucket, seeded, capsys):
    before = read_object(s3_env, bucket, "iris/1/model.joblib")
    assert main(["--seed", "--store", f"s3://{bucket}/iris"]) == 0
    assert json.loads(capsys.readouterr().out) == seeded
    assert read_object(s3_env, bucket, "iris/1/model.joblib") == before


def test_retrain_learns_the_shifted_traffic_and_reports_the_new_version(s3_env, bucket, seeded, monkeypatch, tmp_path):
    rows, labels = shifted_iris(1.5)
    order = np.random.default_rng(1).permutation(len(labels))
    rows, labels = rows[order], labels[order]
    # Two batches; an older one that must be ignored because TRAFFIC_MAX_ROWS keeps only the newest rows.
    put_traffic_batch(s3_env, bucket, "iris/traffic/20260101T000000Z-old.json", [[100.0, 100.0, 100.0, 100.0]] * 50, [0] * 50)
    put_traffic_batch(s3_env, bucket, "iris/traffic/20260102T000000Z-a.json", rows[:75], labels[:75])
    put_traffic_batch(s3_env, bucket, "iris/traffic/20260103T000000Z-b.json", rows[75:], labels[75:])
    termination_log = tmp_path / "termination-log"
    monkeypatch.setenv("MODEL_VERSION", "1")
    monkeypatch.setenv("MODEL_URI", seeded["uri"])
    monkeypatch.setenv("TRIGGER", "drift")
    monkeypatch.setenv("DRIFT_SCORE", "0.8")
    monkeypatch.setenv("TRAFFIC_MAX_ROWS", "150")

    assert main(["--termination-log", str(termination_log)]) == 0

    result = json.loads(termination_log.read_text())
    assert result == {"version": "1-r1", "uri": f"s3://{bucket}/iris/1-r1/"}
    features = json.loads(read_object(s3_env, bucket, "iris/1-r1/features.json"))
    assert features["model"]["training_rows"] == {"iris": 150, "traffic": 150}
    assert features["model"]["trigger"] == "drift"
    baseline = json.loads(read_object(s3_env, bucket, "iris/1-r1/baseline.json"))
    # 150 traffic rows are enough: the baseline is the traffic the model now serves, not iris.
    assert sum(baseline["sepal_length"]["counts"]) == 150
    assert features["model"]["baseline_rows"] == "traffic"

    old = load_model(s3_env, bucket, "iris/1/")
    new = load_model(s3_env, bucket, "iris/1-r1/")
    fresh_rows, fresh_labels = shifted_iris(1.5)
    old_accuracy = np.mean(old.predict(fresh_rows) == fresh_labels)
    new_accuracy = np.mean(new.predict(fresh_rows) == fresh_labels)
    # Trained on iris and the shifted traffic alike, the new model cannot be perfect on both; it must be
    # clearly better than the one it replaces on what the traffic looks like now.
    assert old_accuracy < 0.7
    assert new_accuracy > 0.8


def test_next_retrain_counts_on(s3_env, bucket, seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_URI", seeded["uri"])
    log = tmp_path / "termination-log"
    for expected in ("1-r1", "1-r2"):
        monkeypatch.setenv("MODEL_VERSION", "1-r1" if expected == "1-r2" else "1")
        assert main(["--termination-log", str(log)]) == 0
        assert json.loads(log.read_text())["version"] == expected


def test_bad_model_is_uploaded_and_is_bad(s3_env, bucket, seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_VERSION", "1")
    monkeypatch.setenv("MODEL_URI", seeded["uri"])
    monkeypatch.setenv("BAD_MODEL", "1")
    log = tmp_path / "termination-log"
    assert main(["--termination-log", str(log)]) == 0
    version = json.loads(log.read_text())["version"]
    model = load_model(s3_env, bucket, f"iris/{version}/")
    data = load_iris()
    assert np.mean(model.predict(data.data) == data.target) < 0.6
    assert json.loads(read_object(s3_env, bucket, f"iris/{version}/features.json"))["model"]["shuffled_labels"]


def run_trainer(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        env=dict(env, PYTHONPATH=str(SRC), PATH=os.environ["PATH"]),
        capture_output=True, text=True, timeout=120,
    )


def test_store_down_exits_nonzero_without_a_result(s3_env, tmp_path):
    log = tmp_path / "termination-log"
    env = dict(s3_env, AWS_ENDPOINT_URL="http://127.0.0.1:9", MODEL_NAME="iris", MODEL_VERSION="1",
               MODEL_URI="s3://models/iris/1", TERMINATION_LOG=str(log))
    completed = run_trainer(env)
    assert completed.returncode == 1
    assert not log.exists()
    last_line = completed.stderr.strip().splitlines()[-1]
    assert last_line.startswith("trainer: error: cannot list s3://models/iris/")
    assert s3_env["AWS_SECRET_ACCESS_KEY"] not in completed.stderr + completed.stdout


def test_missing_configuration_exits_nonzero(tmp_path):
    completed = run_trainer({"TERMINATION_LOG": str(tmp_path / "log")})
    assert completed.returncode == 1
    assert "MODEL_NAME is not set" in completed.stderr
    assert not (tmp_path / "log").exists()
