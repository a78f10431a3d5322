"""What the load generator counts: requests and their outcomes, and the inputs the server answered,
bucketed with the model's own edges so that drift can be computed offline from what was sent.

Only rows of answered (HTTP 200) requests are bucketed: those are the rows the server's histograms
count, so the two agree bucket for bucket when one generator is the only client.
"""

from __future__ import annotations

import threading
from collections import Counter, deque

import numpy as np
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

FAILURE_KINDS = ("connect", "timeout", "http_4xx", "http_5xx", "bad_response")


def le_text(edge: float) -> str:
    return repr(float(edge))  # what the Prometheus Python client writes for an le (< 1e6)


class Stats:
    def __init__(self, feature_names, finite_edges, recent_window: int = 500):
        self.feature_names = tuple(feature_names)
        self._edges = [np.asarray(e, dtype=float) for e in finite_edges]
        self._lock = threading.Lock()
        self.sent = self.ok = self.failed = self.retried = 0
        self.failures = Counter({kind: 0 for kind in FAILURE_KINDS})
        self.feedback = Counter({"sent": 0, "ok": 0, "failed": 0})
        self.predictions = Counter({"correct": 0, "incorrect": 0})
        self._totals = [np.zeros(len(e) + 1, dtype=np.int64) for e in self._edges]
        self._recent = deque(maxlen=recent_window)  # bucket indices of the newest answered rows
        self.registry = CollectorRegistry()
        self.latency = Histogram("loadgen_request_duration_seconds", "Inference round trips.",
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                                 registry=self.registry)
        self.registry.register(_Collector(self))
        self.shift = 0.0

    def bucket_indices(self, row) -> tuple[int, ...]:
        return tuple(int(np.searchsorted(e, v, side="left")) for e, v in zip(self._edges, row))

    def record_sent(self) -> None:
        with self._lock:
            self.sent += 1

    def record_retry(self) -> None:
        with self._lock:
            self.retried += 1

    def record_answer(self, row, true_label: int, predicted: int | None) -> None:
        indices = self.bucket_indices(row)
        with self._lock:
            self.ok += 1
            for f, i in enumerate(indices):
                self._totals[f][i] += 1
            self._recent.append(indices)
            if predicted is not None:
                self.predictions["correct" if predicted == true_label else "incorrect"] += 1

    def record_failure(self, kind: str) -> None:
        with self._lock:
            self.failed += 1
            self.failures[kind] += 1

    def record_feedback(self, ok: bool) -> None:
        with self._lock:
            self.feedback["sent"] += 1
            self.feedback["ok" if ok else "failed"] += 1

    def histograms(self, recent: bool) -> dict:
        """{"feature": {"edges": [le texts incl. +Inf], "counts": [per bucket]}} of answered rows."""
        with self._lock:
            if recent:
                counts = [np.zeros(len(e) + 1, dtype=np.int64) for e in self._edges]
                for indices in self._recent:
                    for f, i in enumerate(indices):
                        counts[f][i] += 1
            else:
                counts = [t.copy() for t in self._totals]
        return {name: {"edges": [le_text(e) for e in edges] + ["+Inf"], "counts": c.tolist()}
                for name, edges, c in zip(self.feature_names, self._edges, counts)}

    def as_json(self) -> dict:
        with self._lock:
            summary = {
                "sent": self.sent, "ok": self.ok, "failed": self.failed, "retried": self.retried,
                "failures": dict(self.failures), "feedback": dict(self.feedback),
                "predictions": dict(self.predictions), "shift": self.shift,
            }
        summary["buckets"] = self.histograms(recent=False)
        summary["recent_buckets"] = self.histograms(recent=True)
        return summary


class _Collector:
    def __init__(self, stats: Stats):
        self._stats = stats

    def collect(self):
        s = self._stats.as_json()
        requests = CounterMetricFamily("loadgen_requests", "Inference requests by outcome.", labels=["outcome"])
        requests.add_metric(["ok"], s["ok"])
        requests.add_metric(["failed"], s["failed"])
        yield requests
        failures = CounterMetricFamily("loadgen_failures", "Failed inference requests by kind.", labels=["kind"])
        for kind, count in s["failures"].items():
            failures.add_metric([kind], count)
        yield failures
        yield CounterMetricFamily("loadgen_retries", "Requests sent again after a connection error.",
                                  value=s["retried"])
        feedback = CounterMetricFamily("loadgen_feedback", "Feedback requests by outcome.", labels=["outcome"])
        feedback.add_metric(["ok"], s["feedback"]["ok"])
        feedback.add_metric(["failed"], s["feedback"]["failed"])
        yield feedback
        predictions = CounterMetricFamily("loadgen_predictions", "Answers compared with the true label.",
                                          labels=["outcome"])
        for outcome, count in s["predictions"].items():
            predictions.add_metric([outcome], count)
        yield predictions
        yield GaugeMetricFamily("loadgen_shift", "Current input shift, in standard deviations.", value=s["shift"])
        sent = HistogramMetricFamily("loadgen_input_feature", "Answered input values per feature.", labels=["feature"])
        for name, h in s["buckets"].items():
            sent.add_metric([name], list(zip(h["edges"], np.cumsum(h["counts"]).tolist())), None)
        yield sent
