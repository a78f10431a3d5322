package dev.modelops.operator.retrain;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One measurement of a policy's drift: a score (and per-feature scores), or why there is none.
 * Scores are rounded, and no timestamp is kept, so that an unchanged measurement equals the
 * previous one and the polling event source wakes the reconciler only when something changed.
 */
public record DriftEvaluation(
    Double score, SortedMap<String, Double> features, String problemReason, String problem) {

  public static DriftEvaluation of(double score, Map<String, Double> features) {
    SortedMap<String, Double> rounded = new TreeMap<>();
    features.forEach((feature, value) -> rounded.put(feature, round(value)));
    return new DriftEvaluation(round(score), rounded, null, null);
  }

  public static DriftEvaluation unavailable(String reason, String message) {
    return new DriftEvaluation(null, new TreeMap<>(), reason, message);
  }

  public boolean available() {
    return score != null;
  }

  /**
   * Four decimals: enough to compare with any sensible threshold, coarse enough to ignore noise.
   */
  public static double round(double value) {
    return Math.round(value * 10_000d) / 10_000d;
  }
}
