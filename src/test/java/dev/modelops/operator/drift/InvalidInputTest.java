package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.BucketEdgesMismatch;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.EmptyHistogram;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidCount;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidEdges;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.LengthMismatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.drift.InvalidHistogramException.Reason;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Input that must be refused with a reason, never scored. */
class InvalidInputTest {
  static final double INF = Double.POSITIVE_INFINITY;
  static final Histogram FIVE =
      Histogram.of(new double[] {18, 30, 45, 65, INF}, new double[] {5, 20, 30, 25, 20});

  @Test
  void differentNumberOfBucketsIsAnEdgeMismatchNamingBothSides() {
    Histogram four = Histogram.of(new double[] {18, 30, 45, INF}, new double[] {5, 20, 30, 25});
    for (DriftMethod method : DriftMethod.values()) {
      String message = fails(BucketEdgesMismatch, () -> method.score(FIVE, four));
      assertEquals(
          "baseline has 5 buckets with edges [18, 30, 45, 65, +Inf] but current has 4 [18, 30, 45, +Inf]",
          message);
    }
  }

  @Test
  void sameNumberOfBucketsButOtherEdgesIsAnEdgeMismatch() {
    Histogram other =
        Histogram.of(new double[] {18, 30, 50, 65, INF}, new double[] {5, 20, 30, 25, 20});
    String message = fails(BucketEdgesMismatch, () -> DriftMethod.js.score(FIVE, other));
    assertTrue(
        message.startsWith("baseline and current bucket edges differ at bucket 2 (45 vs 50)"),
        message);
  }

  @Test
  void anEmptyHistogramCannotBeScoredOnEitherSide() {
    Histogram empty = Histogram.of(new double[] {18, 30, 45, 65, INF}, new double[5]);
    for (DriftMethod method : DriftMethod.values()) {
      assertEquals(
          "current histogram is empty: all 5 bucket counts are 0",
          fails(EmptyHistogram, () -> method.score(FIVE, empty)));
      assertEquals(
          "baseline histogram is empty: all 5 bucket counts are 0",
          fails(EmptyHistogram, () -> method.score(empty, FIVE)));
    }
  }

  @Test
  void countsMustBeFiniteAndNotNegative() {
    double[] edges = {1, 2, INF};
    for (double bad : new double[] {Double.NaN, INF, Double.NEGATIVE_INFINITY, -1}) {
      String message = fails(InvalidCount, () -> Histogram.of(edges, new double[] {3, bad, 1}));
      assertTrue(message.contains("bucket 1"), message);
    }
    fails(InvalidCount, () -> new Histogram(List.of(1.0, INF), Arrays.asList(1.0, null)));
    fails(InvalidCount, () -> new Histogram(List.of(1.0, INF), null));
  }

  @Test
  void countsThatOverflowWhenAddedAreRefused() {
    Histogram huge =
        Histogram.of(new double[] {1, INF}, new double[] {Double.MAX_VALUE, Double.MAX_VALUE});
    fails(InvalidCount, () -> DriftMethod.psi.score(huge, huge));
  }

  @Test
  void edgesMustBeStrictlyIncreasingNumbersWithPlusInfOnlyLast() {
    double[] counts = {1, 1, 1};
    assertEquals(
        "edges [1, 1, +Inf] are not strictly increasing: 1 is followed by 1",
        fails(InvalidEdges, () -> Histogram.of(new double[] {1, 1, INF}, counts)));
    fails(InvalidEdges, () -> Histogram.of(new double[] {2, 1, INF}, counts));
    fails(InvalidEdges, () -> Histogram.of(new double[] {1, Double.NaN, INF}, counts));
    fails(
        InvalidEdges, () -> Histogram.of(new double[] {Double.NEGATIVE_INFINITY, 1, INF}, counts));
    fails(InvalidEdges, () -> Histogram.of(new double[] {1, INF, 5}, counts));
    fails(InvalidEdges, () -> Histogram.of(new double[0], new double[0]));
    fails(InvalidEdges, () -> new Histogram(Arrays.asList(1.0, null), List.of(1.0, 1.0)));
  }

  @Test
  void edgesAndCountsMustHaveTheSameLength() {
    assertEquals(
        "3 edges [1, 2, +Inf] but 2 counts [4.0, 5.0]: there must be one count per bucket edge",
        fails(LengthMismatch, () -> Histogram.of(new double[] {1, 2, INF}, new double[] {4, 5})));
  }

  @Test
  void edgesSoFarApartThatTheDistanceOverflowsAreRefused() {
    double[] edges = {-Double.MAX_VALUE, Double.MAX_VALUE, INF};
    Histogram low = Histogram.of(edges, new double[] {1, 0, 0});
    Histogram high = Histogram.of(edges, new double[] {0, 1, 0});
    fails(InvalidEdges, () -> DriftMethod.wasserstein.score(low, high));
  }

  static String fails(Reason reason, Executable call) {
    InvalidHistogramException e = assertThrows(InvalidHistogramException.class, call);
    assertEquals(reason, e.reason(), e.getMessage());
    return e.getMessage();
  }
}
