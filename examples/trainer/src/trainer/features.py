"""The feature schema every model version shares: names, classes and histogram bucket edges.

The bucket edges are the contract between three parties: the trainer writes them into
features.json (the server exports its input histograms with them) and into baseline.json (the
RetrainPolicy compares the two). A drift score is only defined when both sides use identical
edges, so the edges are derived from iris alone, never from the training data of a version:
every version, whatever traffic it was trained on, gets the same edges.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
from sklearn.datasets import load_iris

# Prometheus label values; the scikit-learn names ("sepal length (cm)") would work but read badly
# in PromQL.
FEATURE_NAMES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASS_NAMES = ("setosa", "versicolor", "virginica")

# Each bucket is an eighth of the feature's iris range wide. The finite buckets start two widths
# below the iris minimum and end half a range above the maximum, so traffic shifted upwards by a
# couple of standard deviations still lands in finite buckets (where Wasserstein-1 can see how far
# it moved) instead of piling up in +Inf.
BUCKETS_PER_RANGE = 8
BUCKETS_BELOW_MIN = 2
FINITE_BUCKETS = 14


def iris_bucket_edges() -> dict[str, list[float]]:
    """Finite upper bucket edges per feature (the +Inf bucket is implicit), rounded to 2 decimals."""
    data = load_iris().data
    edges = {}
    for column, name in enumerate(FEATURE_NAMES):
        low, high = float(data[:, column].min()), float(data[:, column].max())
        width = round((high - low) / BUCKETS_PER_RANGE, 2)
        start = low - BUCKETS_BELOW_MIN * width
        edges[name] = [round(start + k * width, 2) for k in range(1, FINITE_BUCKETS + 1)]
    return edges


def le_label(edge: float) -> str:
    """An edge as the `le` label text the Prometheus Python client writes for it ("0.3", "5.0", "+Inf").

    baseline.json carries edges in this form so that they compare equal, as text, with the labels the
    server exports.
    """
    if edge == math.inf:
        return "+Inf"
    return repr(float(edge))


def bucket_counts(values: Iterable[float], finite_edges: Sequence[float]) -> list[int]:
    """Per-bucket (not cumulative) counts: bucket i holds (edge[i-1], edge[i]]; the last is +Inf."""
    # side="left" puts a value equal to an edge into the bucket that edge closes, as `le` means.
    index = np.searchsorted(np.asarray(finite_edges, dtype=float), np.asarray(list(values), dtype=float), side="left")
    return np.bincount(index, minlength=len(finite_edges) + 1).astype(int).tolist()


def baseline_histograms(rows: np.ndarray, edges: Mapping[str, Sequence[float]]) -> dict:
    """The operator's baseline format: {"feature": {"edges": ["0.3", ..., "+Inf"], "counts": [...]}}."""
    baseline = {}
    for column, name in enumerate(FEATURE_NAMES):
        finite = list(edges[name])
        baseline[name] = {
            "edges": [le_label(e) for e in finite] + ["+Inf"],
            "counts": bucket_counts(rows[:, column], finite),
        }
    return baseline


def features_document(edges: Mapping[str, Sequence[float]], model_info: Mapping) -> dict:
    """features.json: what the server needs besides the model itself."""
    return {
        "format": "modelops-features/v1",
        "features": [{"name": name, "edges": list(edges[name])} for name in FEATURE_NAMES],
        "classes": list(CLASS_NAMES),
        "model": dict(model_info),
    }
