import numpy as np
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from sklearn_server.artifacts import FeatureSpec
from sklearn_server.observations import Baseline, BaselineMismatch, InputDistribution, InputDistributionCollector

SPEC = FeatureSpec(names=("a", "b"), edges=((1.0, 2.0, 3.0), (0.5,)), classes=("x", "y"))


def expected_cumulative(values, edges):
    return [int(np.sum(values <= e)) for e in edges] + [len(values)]


def scrape(distribution):
    registry = CollectorRegistry()
    registry.register(InputDistributionCollector(distribution))
    samples = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.mark.parametrize("batch_sizes", [[1] * 30, [3, 7, 1, 12, 2], [25], [4, 4, 4, 4, 4, 4, 4]])
def test_recent_window_holds_exactly_the_newest_rows(batch_sizes):
    rng = np.random.default_rng(sum(batch_sizes))
    distribution = InputDistribution(SPEC, window_size=7)
    seen = np.empty((0, 2))
    for size in batch_sizes:
        rows = rng.uniform(0, 4, size=(size, 2)).round(1)  # rounding puts some values exactly on edges
        distribution.observe(rows)
        seen = np.vstack([seen, rows])
        samples = scrape(distribution)
        recent = seen[-7:]
        for column, (feature, edges) in enumerate(zip(SPEC.names, SPEC.edges)):
            labels = [repr(e) for e in edges] + ["+Inf"]
            got = [samples[("model_input_recent_bucket", (("feature", feature), ("le", le)))] for le in labels]
            assert got == expected_cumulative(recent[:, column], edges)
            total = [samples[("model_input_feature_bucket", (("feature", feature), ("le", le)))] for le in labels]
            assert total == expected_cumulative(seen[:, column], edges)
            assert samples[("model_input_feature_sum", (("feature", feature),))] == pytest.approx(seen[:, column].sum())
        assert samples[("model_input_recent_rows", ())] == len(recent)


def test_a_value_on_an_edge_counts_in_that_edges_bucket():
    distribution = InputDistribution(SPEC, window_size=10)
    distribution.observe(np.array([[2.0, 0.5]]))
    samples = scrape(distribution)
    assert samples[("model_input_recent_bucket", (("feature", "a"), ("le", "1.0")))] == 0
    assert samples[("model_input_recent_bucket", (("feature", "a"), ("le", "2.0")))] == 1
    assert samples[("model_input_recent_bucket", (("feature", "b"), ("le", "0.5")))] == 1


def baseline_document(counts_a, counts_b):
    return {"a": {"edges": ["1.0", "2.0", "3.0", "+Inf"], "counts": counts_a},
            "b": {"edges": ["0.5", "+Inf"], "counts": counts_b}}


def test_drift_score_is_the_psi_of_the_window_against_the_baseline():
    distribution = InputDistribution(SPEC, window_size=4)
    baseline = Baseline(SPEC, baseline_document([1, 1, 1, 1], [2, 2]))
    registry = CollectorRegistry()
    registry.register(InputDistributionCollector(distribution, baseline))
    assert "model_drift_score" not in generate_latest(registry).decode()  # nothing observed: no score
    distribution.observe(np.array([[0.5, 0.1], [0.5, 0.1], [2.5, 0.1], [9.0, 0.1]]))
    samples = {(s.name, tuple(s.labels.values())): s.value
               for f in text_string_to_metric_families(generate_latest(registry).decode()) for s in f.samples}
    # a: p = [.25]*4, q = [.5, 0, .25, .25]; b: p = [.5, .5], q = [1, 0]; empty buckets floored at 1e-4
    psi_a = (0.5 - 0.25) * np.log(0.5 / 0.25) + (1e-4 - 0.25) * np.log(1e-4 / 0.25)
    psi_b = (1 - 0.5) * np.log(1 / 0.5) + (1e-4 - 0.5) * np.log(1e-4 / 0.5)
    assert samples[("model_feature_drift_score", ("a",))] == pytest.approx(psi_a, rel=1e-12)
    assert samples[("model_feature_drift_score", ("b",))] == pytest.approx(psi_b, rel=1e-12)
    assert samples[("model_drift_score", ())] == pytest.approx(max(psi_a, psi_b), rel=1e-12)


def test_a_baseline_with_other_edges_is_refused():
    document = baseline_document([1, 1, 1, 1], [2, 2])
    document["a"]["edges"][1] = "2.5"
    with pytest.raises(BaselineMismatch, match="edges of a"):
        Baseline(SPEC, document)
