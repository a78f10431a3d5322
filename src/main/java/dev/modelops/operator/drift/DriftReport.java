package dev.modelops.operator.drift;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of {@link FeatureDrift#compare}: one score per feature, sorted by feature name so
 * status messages and logs are stable, and their aggregate.
 */
public record DriftReport(
    DriftMethod method,
    Aggregation aggregation,
    SortedMap<String, Double> scores,
    double aggregate) {

  public DriftReport {
    scores = Collections.unmodifiableSortedMap(new TreeMap<>(scores));
  }

  /**
   * The feature with the highest score (the first by name on ties), for messages like "drift in
   * age".
   */
  public String mostDriftedFeature() {
    String worst = null;
    for (Map.Entry<String, Double> entry : scores.entrySet()) {
      if (worst == null || entry.getValue() > scores.get(worst)) {
        worst = entry.getKey();
      }
    }
    return worst;
  }
}
