package dev.modelops.operator.drift;

/**
 * Two-sample Kolmogorov–Smirnov statistic on binned data.
 *
 * <pre>
 *   KS = max_i |P_i − Q_i|,   P_i = Σ_{k≤i} p_k,   Q_i = Σ_{k≤i} q_k
 * </pre>
 *
 * the largest gap between the baseline and current cumulative distributions, read at the bucket
 * upper edges (the only points a histogram knows the CDF at). In [0, 1] and symmetric. Because
 * values inside a bucket are unknown, this is a lower bound of the KS statistic of the raw samples.
 */
public final class KolmogorovSmirnovStatistic implements DriftStatistic {

  @Override
  public double score(Histogram baseline, Histogram current) {
    return score(ComparedDistributions.of(baseline, current));
  }

  double score(ComparedDistributions d) {
    double[] cdfP = ComparedDistributions.cdf(d.p());
    double[] cdfQ = ComparedDistributions.cdf(d.q());
    double max = 0;
    for (int i = 0; i < cdfP.length; i++) {
      max = Math.max(max, Math.abs(cdfP[i] - cdfQ[i]));
    }
    return Math.min(max, 1); // rounding in the running sums must not leave [0, 1]
  }
}
