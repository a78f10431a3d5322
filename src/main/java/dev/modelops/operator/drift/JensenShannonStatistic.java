package dev.modelops.operator.drift;

/**
 * Jensen–Shannon distance: the square root of the Jensen–Shannon divergence, with logarithms in
 * base 2.
 *
 * <pre>
 *   m_i = (p_i + q_i) / 2
 *   JSD = ½ Σ_i p_i · log2(p_i / m_i) + ½ Σ_i q_i · log2(q_i / m_i)      (terms with p_i = 0 or q_i = 0 are 0)
 *   JS  = √JSD
 * </pre>
 *
 * In base 2 the divergence is at most 1, so the distance is in [0, 1]: 0 for identical
 * distributions, 1 when they share no bucket. Symmetric, and unlike PSI it needs no epsilon since
 * {@code m_i > 0} wherever a term is counted. The square root makes it a metric, which is what
 * thresholds and averages across features expect.
 */
public final class JensenShannonStatistic implements DriftStatistic {

  @Override
  public double score(Histogram baseline, Histogram current) {
    return score(ComparedDistributions.of(baseline, current));
  }

  double score(ComparedDistributions d) {
    double divergence = 0;
    for (int i = 0; i < d.p().length; i++) {
      double p = d.p()[i];
      double q = d.q()[i];
      double m = (p + q) / 2;
      divergence += 0.5 * term(p, m) + 0.5 * term(q, m);
    }
    // Rounding can push the sum a hair outside [0, 1]; the square root of a tiny negative would be
    // NaN.
    return Math.sqrt(Math.min(1, Math.max(0, divergence)));
  }

  private static double term(double x, double m) {
    return x == 0 ? 0 : x * (Math.log(x / m) / Math.log(2));
  }
}
