package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidCount;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidEdges;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.LengthMismatch;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Prometheus-style histogram: bucket {@code i} holds the observations in {@code (edges[i-1],
 * edges[i]]}.
 *
 * <p>{@code edges} are the {@code le} upper bounds, finite and strictly increasing, optionally
 * ending with {@code +Inf}. {@code counts} are per bucket (not cumulative; see {@link
 * PrometheusBuckets} for that form), finite and {@code >= 0}. Counts are doubles because Prometheus
 * counters and {@code rate()} results are. A histogram whose counts are all 0 is a valid value
 * (nothing observed yet); the statistics refuse it. Anything else is refused on construction with
 * {@code InvalidEdges}, {@code InvalidCount} or {@code LengthMismatch}, so a {@code Histogram} in
 * hand is always well formed.
 */
public record Histogram(List<Double> edges, List<Double> counts) {

  public Histogram {
    if (edges == null || edges.isEmpty()) {
      throw new InvalidHistogramException(
          InvalidEdges, "a histogram needs at least one bucket edge");
    }
    if (counts == null) {
      throw new InvalidHistogramException(InvalidCount, "bucket counts are missing");
    }
    if (edges.size() != counts.size()) {
      throw new InvalidHistogramException(
          LengthMismatch,
          edges.size()
              + " edges "
              + format(edges)
              + " but "
              + counts.size()
              + " counts "
              + counts
              + ": there must be one count per bucket edge");
    }
    edges = List.copyOf(checkEdges(edges));
    counts = List.copyOf(checkCounts(counts));
  }

  public static Histogram of(double[] edges, double[] counts) {
    return new Histogram(boxed(edges), boxed(counts));
  }

  public int size() {
    return edges.size();
  }

  public double total() {
    return counts.stream().mapToDouble(Double::doubleValue).sum();
  }

  public double[] edgeArray() {
    return edges.stream().mapToDouble(Double::doubleValue).toArray();
  }

  public double[] countArray() {
    return counts.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Edges as a person reads them: {@code [0.5, 1, 2.5, +Inf]}. */
  public static String format(List<Double> edges) {
    return edges.stream().map(Histogram::formatEdge).collect(Collectors.joining(", ", "[", "]"));
  }

  static String formatEdge(Double edge) {
    if (edge == null) {
      return "null";
    }
    if (edge == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (edge == Math.rint(edge) && Math.abs(edge) < 1e15) {
      return Long.toString(edge.longValue());
    }
    return edge.toString();
  }

  private static List<Double> checkEdges(List<Double> edges) {
    for (int i = 0; i < edges.size(); i++) {
      Double edge = edges.get(i);
      boolean last = i == edges.size() - 1;
      if (edge == null || edge.isNaN() || edge == Double.NEGATIVE_INFINITY) {
        throw new InvalidHistogramException(
            InvalidEdges, "edge " + i + " of " + format(edges) + " is not a number");
      }
      if (edge == Double.POSITIVE_INFINITY && !last) {
        throw new InvalidHistogramException(
            InvalidEdges,
            "edges "
                + format(edges)
                + " have +Inf before the last bucket; +Inf may only be the last edge");
      }
      if (i > 0 && !(edge > edges.get(i - 1))) {
        throw new InvalidHistogramException(
            InvalidEdges,
            "edges "
                + format(edges)
                + " are not strictly increasing: "
                + formatEdge(edges.get(i - 1))
                + " is followed by "
                + formatEdge(edge));
      }
    }
    return edges;
  }

  private static List<Double> checkCounts(List<Double> counts) {
    for (int i = 0; i < counts.size(); i++) {
      Double count = counts.get(i);
      if (count == null || !Double.isFinite(count) || count < 0) {
        throw new InvalidHistogramException(
            InvalidCount,
            "count "
                + count
                + " for bucket "
                + i
                + " of "
                + counts
                + " is not allowed: bucket counts must be finite numbers >= 0");
      }
    }
    return counts;
  }

  private static List<Double> boxed(double[] values) {
    if (values == null) {
      return null;
    }
    List<Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(v);
    }
    return list;
  }
}
