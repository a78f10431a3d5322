"""The server as a pod runs it: predictions, errors, metrics and feedback over HTTP."""

import joblib
import numpy as np
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text

from conftest import EDGES, FEATURES, ServerProcess, infer_body

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5], [6.3, 2.8, 5.1, 1.5], [4.3, 3.0, 1.1, 0.1]]


@pytest.fixture(scope="module")
def server(model_dir):
    server = ServerProcess(model_dir, RECENT_WINDOW_SIZE="6")
    server.wait_ready()
    yield server
    server.stop()


def samples(server, accept=None):
    response = server.get("/metrics", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    parse = parse_openmetrics if accept and "openmetrics" in accept else parse_text
    return [s for family in parse(response.text) for s in family.samples]


def value(all_samples, name, **labels):
    matching = [s.value for s in all_samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(matching) == 1, f"{name}{labels}: {matching}"
    return matching[0]


def recent_counts(all_samples, feature):
    cumulative = [value(all_samples, "model_input_recent_bucket", feature=feature, le=le)
                  for le in [repr(e) for e in EDGES[feature]] + ["+Inf"]]
    return cumulative


def test_predictions_equal_scikit_learn_offline_on_the_same_file(server, model_dir):
    offline = joblib.load(model_dir / "model.joblib")
    response = server.post("/v2/models/iris/infer", infer_body(ROWS, "fixed-1", ["predict", "predict_proba", "label"]))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "fixed-1" and body["model_name"] == "iris" and body["model_version"] == "7"
    outputs = {o["name"]: o for o in body["outputs"]}
    assert outputs["predict"]["data"] == offline.predict(np.array(ROWS)).tolist()
    assert outputs["predict_proba"]["shape"] == [5, 3]
    # exact, not approximate: JSON carries float64 without loss
    assert outputs["predict_proba"]["data"] == offline.predict_proba(np.array(ROWS)).ravel().tolist()
    assert outputs["label"]["data"] == [["setosa", "versicolor", "virginica"][i] for i in outputs["predict"]["data"]]


def test_v1_protocol_predicts_too(server, model_dir):
    offline = joblib.load(model_dir / "model.joblib")
    response = server.post("/v1/models/iris:predict", {"instances": ROWS[:2]})
    assert response.json() == {"predictions": offline.predict(np.array(ROWS[:2])).tolist()}


@pytest.mark.parametrize("body, reason", [
    (infer_body([[1.0, 2.0, 3.0]]), "expected shape [rows, 4]"),
    (infer_body([[1.0, 2.0, 3.0, 4.0]], outputs=["explain"]), "unknown outputs"),
])
def test_bad_requests_are_400_with_a_reason_and_counted_as_errors(server, body, reason):
    before = value(samples(server), "model_request_errors_total", endpoint="infer", status="400") \
        if any(s.name == "model_request_errors_total" for s in samples(server)) else 0
    response = server.post("/v2/models/iris/infer", body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert value(samples(server), "model_request_errors_total", endpoint="infer", status="400") == before + 1


def test_unknown_model_is_404(server):
    assert server.post("/v2/models/rose/infer", infer_body(ROWS[:1])).status_code == 404


def test_metrics_parse_in_both_formats_and_use_the_edges_of_features_json(server):
    server.post("/v2/models/iris/infer", infer_body(ROWS[:1]))
    for accept in (None, "application/openmetrics-text; version=1.0.0; charset=utf-8"):
        all_samples = samples(server, accept)
        for feature in FEATURES:
            les = [s.labels["le"] for s in all_samples if s.name == "model_input_feature_bucket"
                   and s.labels["feature"] == feature]
            assert les == [repr(e) for e in EDGES[feature]] + ["+Inf"]
            les = [s.labels["le"] for s in all_samples if s.name == "model_input_recent_bucket"
                   and s.labels["feature"] == feature]
            assert les == [repr(e) for e in EDGES[feature]] + ["+Inf"]
        assert value(all_samples, "model_info", model="iris", version="7", format="sklearn") == 1
        assert value(all_samples, "model_ready") == 1
    text = server.get("/metrics").text
    assert "model_requests_total{endpoint=\"infer\",status=\"200\"}" in text
    assert "model_request_duration_seconds_bucket{endpoint=\"infer\"" in text


def test_recent_window_reflects_the_last_rows_served(server):
    low = [[4.0, 2.0, 1.0, 0.2]] * 6   # every feature in its lowest bucket
    high = [[7.5, 4.5, 6.5, 2.5]] * 4  # every feature in +Inf
    server.post("/v2/models/iris/infer", infer_body(low))
    assert recent_counts(samples(server), "sepal_length") == [6] * 7
    server.post("/v2/models/iris/infer", infer_body(high))
    # window of 6: 2 low rows and the 4 high ones
    assert recent_counts(samples(server), "sepal_length") == [2] * 6 + [6]
    assert recent_counts(samples(server), "petal_width") == [2] * 4 + [6]
    assert value(samples(server), "model_input_recent_rows") == 6


def test_feedback_counts_correct_and_incorrect_predictions(server):
    before = samples(server)
    correct0 = value(before, "model_feedback_total", outcome="correct")
    incorrect0 = value(before, "model_feedback_total", outcome="incorrect")
    answered = server.post("/v2/models/iris/infer", infer_body(ROWS[:2], "fb-1")).json()["outputs"][0]["data"]
    true_labels = [answered[0], (answered[1] + 1) % 3]  # one right, one wrong
    response = server.post("/v2/models/iris/feedback", {"id": "fb-1", "labels": true_labels})
    assert response.json() == {"correct": 1, "incorrect": 1, "unmatched": 0}
    # by inputs, with class names, for a request this pod never saw
    response = server.post("/v2/models/iris/feedback", [{"id": "other-pod", "inputs": [ROWS[0]], "labels": ["setosa"]},
                                                        {"id": "forgotten", "labels": [0]}])
    assert response.json() == {"correct": 1, "incorrect": 0, "unmatched": 1}
    after = samples(server)
    assert value(after, "model_feedback_total", outcome="correct") == correct0 + 2
    assert value(after, "model_feedback_total", outcome="incorrect") == incorrect0 + 1
    assert value(after, "model_requests_total", endpoint="feedback", status="200") >= 2


def test_bad_feedback_is_400(server):
    response = server.post("/v2/models/iris/feedback", {"labels": ["daisy"], "inputs": [ROWS[0]]})
    assert response.status_code == 400 and "daisy" in response.json()["error"]


def test_features_endpoint_serves_the_schema(server):
    body = server.get("/v2/models/iris/features").json()
    assert body["version"] == "7"
    assert {f["name"]: f["edges"] for f in body["features"]} == EDGES
    assert body["classes"] == ["setosa", "versicolor", "virginica"]
