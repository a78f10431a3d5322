package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.DecreasingCumulativeCounts;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidCount;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidEdges;
import static dev.modelops.operator.drift.InvalidInputTest.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.drift.PrometheusBuckets.Bucket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusBucketsTest {
  static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void decumulatesSeriesInAnyOrderIncludingPlusInf() {
    // As a query returns them: unordered, le as label text.
    Map<String, Double> series =
        new HashMap<>(Map.of("+Inf", 10.0, "0.5", 2.0, "2.5", 9.0, "1", 5.0));
    Histogram histogram = PrometheusBuckets.fromCumulative(series);
    assertEquals(List.of(0.5, 1.0, 2.5, INF), histogram.edges());
    assertEquals(List.of(2.0, 3.0, 4.0, 1.0), histogram.counts());
    assertEquals(10.0, histogram.total());
  }

  @Test
  void acceptsParsedBucketsAndExponentNotation() {
    Histogram histogram =
        PrometheusBuckets.fromCumulative(
            List.of(new Bucket(INF, 7), new Bucket(1e3, 7), new Bucket(100, 4)));
    assertEquals(List.of(100.0, 1000.0, INF), histogram.edges());
    assertEquals(List.of(4.0, 3.0, 0.0), histogram.counts());
    assertEquals(1000.0, PrometheusBuckets.parseLe("1e+03"));
    assertEquals(INF, PrometheusBuckets.parseLe("+Inf"));
  }

  @Test
  void rateResultsWithFractionalCountsAreFine() {
    Histogram histogram = PrometheusBuckets.fromCumulative(Map.of("1", 0.25, "+Inf", 0.75));
    assertEquals(List.of(0.25, 0.5), histogram.counts());
  }

  @Test
  void cumulativeCountsThatGoDownAreRefused() {
    String message =
        fails(
            DecreasingCumulativeCounts,
            () -> PrometheusBuckets.fromCumulative(Map.of("1", 5.0, "2", 4.0, "+Inf", 6.0)));
    assertEquals(
        "cumulative count goes down from 5.0 to 4.0 at le=\"2\"; Prometheus bucket counts must not decrease"
            + " as le grows",
        message);
  }

  @Test
  void badLabelsAndCountsAreRefused() {
    fails(InvalidEdges, () -> PrometheusBuckets.fromCumulative(Map.of("abc", 1.0)));
    fails(InvalidEdges, () -> PrometheusBuckets.fromCumulative(Map.of("NaN", 1.0)));
    assertEquals(
        "le=\"1\" appears twice (le labels like \"1\" and \"1.0\" are the same bound)",
        fails(InvalidEdges, () -> PrometheusBuckets.fromCumulative(Map.of("1", 1.0, "1.0", 2.0))));
    fails(InvalidEdges, () -> PrometheusBuckets.fromCumulative(List.of(new Bucket(Double.NaN, 1))));
    fails(InvalidEdges, () -> PrometheusBuckets.fromCumulative(Map.<String, Double>of()));
    fails(
        InvalidCount, () -> PrometheusBuckets.fromCumulative(Map.of("1", Double.NaN, "+Inf", 2.0)));
    fails(InvalidCount, () -> PrometheusBuckets.fromCumulative(Map.of("1", -1.0, "+Inf", 2.0)));
  }
}
