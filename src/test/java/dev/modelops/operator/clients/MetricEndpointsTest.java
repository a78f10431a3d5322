package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.metrics.MetricSourceException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricEndpointsTest {
  final MetricEndpoints endpoints =
      new MetricEndpoints(
          List.of(
              "default=http://prometheus.monitoring:9090/",
              " thanos = https://thanos.example/api/t1 "));

  @Test
  void aSourceNamesAnEndpointOrGivesItsExactUrl() throws MetricSourceException {
    assertEquals("default", endpoints.resolve(named("default")).name());
    assertEquals("default", endpoints.resolve(url("http://prometheus.monitoring:9090")).name());
    assertEquals("default", endpoints.resolve(url("HTTP://Prometheus.Monitoring:9090//")).name());
    assertEquals("thanos", endpoints.resolve(url("https://thanos.example/api/t1")).name());
  }

  @Test
  void anythingElseIsRefused() {
    for (String other :
        List.of(
            "http://prometheus.monitoring:9091",
            "http://prometheus.monitoring:9090/api/v1/admin",
            "http://169.254.169.254/latest",
            "http://user:pw@prometheus.monitoring:9090",
            "http://prometheus.monitoring:9090?x=1",
            "not a url",
            "file:///etc/passwd")) {
      var e = assertThrows(MetricSourceException.class, () -> endpoints.resolve(url(other)), other);
      assertEquals("EndpointNotAllowed", e.reason());
    }
    assertEquals(
        "EndpointNotDeclared",
        assertThrows(MetricSourceException.class, () -> endpoints.resolve(named("nope"))).reason());
  }

  @Test
  void aBadDeclarationStopsTheOperatorWithItsName() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MetricEndpoints(List.of("Bad_Name=http://x")));
    assertEquals(
        "modelops.metric-endpoints: 'Bad_Name=http://x' is not NAME=URL with a DNS-label NAME",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new MetricEndpoints(List.of("a=ftp://x")));
  }

  static PrometheusSource named(String name) {
    PrometheusSource source = new PrometheusSource();
    source.endpoint = name;
    return source;
  }

  static PrometheusSource url(String url) {
    PrometheusSource source = new PrometheusSource();
    source.url = url;
    return source;
  }
}
