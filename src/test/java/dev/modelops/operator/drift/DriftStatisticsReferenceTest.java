package dev.modelops.operator.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every statistic against numbers computed independently with numpy 2.4.6 / scipy 1.17.1. For each
 * case, with {@code e} the edges, {@code a} the baseline and {@code b} the current counts:
 *
 * <pre>
 * import numpy as np
 * from scipy.spatial.distance import jensenshannon
 * from scipy.stats import wasserstein_distance
 * p = np.array(a, float) / sum(a); q = np.array(b, float) / sum(b)
 * psi = np.sum((np.maximum(q, 1e-4) - np.maximum(p, 1e-4)) * np.log(np.maximum(q, 1e-4) / np.maximum(p, 1e-4)))
 * ks = np.max(np.abs(np.cumsum(p) - np.cumsum(q)))
 * js = jensenshannon(p, q, base=2)
 * pos = np.where(np.isfinite(e), e, np.array(e)[np.isfinite(e)][-1])   # +Inf bucket sits on the last finite edge
 * w1 = wasserstein_distance(pos, pos, p, q)
 * </pre>
 *
 * Each case is also run with baseline and current swapped (all four are symmetric) and with counts
 * ×10 (only proportions matter).
 */
class DriftStatisticsReferenceTest {
  static final double INF = Double.POSITIVE_INFINITY;
  static final double TOLERANCE = 1e-12;

  record Case(
      String name,
      double[] edges,
      double[] baseline,
      double[] current,
      double psi,
      double ks,
      double js,
      double wasserstein) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
            new Case(
                "mass shifted one bucket up",
                new double[] {1, 2, 3, 4, INF},
                new double[] {10, 20, 40, 20, 10},
                new double[] {5, 10, 30, 35, 20},
                0.2859973705754778,
                0.25000000000000006,
                0.22528344558001226,
                0.4499999999999999),
            new Case(
                "empty buckets (one side and both sides)",
                new double[] {1, 2, 3, 4, INF},
                new double[] {10, 0, 30, 60, 0},
                new double[] {10, 20, 30, 40, 0},
                1.6005134232840952,
                0.20000000000000007,
                0.33841498603440373,
                0.40000000000000013),
            new Case(
                "disjoint mass",
                new double[] {1, 2, 3, INF},
                new double[] {5, 5, 0, 0},
                new double[] {0, 0, 3, 7},
                17.113279819399676,
                1.0,
                1.0,
                1.5),
            new Case(
                "uneven widths as in latency buckets",
                new double[] {0.5, 1, 2.5, 5, 10, INF},
                new double[] {12, 30, 25, 20, 8, 5},
                new double[] {3, 15, 30, 27, 15, 10},
                0.3375219340835668,
                0.24,
                0.24205318913738771,
                1.4800000000000002),
            new Case(
                "finite edges only, no +Inf",
                new double[] {10, 20, 40, 80},
                new double[] {1, 2, 3, 4},
                new double[] {4, 3, 2, 1},
                0.9128696382935673,
                0.3999999999999999,
                0.3918681606471552,
                22.999999999999996))
        .map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesTheReferenceValues(Case c) {
    assertScores(c, Histogram.of(c.edges(), c.baseline()), Histogram.of(c.edges(), c.current()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void isSymmetric(Case c) {
    assertScores(c, Histogram.of(c.edges(), c.current()), Histogram.of(c.edges(), c.baseline()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void dependsOnlyOnProportions(Case c) {
    assertScores(
        c, Histogram.of(c.edges(), times(10, c.baseline())), Histogram.of(c.edges(), c.current()));
    assertScores(
        c,
        Histogram.of(c.edges(), times(10, c.baseline())),
        Histogram.of(c.edges(), times(10, c.current())));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void identicalHistogramsScoreZero(Case c) {
    for (double[] counts : List.of(c.baseline(), c.current())) {
      for (DriftMethod method : DriftMethod.values()) {
        assertEquals(
            0.0,
            method.score(Histogram.of(c.edges(), counts), Histogram.of(c.edges(), counts)),
            method.name());
      }
    }
  }

  private static void assertScores(Case c, Histogram baseline, Histogram current) {
    assertEquals(c.psi(), DriftMethod.psi.score(baseline, current), TOLERANCE, "psi");
    assertEquals(c.ks(), DriftMethod.ks.score(baseline, current), TOLERANCE, "ks");
    assertEquals(c.js(), DriftMethod.js.score(baseline, current), TOLERANCE, "js");
    assertEquals(
        c.wasserstein(),
        DriftMethod.wasserstein.score(baseline, current),
        TOLERANCE,
        "wasserstein");
  }

  private static double[] times(double factor, double[] counts) {
    double[] scaled = counts.clone();
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] *= factor;
    }
    return scaled;
  }
}
