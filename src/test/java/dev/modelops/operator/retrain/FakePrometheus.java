package dev.modelops.operator.retrain;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Answers /api/v1/query on loopback with a score the test sets, or a server error. Mock tier only.
 */
final class FakePrometheus implements AutoCloseable {
  private final HttpServer server;
  private volatile Double score = 0.0;
  private volatile String garbage;
  private volatile long delayMillis;
  private final java.util.concurrent.atomic.AtomicInteger requests =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile String lastAuthorization;

  FakePrometheus() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/api/v1/query",
        exchange -> {
          requests.incrementAndGet();
          lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
          if (delayMillis > 0) {
            try {
              Thread.sleep(delayMillis); // a slow Prometheus, past the client's timeout
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (garbage != null) {
            byte[] body = garbage.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
            return;
          }
          Double current = score;
          byte[] body =
              (current == null
                      ? "{\"status\":\"error\",\"error\":\"storage unavailable\"}"
                      : "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\""
                          + current
                          + "\"]}]}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(current == null ? 503 : 200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  int requests() {
    return requests.get();
  }

  String lastAuthorization() {
    return lastAuthorization;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** null makes the source fail. Clears garbage and delay. */
  void score(Double value) {
    score = value;
    garbage = null;
    delayMillis = 0;
  }

  /** Answers 200 with a body that is not the Prometheus API's JSON. */
  void garbage(String body) {
    garbage = body;
  }

  void delay(long millis) {
    delayMillis = millis;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
