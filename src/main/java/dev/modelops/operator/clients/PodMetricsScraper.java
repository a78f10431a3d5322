package dev.modelops.operator.clients;

import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.PrometheusTextFormat;
import dev.modelops.operator.metrics.Sample;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/** Reads a serving pod's metrics endpoint (Prometheus text format) straight from its IP. */
@ApplicationScoped
public class PodMetricsScraper {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  public List<Sample> scrape(String podName, String podIp, int port, String path, Duration timeout)
      throws MetricSourceException {
    String url = "http://" + (podIp.contains(":") ? "[" + podIp + "]" : podIp) + ":" + port + path;
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new MetricSourceException(
            "ScrapeFailed",
            "pod " + podName + " answered HTTP " + response.statusCode() + " on " + url);
      }
      return PrometheusTextFormat.parse(response.body());
    } catch (HttpTimeoutException e) {
      throw new MetricSourceException(
          "SourceTimeout",
          "pod " + podName + " did not answer on " + url + " within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw new MetricSourceException(
          "SourceUnreachable",
          "cannot scrape pod " + podName + " at " + url + ": " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetricSourceException("SourceUnreachable", "interrupted while scraping " + url);
    }
  }
}
