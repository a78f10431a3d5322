"""What the model puller leaves in MODEL_DIR: the estimator and its feature schema.

features.json (written by the trainer):
    {"features": [{"name": "sepal_length", "edges": [3.85, 4.3, ...]}, ...],
     "classes": ["setosa", "versicolor", "virginica"], "model": {...lineage...}}
`edges` are the finite upper bucket edges of the feature's histograms (+Inf is implicit); they are the
same for every version of a model, so that its input histograms compare with the training baseline.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import joblib

MODEL_FILE = "model.joblib"
FEATURES_FILE = "features.json"
BASELINE_FILE = "baseline.json"  # optional: the training histograms, for model_drift_score


class ArtifactError(Exception):
    """MODEL_DIR does not hold a model this server can serve."""


@dataclass(frozen=True)
class FeatureSpec:
    names: tuple[str, ...]
    edges: tuple[tuple[float, ...], ...]  # finite upper edges per feature, strictly increasing
    classes: tuple[str, ...]
    lineage: dict = field(default_factory=dict, compare=False)

    def class_index(self, label) -> int:
        """A true label as a class index: the class name or its index."""
        if isinstance(label, bool):  # bool is an int in Python; True is not a class
            raise ValueError(f"label {label!r} is not a class name or index")
        if isinstance(label, int) and 0 <= label < len(self.classes):
            return label
        if isinstance(label, str) and label in self.classes:
            return self.classes.index(label)
        raise ValueError(f"label {label!r} is not one of {list(self.classes)} or 0..{len(self.classes) - 1}")

    def as_document(self) -> dict:
        return {
            "features": [{"name": n, "edges": list(e)} for n, e in zip(self.names, self.edges)],
            "classes": list(self.classes),
        }


def load_feature_spec(model_dir: Path) -> FeatureSpec:
    path = model_dir / FEATURES_FILE
    try:
        document = json.loads(path.read_text())
        features = document["features"]
        names = tuple(str(f["name"]) for f in features)
        edges = tuple(tuple(float(e) for e in f["edges"]) for f in features)
        classes = tuple(str(c) for c in document["classes"])
    except FileNotFoundError as e:
        raise ArtifactError(f"{path} is missing (the trainer writes it next to {MODEL_FILE})") from e
    except (ValueError, KeyError, TypeError) as e:
        raise ArtifactError(f"{path} is not a features document: {e}") from e
    if not names or len(set(names)) != len(names):
        raise ArtifactError(f"{path}: feature names must be present and unique, got {list(names)}")
    for name, finite in zip(names, edges):
        if not finite or not all(math.isfinite(e) for e in finite) or any(b <= a for a, b in zip(finite, finite[1:])):
            raise ArtifactError(f"{path}: edges of {name} must be finite and strictly increasing, got {list(finite)}")
    if not classes:
        raise ArtifactError(f"{path}: no classes")
    return FeatureSpec(names, edges, classes, dict(document.get("model", {})))


def load_estimator(model_dir: Path, spec: FeatureSpec):
    path = model_dir / MODEL_FILE
    if not path.exists():
        found = sorted(p.name for p in model_dir.iterdir()) if model_dir.is_dir() else []
        raise ArtifactError(f"{path} is missing; {model_dir} holds {found}")
    # joblib.load unpickles: it runs code from the file, so MODEL_DIR must come from a trusted store.
    estimator = joblib.load(path)
    if not hasattr(estimator, "predict"):
        raise ArtifactError(f"{path} holds a {type(estimator).__name__}, which has no predict()")
    expected = getattr(estimator, "n_features_in_", len(spec.names))
    if expected != len(spec.names):
        raise ArtifactError(f"{path} expects {expected} features but {FEATURES_FILE} names {len(spec.names)}")
    return estimator
