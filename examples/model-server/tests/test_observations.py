import numpy as np
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from sklearn_server.artifacts import FeatureSpec
from sklearn_server.observations import InputDistribution, InputDistributionCollector

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
