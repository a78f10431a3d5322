package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.MissingFeature;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.NoFeatures;

import java.util.ArrayList;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Compares baseline and current histograms feature by feature. */
public final class FeatureDrift {

  private FeatureDrift() {}

  /**
   * Scores every feature with {@code method} and aggregates the scores.
   *
   * @throws InvalidHistogramException {@code MissingFeature} when the two maps do not name the same
   *     features, {@code NoFeatures} when both are empty, or the first feature's own failure (by
   *     name), prefixed with {@code "feature NAME: "}. Nothing is scored if any feature is invalid:
   *     a partial report could hide drift or invent it.
   */
  public static DriftReport compare(
      Map<String, Histogram> baseline,
      Map<String, Histogram> current,
      DriftMethod method,
      Aggregation aggregation) {
    baseline = baseline == null ? Map.of() : baseline;
    current = current == null ? Map.of() : current;
    requireSameFeatures(baseline, current);
    SortedMap<String, Double> scores = new TreeMap<>();
    for (String feature : new TreeSet<>(baseline.keySet())) {
      scores.put(feature, score(feature, baseline.get(feature), current.get(feature), method));
    }
    double aggregate =
        aggregation
            .apply(new ArrayList<>(scores.values()))
            .orElseThrow(
                () ->
                    new InvalidHistogramException(NoFeatures, "there are no features to compare"));
    return new DriftReport(method, aggregation, scores, aggregate);
  }

  /** One feature's score, with the feature named in any failure. */
  public static double score(
      String feature, Histogram baseline, Histogram current, DriftMethod method) {
    if (baseline == null || current == null) {
      throw new InvalidHistogramException(
          MissingFeature,
          "feature "
              + feature
              + ": "
              + (baseline == null ? "baseline" : "current")
              + " histogram is missing");
    }
    try {
      return method.score(baseline, current);
    } catch (InvalidHistogramException e) {
      throw e.withContext("feature " + feature);
    }
  }

  private static void requireSameFeatures(
      Map<String, Histogram> baseline, Map<String, Histogram> current) {
    TreeSet<String> onlyBaseline = new TreeSet<>(baseline.keySet());
    onlyBaseline.removeAll(current.keySet());
    TreeSet<String> onlyCurrent = new TreeSet<>(current.keySet());
    onlyCurrent.removeAll(baseline.keySet());
    if (onlyBaseline.isEmpty() && onlyCurrent.isEmpty()) {
      return;
    }
    var problems = new ArrayList<String>();
    for (String feature : onlyBaseline) {
      problems.add("feature " + feature + " is in the baseline but missing from current");
    }
    for (String feature : onlyCurrent) {
      problems.add("feature " + feature + " is in current but missing from the baseline");
    }
    throw new InvalidHistogramException(MissingFeature, String.join("; ", problems));
  }
}
