package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidScore;

import java.util.List;
import java.util.OptionalDouble;

/**
 * How several scores (one per feature, or one per pod) become one. Lowercase: these are CRD enum
 * values.
 */
public enum Aggregation {
  /** The largest score: one drifting feature is enough. */
  max,
  /** The arithmetic mean: drift must be broad to count. */
  mean;

  /**
   * @return the aggregate, or empty when there are no scores (nothing to decide on, which is not 0)
   * @throws InvalidHistogramException {@code InvalidScore} if any score is null, NaN or infinite: a
   *     query that returned NaN must not be averaged away or win a max
   */
  public OptionalDouble apply(List<Double> scores) {
    for (int i = 0; i < scores.size(); i++) {
      Double score = scores.get(i);
      if (score == null || !Double.isFinite(score)) {
        throw new InvalidHistogramException(
            InvalidScore,
            "score "
                + i
                + " of "
                + scores
                + " is "
                + score
                + "; only finite scores can be aggregated");
      }
    }
    var values = scores.stream().mapToDouble(Double::doubleValue);
    return switch (this) {
      case max -> values.max();
      case mean -> values.average();
    };
  }
}
