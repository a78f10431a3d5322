package dev.modelops.operator.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses the Prometheus text exposition format (what a pod's /metrics serves) into samples. */
public final class PrometheusTextFormat {
  private PrometheusTextFormat() {}

  public static List<Sample> parse(String body) throws MetricSourceException {
    List<Sample> samples = new ArrayList<>();
    int lineNumber = 0;
    for (String raw : body.split("\n")) {
      lineNumber++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(parseLine(line));
      } catch (RuntimeException e) {
        throw new MetricSourceException(
            "UnparseableMetrics", "line " + lineNumber + " is not in the Prometheus text format");
      }
    }
    return samples;
  }

  private static Sample parseLine(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    String rest;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.substring(0, brace);
      int end = parseLabels(line, brace + 1, labels);
      rest = line.substring(end + 1).strip();
    } else {
      name = line.substring(0, space);
      rest = line.substring(space + 1).strip();
    }
    String value = rest.split("\\s+")[0];
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no metric name");
    }
    return new Sample(name, labels, parseValue(value));
  }

  /** Reads label pairs from {@code start}; returns the index of the closing brace. */
  private static int parseLabels(String line, int start, Map<String, String> labels) {
    int i = start;
    while (true) {
      while (line.charAt(i) == ' ' || line.charAt(i) == ',') {
        i++;
      }
      if (line.charAt(i) == '}') {
        return i;
      }
      int equals = line.indexOf('=', i);
      String key = line.substring(i, equals).strip();
      if (line.charAt(equals + 1) != '"') {
        throw new IllegalArgumentException("label value must be quoted");
      }
      StringBuilder value = new StringBuilder();
      i = equals + 2;
      while (line.charAt(i) != '"') {
        char c = line.charAt(i);
        if (c == '\\') {
          char next = line.charAt(++i);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(c);
        }
        i++;
      }
      labels.put(key, value.toString());
      i++;
    }
  }

  public static double parseValue(String value) {
    return switch (value) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(value);
    };
  }
}
