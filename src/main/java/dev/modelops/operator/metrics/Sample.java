package dev.modelops.operator.metrics;

import java.util.Map;

/** One sample of a metric: name (may be empty for PromQL results), labels and value. */
public record Sample(String name, Map<String, String> labels, double value) {
  public String label(String key) {
    return labels.get(key);
  }
}
