package dev.modelops.operator.drift;

/**
 * Input that cannot be scored. Thrown instead of returning a number, so a malformed histogram can
 * never look like drift and trigger a retrain. {@link #reason()} is CamelCase so it can be used
 * directly as a condition reason; the message names the feature, the side (baseline or current) and
 * the offending values.
 */
public class InvalidHistogramException extends RuntimeException {

  /** Why the input was refused. The names are stable: they end up in status conditions. */
  public enum Reason {
    /**
     * Baseline and current have different bucket edges, so bucket i does not mean the same range.
     */
    BucketEdgesMismatch,
    /** Every bucket count is 0: there is no distribution to compare. */
    EmptyHistogram,
    /** A bucket count is missing, NaN, infinite or negative. */
    InvalidCount,
    /**
     * Edges are missing, not numbers, not strictly increasing, or +Inf somewhere other than last.
     */
    InvalidEdges,
    /** A histogram has a different number of edges and counts. */
    LengthMismatch,
    /** Prometheus cumulative bucket counts go down as {@code le} goes up. */
    DecreasingCumulativeCounts,
    /** A feature is in the baseline but not in current, or the other way round. */
    MissingFeature,
    /** There are no features at all to compare. */
    NoFeatures,
    /** A plain score handed to {@link Aggregation#apply} is missing, NaN or infinite. */
    InvalidScore
  }

  private final Reason reason;

  public InvalidHistogramException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** The same failure with a prefix saying where it happened, e.g. {@code "feature age"}. */
  public InvalidHistogramException withContext(String context) {
    return new InvalidHistogramException(reason, context + ": " + getMessage());
  }
}
