package dev.modelops.operator.drift;

/**
 * Wasserstein-1 (earth mover's) distance between the two histograms, in the feature's own units.
 *
 * <pre>
 *   W1 = Σ_{k=0}^{m−2} |P_k − Q_k| · (e_{k+1} − e_k)
 * </pre>
 *
 * where {@code e_0 < … < e_{m−1}} are the <em>finite</em> edges and {@code P_k}, {@code Q_k} the
 * baseline and current CDFs at {@code e_k}. This is the exact W1 between two discrete distributions
 * that put each bucket's mass on its upper edge ({@code le}), which is the only value Prometheus
 * guarantees the observations do not exceed:
 *
 * <ul>
 *   <li>the first bucket has no lower edge, so its lower bound is taken to be its own upper edge
 *       {@code e_0}: width 0, nothing to the left of {@code e_0} contributes;
 *   <li>the open-ended {@code +Inf} bucket has width 0: its mass sits on the last finite edge.
 *       Moving mass into it therefore costs as much as moving it to the last finite edge, rather
 *       than an infinite distance;
 *   <li>a histogram whose only edge is {@code +Inf} (or with one finite edge) always scores 0.
 * </ul>
 *
 * Symmetric and unbounded above; thresholds must be chosen in the feature's units.
 */
public final class WassersteinStatistic implements DriftStatistic {

  @Override
  public double score(Histogram baseline, Histogram current) {
    return score(ComparedDistributions.of(baseline, current));
  }

  double score(ComparedDistributions d) {
    double[] cdfP = ComparedDistributions.cdf(d.p());
    double[] cdfQ = ComparedDistributions.cdf(d.q());
    double[] edges = d.edges();
    double distance = 0;
    for (int k = 0; k + 1 < edges.length && Double.isFinite(edges[k + 1]); k++) {
      distance += Math.abs(cdfP[k] - cdfQ[k]) * (edges[k + 1] - edges[k]);
    }
    return distance;
  }
}
