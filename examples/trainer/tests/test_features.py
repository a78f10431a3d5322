import math

import numpy as np
from sklearn.datasets import load_iris

from trainer.features import (
    FEATURE_NAMES,
    baseline_histograms,
    bucket_counts,
    iris_bucket_edges,
    le_label,
)


def test_edges_are_fixed_strictly_increasing_and_cover_iris():
    edges = iris_bucket_edges()
    assert list(edges) == list(FEATURE_NAMES)
    assert edges == iris_bucket_edges()  # deterministic: every version gets the same edges
    data = load_iris().data
    for column, name in enumerate(FEATURE_NAMES):
        finite = edges[name]
        assert len(finite) == 14
        assert all(b > a for a, b in zip(finite, finite[1:]))
        # iris itself never reaches the lowest or the +Inf bucket: there is room for drift both ways
        assert finite[0] < data[:, column].min()
        assert finite[-1] > data[:, column].max()


def test_known_edges_of_sepal_length():
    assert iris_bucket_edges()["sepal_length"][:4] == [3.85, 4.3, 4.75, 5.2]


def test_bucket_counts_follow_prometheus_le_semantics():
    edges = [1.0, 2.0, 3.0]
    # 1.0 is <= le="1.0" (first bucket); 1.5 is in (1, 2]; 3.5 only in +Inf
    assert bucket_counts([1.0, 1.5, 2.0, 2.0001, 3.5, -7], edges) == [2, 2, 1, 1]


def test_le_labels_are_what_the_prometheus_client_writes():
    assert [le_label(x) for x in (0.3, 5.0, -0.2, 9.88, math.inf)] == ["0.3", "5.0", "-0.2", "9.88", "+Inf"]


def test_baseline_has_one_count_per_edge_and_counts_every_row():
    rows = load_iris().data
    baseline = baseline_histograms(rows, iris_bucket_edges())
    for name in FEATURE_NAMES:
        histogram = baseline[name]
        assert histogram["edges"][-1] == "+Inf"
        assert len(histogram["edges"]) == len(histogram["counts"]) == 15
        assert sum(histogram["counts"]) == 150
        assert all(isinstance(c, int) and c >= 0 for c in histogram["counts"])
    # cumulative up to le="5.2" for sepal length equals the rows <= 5.2
    sepal = baseline["sepal_length"]
    assert sum(sepal["counts"][:4]) == int(np.sum(rows[:, 0] <= 5.2))
