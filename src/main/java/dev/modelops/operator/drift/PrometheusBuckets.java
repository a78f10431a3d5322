package dev.modelops.operator.drift;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.DecreasingCumulativeCounts;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidCount;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidEdges;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Histogram} from Prometheus {@code <name>_bucket} series: one cumulative count per
 * {@code le} label (observations {@code <= le}), usually ending with {@code le="+Inf"}. Per-bucket
 * counts are the differences of consecutive cumulative counts. Series come back from a query in no
 * particular order, so they are sorted by {@code le} first.
 */
public final class PrometheusBuckets {

  /** One {@code _bucket} sample: its {@code le} upper bound and the cumulative count up to it. */
  public record Bucket(double le, double cumulativeCount) {}

  private PrometheusBuckets() {}

  /**
   * @param cumulativeByLe {@code le} label text ({@code "0.5"}, {@code "+Inf"}) to cumulative count
   * @throws InvalidHistogramException {@code InvalidEdges} for an unparsable or duplicate {@code
   *     le}, {@code InvalidCount} for NaN/infinite/negative counts, {@code
   *     DecreasingCumulativeCounts}
   */
  public static Histogram fromCumulative(Map<String, ? extends Number> cumulativeByLe) {
    if (cumulativeByLe == null || cumulativeByLe.isEmpty()) {
      throw new InvalidHistogramException(
          InvalidEdges, "no _bucket series: a histogram needs at least one le");
    }
    List<Bucket> buckets = new ArrayList<>();
    cumulativeByLe.forEach(
        (le, count) -> {
          if (count == null) {
            throw new InvalidHistogramException(InvalidCount, "le=\"" + le + "\" has no count");
          }
          buckets.add(new Bucket(parseLe(le), count.doubleValue()));
        });
    return fromCumulative(buckets);
  }

  /** Same as {@link #fromCumulative(Map)} for already parsed samples, in any order. */
  public static Histogram fromCumulative(List<Bucket> buckets) {
    if (buckets == null || buckets.isEmpty()) {
      throw new InvalidHistogramException(
          InvalidEdges, "no _bucket series: a histogram needs at least one le");
    }
    List<Bucket> sorted = new ArrayList<>(buckets);
    sorted.sort(Comparator.comparingDouble(Bucket::le));
    List<Double> edges = new ArrayList<>(sorted.size());
    List<Double> counts = new ArrayList<>(sorted.size());
    double previous = 0;
    for (Bucket bucket : sorted) {
      if (Double.isNaN(bucket.le())) {
        throw new InvalidHistogramException(InvalidEdges, "le=\"NaN\" is not a bucket upper bound");
      }
      if (!edges.isEmpty() && bucket.le() == edges.get(edges.size() - 1)) {
        throw new InvalidHistogramException(
            InvalidEdges,
            "le=\""
                + Histogram.formatEdge(bucket.le())
                + "\" appears twice (le labels like \"1\" and \"1.0\" are the same bound)");
      }
      double cumulative = bucket.cumulativeCount();
      if (!Double.isFinite(cumulative) || cumulative < 0) {
        throw new InvalidHistogramException(
            InvalidCount,
            "le=\""
                + Histogram.formatEdge(bucket.le())
                + "\" has cumulative count "
                + cumulative
                + "; counts must be finite numbers >= 0");
      }
      if (cumulative < previous) {
        throw new InvalidHistogramException(
            DecreasingCumulativeCounts,
            "cumulative count goes down from "
                + previous
                + " to "
                + cumulative
                + " at le=\""
                + Histogram.formatEdge(bucket.le())
                + "\"; Prometheus bucket counts must not decrease as le grows");
      }
      edges.add(bucket.le());
      counts.add(cumulative - previous);
      previous = cumulative;
    }
    return new Histogram(edges, counts);
  }

  /**
   * Parses an {@code le} label. Prometheus writes infinity as {@code +Inf}, which {@link
   * Double#parseDouble} does not accept.
   */
  public static double parseLe(String le) {
    String text = le == null ? "" : le.trim();
    if (text.equalsIgnoreCase("+Inf") || text.equalsIgnoreCase("Inf")) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      double value = Double.parseDouble(text);
      if (Double.isNaN(value)) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new InvalidHistogramException(
          InvalidEdges, "le=\"" + le + "\" is not a number or +Inf");
    }
  }
}
