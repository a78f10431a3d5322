package dev.modelops.operator.bench;

import java.util.List;

final class Stats {
  private Stats() {}

  /** Nearest-rank percentile of an ascending list; NaN when empty. */
  static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  static double median(List<Double> values) {
    return percentile(values.stream().sorted().toList(), 50);
  }
}
