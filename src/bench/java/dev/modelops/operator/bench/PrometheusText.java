package dev.modelops.operator.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of the Prometheus text format to add up samples of one metric. */
final class PrometheusText {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PrometheusText() {}

  /** Sum of the samples of `metric` whose labels include every entry of `match`. */
  static double sum(String text, String metric, Map<String, String> match) {
    return group(text, metric, match, labels -> "all").getOrDefault("all", 0.0);
  }

  /** Sums of the samples of `metric` matching `match`, grouped by `key` of their labels. */
  static Map<String, Double> group(
      String text,
      String metric,
      Map<String, String> match,
      Function<Map<String, String>, String> key) {
    Map<String, Double> sums = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (line.startsWith("#") || !sample.find() || !sample.group(1).equals(metric)) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (sample.group(3) != null) {
        Matcher label = LABEL.matcher(sample.group(3));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      if (match.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
        sums.merge(key.apply(labels), Double.parseDouble(sample.group(4)), Double::sum);
      }
    }
    return sums;
  }
}
