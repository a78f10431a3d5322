package dev.modelops.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: the samples of a Prometheus HTTP API answer (/api/v1/query), or why there are none. The
 * answer is untrusted: its body and its `error` text never reach a message (only the HTTP status
 * and, when it is one Prometheus defines, the `errorType`), and a result larger than {@link
 * #MAX_SAMPLES} series is refused.
 */
public final class PrometheusResponse {
  public static final int MAX_SAMPLES = 20_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The errorType values the Prometheus HTTP API documents. */
  private static final Set<String> ERROR_TYPES =
      Set.of(
          "bad_data", "timeout", "canceled", "execution", "internal", "unavailable", "not_found");

  private PrometheusResponse() {}

  /**
   * @param what names the source, e.g. "Prometheus endpoint default"
   */
  public static List<Sample> parse(String what, int statusCode, String body)
      throws MetricSourceException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      throw new MetricSourceException(
          "UnparseableResponse",
          what + " answered HTTP " + statusCode + " with a body that is not Prometheus API JSON");
    }
    if (statusCode != 200 || !"success".equals(root.path("status").asText())) {
      String errorType = root.path("errorType").asText("");
      throw new MetricSourceException(
          statusCode == 401 || statusCode == 403 ? "SourceUnauthorized" : "QueryFailed",
          what
              + " refused the query (HTTP "
              + statusCode
              + (ERROR_TYPES.contains(errorType) ? ", " + errorType : "")
              + ")");
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    List<Sample> samples = new ArrayList<>();
    try {
      switch (type) {
        case "scalar" -> samples.add(new Sample("", Map.of(), value(data.path("result"))));
        case "vector" -> {
          if (data.path("result").size() > MAX_SAMPLES) {
            throw new MetricSourceException(
                "TooManySeries",
                what + " returned more than " + MAX_SAMPLES + " series; aggregate in the query");
          }
          for (JsonNode series : data.path("result")) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields();
                it.hasNext(); ) {
              var label = it.next();
              labels.put(label.getKey(), label.getValue().asText());
            }
            samples.add(
                new Sample(
                    labels.getOrDefault("__name__", ""), labels, value(series.path("value"))));
          }
        }
        default ->
            throw new MetricSourceException(
                "UnsupportedResult",
                "the query returned a result of another type than vector or scalar; use an"
                    + " instant query that returns a vector or a scalar");
      }
    } catch (NumberFormatException e) {
      throw new MetricSourceException(
          "UnparseableResponse", what + " returned a value that is not a number");
    }
    return samples;
  }

  private static double value(JsonNode pair) {
    return PrometheusTextFormat.parseValue(pair.path(1).asText());
  }
}
