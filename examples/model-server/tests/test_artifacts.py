import json

import joblib
import pytest
from sklearn.dummy import DummyClassifier

from conftest import write_model_dir
from sklearn_server.artifacts import ArtifactError, load_estimator, load_feature_spec


def test_missing_features_json_names_the_file(tmp_path):
    with pytest.raises(ArtifactError, match="features.json is missing"):
        load_feature_spec(tmp_path)


def test_edges_must_increase(tmp_path):
    (tmp_path / "features.json").write_text(json.dumps(
        {"features": [{"name": "a", "edges": [1, 1]}], "classes": ["x"]}))
    with pytest.raises(ArtifactError, match="strictly increasing"):
        load_feature_spec(tmp_path)


def test_model_and_schema_must_agree_on_the_number_of_features(tmp_path):
    write_model_dir(tmp_path, DummyClassifier().fit([[1.0, 2.0]], [0]))
    with pytest.raises(ArtifactError, match="expects 2 features"):
        load_estimator(tmp_path, load_feature_spec(tmp_path))


def test_missing_model_lists_what_is_there(tmp_path):
    write_model_dir(tmp_path)
    (tmp_path / "model.joblib").rename(tmp_path / "other.pkl")
    with pytest.raises(ArtifactError, match="other.pkl"):
        load_estimator(tmp_path, load_feature_spec(tmp_path))
