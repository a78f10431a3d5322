package dev.modelops.operator.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;

/** The Debian `prometheus` binary on loopback, scraping one target every second. */
final class RealPrometheus implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final String target;
  private Process process;

  /** Listens where the declared metric endpoint {@code endpoint} of the operator points. */
  RealPrometheus(String target, String endpoint) throws IOException {
    this.target = target;
    port = TestEndpoints.port(endpoint);
    dir = Files.createTempDirectory("modelops-prometheus");
    Files.writeString(
        dir.resolve("prometheus.yml"),
        """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: model
            static_configs: [{targets: ["%s"]}]
        """
            .formatted(target));
    start();
  }

  void start() throws IOException {
    process =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(
                    LocalControlPlane.LOGS.resolve("prometheus.log").toFile()))
            .start();
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
    Awaitility.await("prometheus ready")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> LocalControlPlane.httpOk(url() + "/-/ready"));
  }

  /** Waits until Prometheus has scraped {@code metric} at least once, so queries see data. */
  void awaitSeries(String metric) {
    Awaitility.await("prometheus has " + metric)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              var response =
                  java.net.http.HttpClient.newHttpClient()
                      .send(
                          java.net.http.HttpRequest.newBuilder(
                                  java.net.URI.create(url() + "/api/v1/query?query=" + metric))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString());
              return response.statusCode() == 200
                  && response.body().contains("\"__name__\":\"" + metric + "\"");
            });
  }

  void stop() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  @Override
  public String toString() {
    return "prometheus at " + url() + " scraping " + target;
  }
}
