"""Drift statistics computed offline from bucket counts, exactly as the operator defines them.

    python -m load_generator.offline_drift BASELINE CURRENT [--aggregation max|mean] [--metric NAME]

BASELINE and CURRENT are JSON files of histograms, {"feature": {"edges": ["0.3", ..., "+Inf"],
"counts": [...]}} (per-bucket counts, edges as Prometheus `le` text or numbers) or a single
{"edges", "counts"}; CURRENT may also be a Prometheus text scrape (a server's /metrics), whose
`<metric>_bucket{feature,le}` series (default model_input_recent) are summed per feature and le.
Prints one JSON document: per feature and aggregated, psi, ks, js and wasserstein.

Definitions (README "Choosing thresholds offline"), with p the baseline and q the current bucket
probabilities and P, Q their cumulative sums at the bucket upper edges:
  PSI = sum (q_i - p_i) ln(q_i / p_i), each probability first raised to at least 1e-4
  KS  = max |P_i - Q_i|
  JS  = Jensen-Shannon distance, log base 2 (the square root of the divergence), in [0, 1]
  W1  = sum over consecutive finite edges of |P_k - Q_k| (e_{k+1} - e_k): each bucket's mass sits on
        its upper edge and the +Inf bucket's on the last finite edge
The implementation deliberately differs from the operator's Java (scipy for JS and W1), so that an
agreement test compares two independent computations.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

PSI_EPSILON = 1e-4
METHODS = ("psi", "ks", "js", "wasserstein")


class InvalidHistogram(ValueError):
    """Named like the operator's reasons: BucketEdgesMismatch, EmptyHistogram, InvalidCount, InvalidEdges."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def parse_le(edge) -> float:
    if isinstance(edge, str) and edge.strip().lower() in ("+inf", "inf"):
        return math.inf
    try:
        value = float(edge)
    except (TypeError, ValueError):
        raise InvalidHistogram("InvalidEdges", f"le {edge!r} is not a number or +Inf") from None
    if math.isnan(value):
        raise InvalidHistogram("InvalidEdges", "le NaN is not a bucket bound")
    return value


@dataclass(frozen=True)
class Histogram:
    edges: np.ndarray  # strictly increasing upper bounds; only the last may be +Inf
    counts: np.ndarray  # per bucket, >= 0

    @staticmethod
    def of(edges, counts) -> "Histogram":
        e = np.array([parse_le(x) for x in edges], dtype=float)
        c = np.asarray(counts, dtype=float)
        if e.size == 0 or e.size != c.size:
            raise InvalidHistogram("LengthMismatch", f"{e.size} edges but {c.size} counts")
        if np.any(np.isinf(e[:-1])) or np.any(np.diff(e) <= 0):
            raise InvalidHistogram("InvalidEdges", f"edges {list(edges)} are not strictly increasing finite bounds")
        if not np.all(np.isfinite(c)) or np.any(c < 0):
            raise InvalidHistogram("InvalidCount", f"counts {list(counts)} must be finite and >= 0")
        return Histogram(e, c)

    @staticmethod
    def from_cumulative(cumulative_by_le: dict) -> "Histogram":
        """From Prometheus `_bucket` samples, {le text: cumulative count}, in any order."""
        pairs = sorted((parse_le(le), float(v)) for le, v in cumulative_by_le.items())
        edges = np.array([p[0] for p in pairs])
        cumulative = np.array([p[1] for p in pairs])
        if np.any(np.diff(cumulative) < 0):
            raise InvalidHistogram("DecreasingCumulativeCounts", "cumulative counts go down as le grows")
        return Histogram.of(edges, np.diff(cumulative, prepend=0.0))


def _probabilities(baseline: Histogram, current: Histogram) -> tuple[np.ndarray, np.ndarray]:
    if baseline.edges.shape != current.edges.shape or np.any(baseline.edges != current.edges):
        raise InvalidHistogram("BucketEdgesMismatch",
                               f"baseline edges {baseline.edges.tolist()} differ from current {current.edges.tolist()}")
    for side, h in (("baseline", baseline), ("current", current)):
        if h.counts.sum() <= 0:
            raise InvalidHistogram("EmptyHistogram", f"{side} histogram is empty")
    return baseline.counts / baseline.counts.sum(), current.counts / current.counts.sum()


