package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidEdges;

/**
 * The drift statistics a RetrainPolicy can name. Lowercase because the names are the CRD's enum
 * values.
 */
public enum DriftMethod {
  /** {@link PsiStatistic} with its default epsilon. */
  psi(new PsiStatistic()),
  /** {@link KolmogorovSmirnovStatistic}. */
  ks(new KolmogorovSmirnovStatistic()),
  /** {@link JensenShannonStatistic} (distance, base 2). */
  js(new JensenShannonStatistic()),
  /** {@link WassersteinStatistic} (W1 on bucket edges). */
  wasserstein(new WassersteinStatistic());

  private final DriftStatistic statistic;

  DriftMethod(DriftStatistic statistic) {
    this.statistic = statistic;
  }

  public DriftStatistic statistic() {
    return statistic;
  }

  /**
   * @return this method's finite, non-negative score
   * @throws InvalidHistogramException when the histograms cannot be compared
   */
  public double score(Histogram baseline, Histogram current) {
    double score = statistic.score(baseline, current);
    if (!Double.isFinite(score)) {
      // Only reachable with edges so far apart that their difference overflows; refuse rather than
      // report Inf.
      throw new InvalidHistogramException(
          InvalidEdges,
          name() + " score is not finite for edges " + Histogram.format(baseline.edges()));
    }
    return score;
  }
}
