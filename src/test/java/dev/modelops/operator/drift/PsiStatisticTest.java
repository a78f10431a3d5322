package dev.modelops.operator.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The epsilon that keeps PSI finite when a bucket is empty on one side. */
class PsiStatisticTest {
  static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void aNewlyFilledBucketCostsWhatTheEpsilonSays() {
    Histogram baseline = Histogram.of(new double[] {1, INF}, new double[] {100, 0});
    Histogram current = Histogram.of(new double[] {1, INF}, new double[] {90, 10});
    // python3 -c "import numpy as np; p=np.maximum(np.array([100,0.])/100,EPS);
    // q=np.maximum(np.array([90,10.])/100,EPS);
    //   print(np.sum((q-p)*np.log(q/p)))"  with EPS=1e-4 and EPS=1e-6
    assertEquals(0.7006208039360982, new PsiStatistic().score(baseline, current), 1e-12);
    assertEquals(1.1618170851373406, new PsiStatistic(1e-6).score(baseline, current), 1e-12);
    // The same by the formula in the Javadoc: the epsilon replaces the 0 in the empty baseline
    // bucket.
    double byHand = (0.9 - 1) * Math.log(0.9 / 1) + (0.1 - 1e-4) * Math.log(0.1 / 1e-4);
    assertEquals(byHand, new PsiStatistic().score(baseline, current), 1e-12);
  }

  @Test
  void aBucketEmptyOnBothSidesAddsNothing() {
    Histogram withoutEmpty = Histogram.of(new double[] {1, 2, INF}, new double[] {30, 50, 20});
    Histogram withoutEmptyNow = Histogram.of(new double[] {1, 2, INF}, new double[] {20, 50, 30});
    Histogram withEmpty = Histogram.of(new double[] {1, 2, 3, INF}, new double[] {30, 50, 0, 20});
    Histogram withEmptyNow =
        Histogram.of(new double[] {1, 2, 3, INF}, new double[] {20, 50, 0, 30});
    assertEquals(
        DriftMethod.psi.score(withoutEmpty, withoutEmptyNow),
        DriftMethod.psi.score(withEmpty, withEmptyNow),
        1e-15);
  }

  @Test
  void equalsTheSymmetrisedKullbackLeiblerDivergenceWhenNoBucketIsEmpty() {
    Histogram baseline =
        Histogram.of(new double[] {1, 2, 3, 4, INF}, new double[] {10, 20, 40, 20, 10});
    Histogram current =
        Histogram.of(new double[] {1, 2, 3, 4, INF}, new double[] {5, 10, 30, 35, 20});
    // python3 -c "from scipy.stats import entropy; import numpy as np;
    // p=np.array([10,20,40,20,10.])/100;
    //   q=np.array([5,10,30,35,20.])/100; print(entropy(p,q)+entropy(q,p))"
    assertEquals(0.28599737057547775, DriftMethod.psi.score(baseline, current), 1e-12);
  }

  @Test
  void refusesAnEpsilonOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new PsiStatistic(0));
    assertThrows(IllegalArgumentException.class, () -> new PsiStatistic(1));
    assertThrows(IllegalArgumentException.class, () -> new PsiStatistic(Double.NaN));
  }
}
