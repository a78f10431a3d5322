package dev.modelops.operator.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A model server's /metrics as the test wants it: gauges whose values the test sets. Loopback only.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, Double> gauges = new ConcurrentHashMap<>();
  private volatile String extra = "";

  MetricsEndpoint(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          String text =
              gauges.entrySet().stream()
                      .sorted(Map.Entry.comparingByKey())
                      .map(
                          g ->
                              "# TYPE "
                                  + g.getKey()
                                  + " gauge\n"
                                  + g.getKey()
                                  + " "
                                  + g.getValue()
                                  + "\n")
                      .collect(Collectors.joining())
                  + extra;
          byte[] body = text.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  void set(String gauge, double value) {
    gauges.put(gauge, value);
  }

  /** Raw exposition-format lines served after the gauges, e.g. histogram buckets. */
  void setExtra(String text) {
    extra = text;
  }

  String address() {
    return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