def psi(baseline: Histogram, current: Histogram) -> float:
    p, q = _probabilities(baseline, current)
    p, q = np.maximum(p, PSI_EPSILON), np.maximum(q, PSI_EPSILON)
    return float(np.sum((q - p) * np.log(q / p)))


def ks(baseline: Histogram, current: Histogram) -> float:
    p, q = _probabilities(baseline, current)
    return float(min(1.0, np.max(np.abs(np.cumsum(p) - np.cumsum(q)))))


def js(baseline: Histogram, current: Histogram) -> float:
    p, q = _probabilities(baseline, current)
    return float(jensenshannon(p, q, base=2))


def wasserstein(baseline: Histogram, current: Histogram) -> float:
    p, q = _probabilities(baseline, current)
    finite = np.isfinite(baseline.edges)
    positions = baseline.edges[finite]
    if positions.size < 2:
        return 0.0
    # The +Inf bucket's mass sits on the last finite edge.
    p_finite, q_finite = p[finite].copy(), q[finite].copy()
    p_finite[-1] += p[~finite].sum()
    q_finite[-1] += q[~finite].sum()
    return float(wasserstein_distance(positions, positions, p_finite, q_finite))


STATISTICS = {"psi": psi, "ks": ks, "js": js, "wasserstein": wasserstein}


def compare(baseline: dict[str, Histogram], current: dict[str, Histogram], aggregation: str = "max") -> dict:
    """Scores per feature (of the baseline's features) and aggregated over features, for every method."""
    missing = sorted(set(baseline) - set(current))
    if missing:
        raise InvalidHistogram("FeatureMissing", f"current has no histogram for {missing}")
    features = {name: {m: STATISTICS[m](baseline[name], current[name]) for m in METHODS} for name in sorted(baseline)}
    combine = max if aggregation == "max" else (lambda values: sum(values) / len(values))
    return {"features": features, "aggregate": {m: combine([f[m] for f in features.values()]) for m in METHODS},
            "aggregation": aggregation}


def histograms_from_json(document) -> dict[str, Histogram]:
    if isinstance(document, dict) and "edges" in document and "counts" in document:
        document = {"value": document}
    return {name: Histogram.of(h["edges"], h["counts"]) for name, h in document.items()}


def histograms_from_prometheus(text: str, metric: str = "model_input_recent", feature_label: str = "feature"):
    """Per-feature histograms from `<metric>_bucket` series of a scrape, summed over other labels (pods)."""
    from prometheus_client.parser import text_string_to_metric_families

    cumulative: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{metric}_bucket" and feature_label in sample.labels and "le" in sample.labels:
                by_le = cumulative.setdefault(sample.labels[feature_label], {})
                le = sample.labels["le"]
                by_le[le] = by_le.get(le, 0.0) + sample.value
    if not cumulative:
        raise InvalidHistogram("NoData", f"no {metric}_bucket series with labels le and {feature_label}")
    return {name: Histogram.from_cumulative(by_le) for name, by_le in cumulative.items()}


def load(path: str, metric: str) -> dict[str, Histogram]:
    text = open(path).read()
    try:
        return histograms_from_json(json.loads(text))
    except json.JSONDecodeError:
        return histograms_from_prometheus(text, metric)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m load_generator.offline_drift", description=__doc__.split("\n")[0])
    parser.add_argument("baseline")
    parser.add_argument("current")
    parser.add_argument("--aggregation", choices=("max", "mean"), default="max")
    parser.add_argument("--metric", default="model_input_recent", help="histogram base name in a /metrics scrape")
    args = parser.parse_args(argv)
    try:
        report = compare(load(args.baseline, args.metric), load(args.current, args.metric), args.aggregation)
    except (InvalidHistogram, OSError, KeyError, TypeError) as e:
        print(f"offline_drift: {e}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
