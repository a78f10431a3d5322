package dev.modelops.operator.bench;

import dev.modelops.operator.e2e.OperatorCommand;
import dev.modelops.operator.e2e.Processes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator jar as a local JVM under its ServiceAccount, as `make run` and the e2e tier run it,
 * with JVM defaults (no heap flags): what it costs is what a user gets. Memory is read from the
 * outside: RSS from /proc, live heap from the operator's own /q/metrics right after a full GC
 * (jcmd).
 */
final class OperatorProcess implements AutoCloseable {
  record Memory(double heapMiB, double rssMiB) {}

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Process process;
  private final int port;
  final long launchedNanos;

  private OperatorProcess(Process process, int port, long launchedNanos) {
    this.process = process;
    this.port = port;
    this.launchedNanos = launchedNanos;
  }

  static OperatorProcess start(BenchCluster cluster, Path log, Map<String, String> env)
      throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(OperatorCommand.forProject(BenchCluster.ROOT))
            .directory(BenchCluster.ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().put("KUBECONFIG", cluster.operatorKubeconfig.toString());
    builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
    builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
    builder.environment().putAll(env);
    long launched = System.nanoTime();
    Process process = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    return new OperatorProcess(process, port, launched);
  }

  /** CPU seconds (user + system) the operator JVM has used so far. */
  double cpuSeconds() throws IOException {
    return CpuTime.seconds(process.pid());
  }

  /** Reconciles started so far, by every controller (JOSDK's own counter). */
  long reconciles() throws IOException, InterruptedException {
    return Math.round(PrometheusText.sum(metrics(), "reconciliations_started_total", Map.of()));
  }

  boolean ready() {
    if (!process.isAlive()) {
      throw new IllegalStateException("the operator exited with " + process.exitValue());
    }
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String metrics() throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * Live heap after a full GC (what the objects really hold) and the resident set of the whole JVM.
   */
  Memory memory() throws IOException, InterruptedException {
    Processes.Result gc =
        Processes.run(
            BenchCluster.ROOT,
            Map.of(),
            null,
            60,
            List.of("jcmd", String.valueOf(process.pid()), "GC.run"));
    if (gc.exitCode() != 0) {
      throw new IllegalStateException("jcmd GC.run failed: " + gc.output());
    }
    double heap = PrometheusText.sum(metrics(), "jvm_memory_used_bytes", Map.of("area", "heap"));
    long rssKiB =
        Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
            .filter(line -> line.startsWith("VmRSS:"))
            .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
            .findFirst()
            .orElseThrow();
    return new Memory(heap / (1024 * 1024), rssKiB / 1024.0);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
