package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.BucketEdgesMismatch;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.EmptyHistogram;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidCount;

/**
 * The validated input every statistic works on: the shared edges and the two histograms normalised
 * to probabilities ({@code p} baseline, {@code q} current), each summing to 1. Doing the checks
 * once here is what guarantees that no statistic ever scores mismatched or empty histograms.
 */
record ComparedDistributions(double[] edges, double[] p, double[] q) {

  static ComparedDistributions of(Histogram baseline, Histogram current) {
    double[] edges = baseline.edgeArray();
    double[] currentEdges = current.edgeArray();
    if (edges.length != currentEdges.length) {
      throw new InvalidHistogramException(
          BucketEdgesMismatch,
          "baseline has "
              + edges.length
              + " buckets with edges "
              + Histogram.format(baseline.edges())
              + " but current has "
              + currentEdges.length
              + " "
              + Histogram.format(current.edges()));
    }
    for (int i = 0; i < edges.length; i++) {
      if (edges[i] != currentEdges[i]) {
        throw new InvalidHistogramException(
            BucketEdgesMismatch,
            "baseline and current bucket edges differ at bucket "
                + i
                + " ("
                + Histogram.formatEdge(edges[i])
                + " vs "
                + Histogram.formatEdge(currentEdges[i])
                + "): baseline "
                + Histogram.format(baseline.edges())
                + ", current "
                + Histogram.format(current.edges()));
      }
    }
    return new ComparedDistributions(
        edges, normalise("baseline", baseline), normalise("current", current));
  }

  private static double[] normalise(String side, Histogram histogram) {
    double total = histogram.total();
    if (Double.isInfinite(total)) {
      throw new InvalidHistogramException(
          InvalidCount, side + " bucket counts add up to more than a double holds");
    }
    if (!(total > 0)) {
      throw new InvalidHistogramException(
          EmptyHistogram,
          side + " histogram is empty: all " + histogram.size() + " bucket counts are 0");
    }
    double[] probabilities = histogram.countArray();
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] /= total;
    }
    return probabilities;
  }

  /** Cumulative sums: {@code cdf[i]} is the probability of a value {@code <= edges[i]}. */
  static double[] cdf(double[] probabilities) {
    double[] cdf = new double[probabilities.length];
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      sum += probabilities[i];
      cdf[i] = sum;
    }
    return cdf;
  }
}
