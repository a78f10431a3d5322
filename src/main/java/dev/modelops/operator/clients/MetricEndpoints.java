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
import java.util.regex.Pattern;

/**
 * The metric endpoints the administrator declared (modelops.metric-endpoints, NAME=URL pairs). They
 * are the only addresses the operator sends a metric query to: a tenant names one, or gives its
 * exact URL, so no RetrainPolicy or canary analysis can make the operator call an address of its
 * choosing.
 */
@ApplicationScoped
public class MetricEndpoints {
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

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
    for (String declaration : declarations) {
      String entry = declaration.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int equals = entry.indexOf('=');
      String name = equals < 0 ? "" : entry.substring(0, equals).strip();
      String url = equals < 0 ? "" : entry.substring(equals + 1).strip();
      if (!NAME.matcher(name).matches() || name.length() > 63) {
        throw new IllegalArgumentException(
            "modelops.metric-endpoints: '" + entry + "' is not NAME=URL with a DNS-label NAME");
      }
      endpoints.put(name, new Endpoint(name, normalize(url, name)));
    }
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

  private static URI normalize(String url, String name) {
    return parse(url)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "modelops.metric-endpoints: the URL of "
                        + name
                        + " is not an absolute http:// or https:// URL without query"));
  }

  /** An absolute http(s) URL without query, fragment or user info, trailing slashes removed. */
  static Optional<URI> parse(String url) {
    if (url == null || url.length() > 2048) {
      return Optional.empty();
    }
    try {
      URI uri = URI.create(url.strip().replaceAll("/+$", "")).normalize();
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        return Optional.empty();
      }
      return Optional.of(
          new URI(
              scheme,
              null,
              uri.getHost().toLowerCase(),
              uri.getPort(),
              uri.getPath() == null ? "" : uri.getPath(),
              null,
              null));
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return Optional.empty();
    }
  }
}
