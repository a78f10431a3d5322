import json
import math

import pytest

from load_generator import offline_drift as drift
from load_generator.offline_drift import Histogram, InvalidHistogram


def h(edges, counts):
    return Histogram.of(edges, counts)


def test_known_values():
    # p = [.5, .5], q = [0, 1]: q's empty bucket is floored at 1e-4 for PSI only
    baseline, current = h(["1", "+Inf"], [1, 1]), h(["1", "+Inf"], [0, 2])
    expected_psi = (1e-4 - 0.5) * math.log(1e-4 / 0.5) + 0.5 * math.log(1 / 0.5)
    assert drift.psi(baseline, current) == pytest.approx(expected_psi, rel=1e-12)
    assert drift.ks(baseline, current) == pytest.approx(0.5)
    jsd = 0.5 * (0.5 * math.log2(0.5 / 0.25) + 0.5 * math.log2(0.5 / 0.75)) + 0.5 * math.log2(1 / 0.75)
    assert drift.js(baseline, current) == pytest.approx(math.sqrt(jsd), rel=1e-12)
    assert drift.wasserstein(baseline, current) == 0.0  # one finite edge: no width to move mass over


def test_wasserstein_in_feature_units_with_the_inf_bucket_on_the_last_finite_edge():
    # P = [.5, .5, 1], Q = [0, .5, 1] at edges 1, 3: the gap of .5 over a width of 2
    assert drift.wasserstein(h([1, 3, "+Inf"], [1, 0, 1]), h([1, 3, "+Inf"], [0, 1, 1])) == pytest.approx(1.0)
    # moving mass into +Inf costs as much as moving it to the last finite edge (3)
    assert drift.wasserstein(h([1, 3, "+Inf"], [1, 0, 0]), h([1, 3, "+Inf"], [0, 0, 1])) == pytest.approx(2.0)


def test_identical_histograms_score_zero_and_scores_are_symmetric():
    a, b = h([1, 2, 3, "+Inf"], [5, 3, 2, 0]), h([1, 2, 3, "+Inf"], [1, 1, 4, 4])
    for method in drift.METHODS:
        assert drift.STATISTICS[method](a, a) == pytest.approx(0.0, abs=1e-12)
        assert drift.STATISTICS[method](a, b) == pytest.approx(drift.STATISTICS[method](b, a), rel=1e-12)
    assert 0 <= drift.js(a, b) <= 1


@pytest.mark.parametrize("baseline, current, reason", [
    (([1, "+Inf"], [1, 1]), ([2, "+Inf"], [1, 1]), "BucketEdgesMismatch"),
    (([1, "+Inf"], [0, 0]), ([1, "+Inf"], [1, 1]), "EmptyHistogram"),
    (([1, "+Inf"], [1, -1]), ([1, "+Inf"], [1, 1]), "InvalidCount"),
    (([2, 1], [1, 1]), ([2, 1], [1, 1]), "InvalidEdges"),
])
def test_invalid_input_is_refused_with_the_operators_reason(baseline, current, reason):
    with pytest.raises(InvalidHistogram) as error:
        drift.psi(h(*baseline), h(*current))
    assert error.value.reason == reason


def test_prometheus_scrape_of_two_pods_is_summed_per_feature_and_le():
    scrape = """# TYPE model_input_recent_bucket gauge
model_input_recent_bucket{feature="a",le="1.0",pod="p1"} 1
model_input_recent_bucket{feature="a",le="+Inf",pod="p1"} 3
model_input_recent_bucket{feature="a",le="+Inf",pod="p2"} 2
model_input_recent_bucket{feature="a",le="1.0",pod="p2"} 2
model_other_bucket{feature="a",le="1.0"} 100
"""
    (name, histogram), = drift.histograms_from_prometheus(scrape).items()
    assert name == "a"
    assert histogram.edges.tolist() == [1.0, math.inf] and histogram.counts.tolist() == [3.0, 2.0]


def test_cli_prints_every_statistic_per_feature_and_aggregated(tmp_path, capsys):
    baseline = {"x": {"edges": ["1.0", "2.0", "+Inf"], "counts": [10, 10, 0]},
                "y": {"edges": ["5.0", "+Inf"], "counts": [1, 1]}}
    current = {"x": {"edges": ["1.0", "2.0", "+Inf"], "counts": [0, 10, 10]},
               "y": {"edges": ["5.0", "+Inf"], "counts": [1, 1]}}
    (tmp_path / "b.json").write_text(json.dumps(baseline))
    (tmp_path / "c.json").write_text(json.dumps(current))
    assert drift.main([str(tmp_path / "b.json"), str(tmp_path / "c.json")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["features"]["y"] == {"psi": 0.0, "ks": 0.0, "js": 0.0, "wasserstein": 0.0}
    assert report["aggregate"]["ks"] == pytest.approx(0.5)
    assert report["aggregate"]["wasserstein"] == pytest.approx(0.5)
    assert drift.main([str(tmp_path / "b.json"), str(tmp_path / "c.json"), "--aggregation", "mean"]) == 0
    assert json.loads(capsys.readouterr().out)["aggregate"]["ks"] == pytest.approx(0.25)
