package dev.modelops.operator.clients;

import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.PrometheusResponse;
import dev.modelops.operator.metrics.Sample;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Instant queries against the Prometheus HTTP API (/api/v1/query) of a declared metric endpoint.
 * Asynchronous and bounded (BoundedHttp); at most a number of queries in flight per endpoint. One
 * instance shared by drift evaluation and canary analysis.
 */
@ApplicationScoped
public class PrometheusClient {

  private final BoundedHttp http;
  private final AsyncLimiter perEndpoint;

  @Inject
  public PrometheusClient(BoundedHttp http, OperatorSettings settings) {
    this(http, settings.fetch().maxConcurrentPerEndpoint());
  }

  public PrometheusClient(BoundedHttp http, int maxConcurrentPerEndpoint) {
    this.http = http;
    this.perEndpoint = new AsyncLimiter(maxConcurrentPerEndpoint);
  }

  public CompletableFuture<List<Sample>> query(
      MetricEndpoints.Endpoint endpoint,
      String promql,
      HttpAuth auth,
      String caPem,
      Duration timeout) {
    URI uri =
        URI.create(
            endpoint.base()
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    if (auth != null) {
      headers.put("Authorization", auth.header());
    }
    String what = endpoint.describe();
    return perEndpoint
        .submit(endpoint.name(), () -> http.get(uri, headers, timeout, caPem, what))
        .thenApplyAsync(
            response -> {
              try {
                return PrometheusResponse.parse(what, response.status(), response.text());
              } catch (MetricSourceException e) {
                throw new CompletionException(e);
              }
            },
            http.executor());
  }
}
