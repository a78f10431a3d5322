package dev.modelops.operator.clients;

import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.PrometheusTextFormat;
import dev.modelops.operator.metrics.Sample;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads a serving pod's metrics endpoint (Prometheus text format) straight from its IP,
 * asynchronously and bounded (BoundedHttp), at most a number of scrapes in flight per namespace.
 */
@ApplicationScoped
public class PodMetricsScraper {
  private final BoundedHttp http;
  private final AsyncLimiter perNamespace;

  @Inject
  public PodMetricsScraper(BoundedHttp http, OperatorSettings settings) {
    this(http, settings.fetch().maxConcurrentPerNamespace());
  }

  public PodMetricsScraper(BoundedHttp http, int maxConcurrentPerNamespace) {
    this.http = http;
    this.perNamespace = new AsyncLimiter(maxConcurrentPerNamespace);
  }

  public CompletableFuture<List<Sample>> scrape(
      String namespace, String podName, String podIp, int port, String path, Duration timeout) {
    URI uri =
        URI.create(
            "http://" + (podIp.contains(":") ? "[" + podIp + "]" : podIp) + ":" + port + path);
    String what = "pod " + podName;
    return perNamespace
        .submit(namespace, () -> http.get(uri, Map.of(), timeout, null, what))
        .thenApplyAsync(
            response -> {
              try {
                if (response.status() != 200) {
                  throw new MetricSourceException(
                      "ScrapeFailed", what + " answered HTTP " + response.status() + " on " + path);
                }
                return PrometheusTextFormat.parse(response.text());
              } catch (MetricSourceException e) {
                throw new CompletionException(e);
              }
            },
            http.executor());
  }
}
