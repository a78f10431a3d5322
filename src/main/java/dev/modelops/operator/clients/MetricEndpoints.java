package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.metrics.MetricSourceException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The metric endpoints the administrator declared (modelops.metric-endpoints, NAME=URL pairs). They
 * are the only addresses the operator sends a metric query to: a tenant names one, or gives its
 * exact URL, so no RetrainPolicy or canary analysis can make the operator call an address of its
 * choosing.
 */
@ApplicationScoped
public class MetricEndpoints {
  /** A declared endpoint: its name and base URL (no trailing slash). */
  public record Endpoint(String name, URI base) {
    /** How messages name it: never more than its name, which the administrator chose. */
    public String describe() {
      return "Prometheus endpoint " + name;
    }
  }

  private final Map<String, Endpoint> byName;

  @Inject
  public MetricEndpoints(OperatorSettings settings) {
    this(settings.metricEndpoints().orElse(List.of()));
  }

  /**
   * @throws IllegalArgumentException naming the entry an administrator must fix
   */
  public MetricEndpoints(List<String> declarations) {
    Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    DeclaredEndpoints.parse("modelops.metric-endpoints", declarations)
        .forEach((name, base) -> endpoints.put(name, new Endpoint(name, base)));
    this.byName = Collections.unmodifiableMap(endpoints);
  }

  public Map<String, Endpoint> all() {
    return byName;
  }

  /** The endpoint a source names (prometheus.endpoint) or whose exact URL it gives. */
  public Endpoint resolve(PrometheusSource source) throws MetricSourceException {
    if (source.endpoint != null) {
      Endpoint endpoint = byName.get(source.endpoint);
      if (endpoint == null) {
        throw new MetricSourceException(
            "EndpointNotDeclared",
            "prometheus.endpoint "
                + source.endpoint
                + " is not a metric endpoint the administrator declared"
                + declared());
      }
      return endpoint;
    }
    Optional<URI> wanted = parse(source.url);
    return wanted
        .flatMap(u -> byName.values().stream().filter(e -> e.base().equals(u)).findFirst())
        .orElseThrow(
            () ->
                new MetricSourceException(
                    "EndpointNotAllowed",
                    "prometheus.url is not the address of a metric endpoint the administrator"
                        + " declared; name one with prometheus.endpoint"
                        + declared()));
  }

  private String declared() {
    return byName.isEmpty()
        ? " (none is declared: ask for modelops.metric-endpoints / the chart's metricEndpoints)"
        : " (declared: " + String.join(", ", byName.keySet()) + ")";
  }

  /** An absolute http(s) URL without query, fragment or user info, trailing slashes removed. */
  static Optional<URI> parse(String url) {
    return DeclaredEndpoints.url(url);
  }
}
