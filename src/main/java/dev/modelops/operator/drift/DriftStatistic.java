package dev.modelops.operator.drift;

/** A distance between a baseline and a current histogram with the same bucket edges. */
public interface DriftStatistic {

  /**
   * @return a finite score {@code >= 0}; 0 when the two normalised distributions are equal
   * @throws InvalidHistogramException when the histograms cannot be compared (never a made-up
   *     score)
   */
  double score(Histogram baseline, Histogram current);
}
