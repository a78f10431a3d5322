"""Per-feature histograms of the inputs the model served, since start and over a recent window.

Exported (see InputDistributionCollector) as
  model_input_feature_bucket{feature,le}   histogram since the process started (a counter: use rate()
                                           or increase() in Prometheus),
  model_input_recent_bucket{feature,le}    gauge, cumulative over `le`, of the last N input rows only,
                                           so that one scrape of a pod shows what its traffic looks
                                           like now (what RetrainPolicy podMetrics reads),
  model_input_recent_rows                  how many rows the window holds (N once it is full).
Both use the bucket edges from features.json, so they compare with the trainer's baseline.json.

When MODEL_DIR also holds baseline.json (the training data's histograms), the window is scored
against it at scrape time, so that a RetrainPolicy can read a ready-made score from the pods:
  model_feature_drift_score{feature}       PSI of the feature's window against its baseline,
  model_drift_score                        the largest of those.
PSI as the operator defines it: sum (q - p) ln(q / p), probabilities floored at 1e-4.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from .artifacts import FeatureSpec


class InputDistribution:
    def __init__(self, spec: FeatureSpec, window_size: int):
        if window_size < 1:
            raise ValueError("the recent window must hold at least one row")
        self.spec = spec
        self.window_size = window_size
        self._edges = [np.asarray(e, dtype=float) for e in spec.edges]
        self._lock = threading.Lock()
        self._totals = [np.zeros(len(e) + 1, dtype=np.int64) for e in self._edges]
        self._sums = np.zeros(len(self._edges))
        # A ring of the bucket index of each feature of the last `window_size` rows; `_recent` holds
        # the per-bucket counts of what the ring holds, updated as rows enter and leave.
        self._ring = np.zeros((window_size, len(self._edges)), dtype=np.int64)
        self._filled = 0
        self._next = 0
        self._recent = [np.zeros(len(e) + 1, dtype=np.int64) for e in self._edges]

    def bucket_indices(self, rows: np.ndarray) -> np.ndarray:
        """Bucket of each value, shape (n, features); a value equal to an edge belongs to that edge's bucket."""
        return np.stack(
            [np.searchsorted(edges, rows[:, f], side="left") for f, edges in enumerate(self._edges)], axis=1
        )

    def observe(self, rows: np.ndarray) -> None:
        """Count rows of shape (n, features), n >= 1."""
        indices = self.bucket_indices(rows)
        if len(indices) > self.window_size:  # only the newest rows can stay in the window
            window_part = indices[-self.window_size:]
        else:
            window_part = indices
        with self._lock:
            for f in range(len(self._edges)):
                np.add.at(self._totals[f], indices[:, f], 1)
            self._sums += rows.sum(axis=0)
            count = len(window_part)
            positions = (self._next + np.arange(count)) % self.window_size
            # Until the ring is full, `_next == _filled` and only the positions that wrap around to the
            # start hold rows (the oldest ones): those are the last `evictions` of `positions`.
            evictions = max(0, self._filled + count - self.window_size)
            evicted = self._ring[positions[count - evictions:]]
            for f in range(len(self._edges)):
                np.subtract.at(self._recent[f], evicted[:, f], 1)
                np.add.at(self._recent[f], window_part[:, f], 1)
            self._ring[positions] = window_part
            self._next = (self._next + count) % self.window_size
            self._filled = min(self.window_size, self._filled + count)

    def snapshot(self):
        """(totals, sums, recent, rows in window): copies, consistent with each other."""
        with self._lock:
            return ([t.copy() for t in self._totals], self._sums.copy(), [r.copy() for r in self._recent],
                    self._filled)


PSI_EPSILON = 1e-4


class BaselineMismatch(ValueError):
    pass


class Baseline:
    """The training histograms of baseline.json, {"feature": {"edges": [le...], "counts": [...]}}."""

    def __init__(self, spec: FeatureSpec, document: dict):
        self.probabilities = []
        for name, finite in zip(spec.names, spec.edges):
            histogram = document.get(name)
            if histogram is None:
                raise BaselineMismatch(f"baseline.json has no histogram for {name}")
            edges = [math.inf if str(e).lower() in ("+inf", "inf") else float(e) for e in histogram["edges"]]
            if edges != list(finite) + [math.inf]:
                raise BaselineMismatch(f"baseline.json edges of {name} differ from features.json")
            counts = np.asarray(histogram["counts"], dtype=float)
            if counts.shape != (len(edges),) or not np.all(np.isfinite(counts)) or np.any(counts < 0) or counts.sum() <= 0:
                raise BaselineMismatch(f"baseline.json counts of {name} are not one count >= 0 per bucket")
            self.probabilities.append(counts / counts.sum())

    def psi(self, feature: int, counts: np.ndarray) -> float:
        p = np.maximum(self.probabilities[feature], PSI_EPSILON)
        q = np.maximum(counts / counts.sum(), PSI_EPSILON)
        return float(np.sum((q - p) * np.log(q / p)))


class InputDistributionCollector:
    """Renders an InputDistribution at scrape time (each feature has its own edges, which a
    prometheus_client Histogram with one bucket list for all label values cannot express)."""

    def __init__(self, distribution: InputDistribution, baseline: Baseline | None = None):
        self._distribution = distribution
        self._baseline = baseline

    def collect(self):
        spec = self._distribution.spec
        totals, sums, recent, filled = self._distribution.snapshot()
        histogram = HistogramMetricFamily(
            "model_input_feature", "Input values served since start, per feature.", labels=["feature"]
        )
        window = GaugeMetricFamily(
            "model_input_recent_bucket",
            f"Input values among the last {self._distribution.window_size} rows at or below le, per feature.",
            labels=["feature", "le"],
        )
        for name, edges, total, feature_sum, last in zip(spec.names, spec.edges, totals, sums, recent):
            labels = [floatToGoString(e) for e in edges] + ["+Inf"]
            histogram.add_metric([name], list(zip(labels, np.cumsum(total).tolist())), float(feature_sum))
            for le, value in zip(labels, np.cumsum(last).tolist()):
                window.add_metric([name, le], value)
        yield histogram
        yield window
        yield GaugeMetricFamily("model_input_recent_rows", "Input rows in the recent window.", value=filled)
        if self._baseline is None or filled == 0:
            return  # no score is better than a made-up one
        scores = [self._baseline.psi(f, counts) for f, counts in enumerate(recent)]
        per_feature = GaugeMetricFamily("model_feature_drift_score",
                                        "PSI of the recent window against the training baseline.", labels=["feature"])
        for name, score in zip(spec.names, scores):
            per_feature.add_metric([name], score)
        yield per_feature
        yield GaugeMetricFamily("model_drift_score", "Largest per-feature PSI of the recent window.", value=max(scores))
