import numpy as np
import pytest

from sklearn_server.artifacts import FeatureSpec
from sklearn_server.feedback import InvalidFeedback, PredictionLog, parse_feedback, score

SPEC = FeatureSpec(names=("a",), edges=((1.0,),), classes=("setosa", "versicolor", "virginica"))


def never_predict(inputs):
    raise AssertionError("should have used the remembered predictions")


def test_feedback_by_request_id_scores_what_was_answered():
    log = PredictionLog(10)
    log.remember("r1", np.array([0, 2, 1]))
    items = parse_feedback({"id": "r1", "labels": ["setosa", 2, "virginica"]}, SPEC.class_index)
    assert score(items, log, never_predict).as_dict() == {"correct": 2, "incorrect": 1, "unmatched": 0}


def test_unknown_id_falls_back_to_predicting_the_inputs():
    items = parse_feedback([{"id": "elsewhere", "inputs": [[1.0], [2.0]], "labels": [1, 1]}], SPEC.class_index)
    result = score(items, PredictionLog(10), lambda inputs: np.array([1, 0]))
    assert result.as_dict() == {"correct": 1, "incorrect": 1, "unmatched": 0}


def test_unknown_id_without_inputs_is_unmatched():
    items = parse_feedback({"id": "gone", "labels": [0]}, SPEC.class_index)
    assert score(items, PredictionLog(10), never_predict).as_dict() == {"correct": 0, "incorrect": 0, "unmatched": 1}


def test_the_log_forgets_the_oldest_requests_beyond_its_capacity():
    log = PredictionLog(2)
    for name in ("a", "b", "c"):
        log.remember(name, np.array([0]))
    assert log.lookup("a") is None and log.lookup("c") is not None


@pytest.mark.parametrize("body, message", [
    ({"id": "r1"}, "labels"),
    ({"labels": ["daisy"]}, "daisy"),
    ({"labels": [True]}, "True"),
    ({"labels": [0, 1], "inputs": [[1.0]]}, "one per label"),
    ([], "no feedback"),
    (["x"], "not an object"),
])
def test_malformed_feedback_is_refused_with_a_reason(body, message):
    with pytest.raises(InvalidFeedback, match=message):
        parse_feedback(body, SPEC.class_index)


def test_label_count_must_match_the_remembered_request():
    log = PredictionLog(10)
    log.remember("r1", np.array([0, 1]))
    with pytest.raises(InvalidFeedback, match="2 rows"):
        score(parse_feedback({"id": "r1", "labels": [0]}, SPEC.class_index), log, never_predict)
