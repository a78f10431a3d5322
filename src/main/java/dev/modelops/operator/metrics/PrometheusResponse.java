package dev.modelops.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pure: the samples of a Prometheus HTTP API answer (/api/v1/query), or why there are none. */
public final class PrometheusResponse {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PrometheusResponse() {}

  public static List<Sample> parse(String baseUrl, int statusCode, String body)
      throws MetricSourceException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new MetricSourceException(
          "UnparseableResponse",
          "Prometheus at "
              + baseUrl
              + " answered HTTP "
              + statusCode
              + " with a body that is not JSON: "
              + PrometheusTextFormat.abbreviate(body.strip()));
    }
    if (statusCode != 200 || !"success".equals(root.path("status").asText())) {
      String error = root.path("error").asText("HTTP " + statusCode);
      throw new MetricSourceException(
          statusCode == 401 || statusCode == 403 ? "SourceUnauthorized" : "QueryFailed",
          "Prometheus at " + baseUrl + " refused the query (HTTP " + statusCode + "): " + error);
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    List<Sample> samples = new ArrayList<>();
    try {
      switch (type) {
        case "scalar" -> samples.add(new Sample("", Map.of(), value(data.path("result"))));
        case "vector" -> {
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
                "the query returned a "
                    + type
                    + "; use an instant query that returns a vector or a scalar");
      }
    } catch (NumberFormatException e) {
      throw new MetricSourceException(
          "UnparseableResponse", "Prometheus returned a value that is not a number");
    }
    return samples;
  }

  private static double value(JsonNode pair) {
    return PrometheusTextFormat.parseValue(pair.path(1).asText());
  }
}
