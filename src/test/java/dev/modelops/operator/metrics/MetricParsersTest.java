package dev.modelops.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricParsersTest {

  @Test
  void readsGaugesAndHistogramBucketsFromTheTextFormat() throws Exception {
    List<Sample> samples =
        PrometheusTextFormat.parse(
            """
        # HELP model_drift_score Drift.
        # TYPE model_drift_score gauge
        model_drift_score 0.42
        feature_values_bucket{feature="age",le="10"} 3 1700000000000
        feature_values_bucket{feature="a \\"quoted\\", name",le="+Inf"} 7
        up NaN
        """);
    assertEquals(4, samples.size());
    assertEquals(new Sample("model_drift_score", Map.of(), 0.42), samples.get(0));
    assertEquals(Map.of("feature", "age", "le", "10"), samples.get(1).labels());
    assertEquals("a \"quoted\", name", samples.get(2).label("feature"));
    assertTrue(Double.isNaN(samples.get(3).value()));
  }

  @Test
  void garbageIsAnUnparseableSourceNotACrash() {
    var e =
        assertThrows(
            MetricSourceException.class, () -> PrometheusTextFormat.parse("<html>oops</html>"));
    assertEquals("UnparseableMetrics", e.reason());
  }

  @Test
  void readsVectorAndScalarAnswersOfThePrometheusApi() throws Exception {
    var vector =
        PrometheusResponse.parse(
            "http://p",
            200,
            """
        {"status":"success","data":{"resultType":"vector","result":[
          {"metric":{"__name__":"score","model":"churn"},"value":[1700000000.1,"0.25"]}]}}""");
    assertEquals(0.25, vector.get(0).value());
    assertEquals("churn", vector.get(0).label("model"));
    var scalar =
        PrometheusResponse.parse(
            "http://p",
            200,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"3\"]}}");
    assertEquals(3.0, scalar.get(0).value());
  }

  @Test
  void errorsAndGarbageHaveReasons() {
    var bad =
        assertThrows(
            MetricSourceException.class,
            () ->
                PrometheusResponse.parse(
                    "http://p",
                    400,
                    "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 3\"}"));
    assertEquals("QueryFailed", bad.reason());
    assertTrue(bad.getMessage().contains("HTTP 400, bad_data"), bad.getMessage());
    assertFalse(bad.getMessage().contains("parse error"), "the remote error text is never echoed");
    assertEquals(
        "SourceUnauthorized",
        assertThrows(
                MetricSourceException.class,
                () ->
                    PrometheusResponse.parse(
                        "http://p", 401, "{\"status\":\"error\",\"error\":\"unauthorized\"}"))
            .reason());
    assertEquals(
        "UnparseableResponse",
        assertThrows(
                MetricSourceException.class,
                () -> PrometheusResponse.parse("http://p", 200, "<html>"))
            .reason());
    assertEquals(
        "UnsupportedResult",
        assertThrows(
                MetricSourceException.class,
                () ->
                    PrometheusResponse.parse(
                        "http://p",
                        200,
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}"))
            .reason());
  }

  @Test
  void aBodyIsNeverEchoedAndAnUnknownErrorTypeIsDropped() {
    var garbage =
        assertThrows(
            MetricSourceException.class,
            () -> PrometheusResponse.parse("endpoint x", 200, "<html>secret admin page</html>"));
    assertFalse(garbage.getMessage().contains("secret"), garbage.getMessage());
    var odd =
        assertThrows(
            MetricSourceException.class,
            () ->
                PrometheusResponse.parse(
                    "endpoint x", 500, "{\"status\":\"error\",\"errorType\":\"leak-me\"}"));
    assertFalse(odd.getMessage().contains("leak-me"), odd.getMessage());
    var pod =
        assertThrows(
            MetricSourceException.class, () -> PrometheusTextFormat.parse("token=abc123 oops{"));
    assertFalse(pod.getMessage().contains("abc123"), pod.getMessage());
  }

  @Test
  void credentialsNeverShowInToString() {
    assertTrue(
        !dev.modelops.operator.clients.HttpAuth.bearer("s3cr3t").toString().contains("s3cr3t"));
    assertTrue(
        !dev.modelops.operator.clients.HttpAuth.basic("u", "pw123").toString().contains("pw123"));
  }
}
