package dev.modelops.operator.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus stand-in on loopback: every query gets the same one-sample vector (so the score
 * never changes and no measurement wakes a reconciler), and the arrival time of each query is kept
 * per policy, which the query names: model_drift_score{policy="NAME"}.
 */
final class DriftSource implements AutoCloseable {
  private static final Pattern POLICY = Pattern.compile("policy=\"([^\"]+)\"");
  private static final byte[] ANSWER =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"0.05\"]}]}}"
          .getBytes(StandardCharsets.UTF_8);
  private final HttpServer server;
  private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();

  /**
   * The port, reserved once, that the operator under test declares as its metric endpoint "bench"
   * (metric queries go only to declared endpoints).
   */
  static final int PORT = reservePort();

  static int reservePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** MODELOPS_METRIC_ENDPOINTS of the operator under test. */
  static String declaration() {
    return "bench=http://127.0.0.1:" + PORT;
  }

  DriftSource() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", PORT), 1024);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/api/v1/query",
        exchange -> {
          long now = System.nanoTime();
          String query =
              URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
          Matcher policy = POLICY.matcher(query);
          if (policy.find()) {
            arrivals.computeIfAbsent(policy.group(1), k -> new CopyOnWriteArrayList<>()).add(now);
          }
          exchange.sendResponseHeaders(200, ANSWER.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(ANSWER);
          }
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Arrival times (System.nanoTime) of each policy's queries. */
  Map<String, List<Long>> arrivals() {
    return arrivals;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
