package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.EmptyHistogram;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidScore;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.MissingFeature;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.NoFeatures;
import static dev.modelops.operator.drift.InvalidInputTest.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class FeatureDriftTest {
  static final double INF = Double.POSITIVE_INFINITY;
  static final double[] EDGES = {1, 2, 3, 4, INF};
  static final Histogram AGE = Histogram.of(EDGES, new double[] {10, 20, 40, 20, 10});
  static final Histogram AGE_NOW = Histogram.of(EDGES, new double[] {5, 10, 30, 35, 20});
  static final Histogram INCOME = Histogram.of(EDGES, new double[] {10, 0, 30, 60, 0});
  static final Histogram INCOME_NOW = Histogram.of(EDGES, new double[] {10, 20, 30, 40, 0});
  static final Histogram TENURE = Histogram.of(EDGES, new double[] {1, 2, 3, 4, 5});

  // Per-feature values are the "shifted" and "empty buckets" cases of DriftStatisticsReferenceTest
  // (scipy).
  static final double AGE_JS = 0.22528344558001226;
  static final double INCOME_JS = 0.33841498603440373;

  @Test
  void scoresEveryFeatureSortedByNameAndTakesTheMax() {
    DriftReport report =
        FeatureDrift.compare(
            Map.of("income", INCOME, "tenure", TENURE, "age", AGE),
            Map.of("tenure", TENURE, "age", AGE_NOW, "income", INCOME_NOW),
            DriftMethod.js,
            Aggregation.max);
    assertEquals(List.of("age", "income", "tenure"), List.copyOf(report.scores().keySet()));
    assertEquals(AGE_JS, report.scores().get("age"), 1e-12);
    assertEquals(INCOME_JS, report.scores().get("income"), 1e-12);
    assertEquals(0.0, report.scores().get("tenure"));
    assertEquals(INCOME_JS, report.aggregate(), 1e-12);
    assertEquals("income", report.mostDriftedFeature());
    assertEquals(DriftMethod.js, report.method());
    assertEquals(Aggregation.max, report.aggregation());
  }

  @Test
  void meanAveragesOverAllFeaturesIncludingUnchangedOnes() {
    DriftReport report =
        FeatureDrift.compare(
            Map.of("income", INCOME, "tenure", TENURE, "age", AGE),
            Map.of("tenure", TENURE, "age", AGE_NOW, "income", INCOME_NOW),
            DriftMethod.js,
            Aggregation.mean);
    assertEquals((AGE_JS + INCOME_JS + 0.0) / 3, report.aggregate(), 1e-12);
  }

  @Test
  void aFeatureOnOnlyOneSideIsNamed() {
    String message =
        fails(
            MissingFeature,
            () ->
                FeatureDrift.compare(
                    Map.of("age", AGE, "income", INCOME),
                    Map.of("age", AGE_NOW, "tenure", TENURE),
                    DriftMethod.psi,
                    Aggregation.max));
    assertEquals(
        "feature income is in the baseline but missing from current; "
            + "feature tenure is in current but missing from the baseline",
        message);
  }

  @Test
  void anInvalidFeatureFailsTheWholeReportWithItsName() {
    Histogram empty = Histogram.of(EDGES, new double[5]);
    String message =
        fails(
            EmptyHistogram,
            () ->
                FeatureDrift.compare(
                    Map.of("age", AGE, "income", INCOME),
                    Map.of("age", AGE_NOW, "income", empty),
                    DriftMethod.ks,
                    Aggregation.max));
    assertEquals("feature income: current histogram is empty: all 5 bucket counts are 0", message);
  }

  @Test
  void noFeaturesAtAllIsNotAZeroScore() {
    fails(
        NoFeatures,
        () -> FeatureDrift.compare(Map.of(), Map.of(), DriftMethod.ks, Aggregation.mean));
  }

  @Test
  void aggregatesPlainScores() {
    assertEquals(OptionalDouble.of(0.3), Aggregation.max.apply(List.of(0.1, 0.3, 0.2)));
    assertEquals(0.2, Aggregation.mean.apply(List.of(0.1, 0.3, 0.2)).orElseThrow(), 1e-15);
    assertTrue(Aggregation.max.apply(List.of()).isEmpty());
    assertTrue(Aggregation.mean.apply(List.of()).isEmpty());
  }

  @Test
  void aNaNScoreIsNeitherAveragedAwayNorAMax() {
    String message = fails(InvalidScore, () -> Aggregation.mean.apply(List.of(0.1, Double.NaN)));
    assertEquals("score 1 of [0.1, NaN] is NaN; only finite scores can be aggregated", message);
    fails(InvalidScore, () -> Aggregation.max.apply(List.of(Double.POSITIVE_INFINITY)));
    fails(InvalidScore, () -> Aggregation.max.apply(Arrays.asList(0.5, null)));
  }

  @Test
  void methodAndAggregationNamesAreTheCrdEnumValues() {
    assertEquals(
        List.of("psi", "ks", "js", "wasserstein"),
        Arrays.stream(DriftMethod.values()).map(Enum::name).toList());
    assertEquals(
        List.of("max", "mean"), Arrays.stream(Aggregation.values()).map(Enum::name).toList());
  }
}
