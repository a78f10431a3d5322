package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.modelops.operator.metrics.MetricSourceException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every read of a metric source is bounded: in size, in time (body included), in redirects. */
class BoundedHttpTest {
  HttpServer server;
  final BoundedHttp http = new BoundedHttp(1024, 2);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/small", exchange -> answer(exchange, 200, "ok".getBytes()));
    server.createContext("/huge", exchange -> answer(exchange, 200, new byte[64 * 1024]));
    server.createContext(
        "/trickle",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 100; i++) {
              out.write('x');
              out.flush();
              Thread.sleep(100); // a byte every 100 ms: headers come at once, the body never ends
            }
          } catch (InterruptedException | IOException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.createContext(
        "/redirect",
        exchange -> {
          exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data");
          answer(exchange, 302, new byte[0]);
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
      throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  BoundedHttp.Response get(String path, Duration deadline) {
    return http.get(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path),
            Map.of(),
            deadline,
            null,
            "source x")
        .join();
  }

  MetricSourceException failure(String path, Duration deadline) {
    try {
      get(path, deadline);
    } catch (CompletionException e) {
      return (MetricSourceException) e.getCause();
    }
    throw new AssertionError("no failure for " + path);
  }

  @Test
  void aSmallAnswerIsRead() {
    assertEquals("ok", get("/small", Duration.ofSeconds(5)).text());
  }

  @Test
  void anAnswerOverTheCapIsRefusedWithoutItsBody() {
    MetricSourceException e = failure("/huge", Duration.ofSeconds(5));
    assertEquals("ResponseTooLarge", e.reason());
    assertEquals("source x answered more than 1024 bytes", e.getMessage());
  }

  @Test
  void theDeadlineCoversABodyThatTricklesIn() {
    MetricSourceException e = failure("/trickle", Duration.ofMillis(800));
    assertEquals("SourceTimeout", e.reason());
  }

  @Test
  void redirectsAreNotFollowed() {
    BoundedHttp.Response response = get("/redirect", Duration.ofSeconds(5));
    assertEquals(302, response.status());
  }

  @Test
  void aClosedPortIsUnreachableWithoutItsAddressInTheMessage() {
    MetricSourceException e;
    try {
      http.get(
              URI.create("http://127.0.0.1:9/x"), Map.of(), Duration.ofSeconds(2), null, "source x")
          .join();
      throw new AssertionError("answered");
    } catch (CompletionException ce) {
      e = (MetricSourceException) ce.getCause();
    }
    assertEquals("SourceUnreachable", e.reason());
    assertFalse(e.getMessage().contains("127.0.0.1"), e.getMessage());
    assertTrue(e.getMessage().startsWith("source x"), e.getMessage());
  }
}
