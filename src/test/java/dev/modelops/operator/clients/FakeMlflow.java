package dev.modelops.operator.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
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

/**
 * A tiny MLflow model registry on loopback, for the unit and mock tiers: registered models,
 * versions and aliases in memory, answering the REST 2.0 paths the operator uses the way MLflow
 * 3.17 does (checked against a real server: an unknown alias is 400 INVALID_PARAMETER_VALUE, an
 * unknown version or model 404 RESOURCE_DOES_NOT_EXIST). Faults: down (503), garbage (200 with a
 * body that is not JSON), slow (answers after a delay).
 */
public final class FakeMlflow implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A registered version. */
  public record Version(String source, String status, String runId) {}

  private final HttpServer server;
  private final Map<String, Map<String, Version>> models = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> aliases = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile boolean down;
  private volatile String garbage;
  private volatile long delayMillis;

  public FakeMlflow() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/2.0/mlflow/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Registers the next version of the model (creating the model), returns its number. */
  public synchronized String register(String model, String source, String runId) {
    Map<String, Version> versions = models.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
    String version = String.valueOf(versions.size() + 1);
    versions.put(version, new Version(source, "READY", runId));
    return version;
  }

  public void setStatus(String model, String version, String status) {
    Version v = models.get(model).get(version);
    models.get(model).put(version, new Version(v.source(), status, v.runId()));
  }

  public void alias(String model, String alias, String version) {
    aliases.computeIfAbsent(model, m -> new ConcurrentHashMap<>()).put(alias, version);
  }

  public String aliasOf(String model, String alias) {
    return aliases.getOrDefault(model, Map.of()).get(alias);
  }

  /** Deletes a version, and its aliases, as MLflow does. */
  public void delete(String model, String version) {
    models.get(model).remove(version);
    aliases.getOrDefault(model, Map.of()).values().removeIf(version::equals);
  }

  public void down(boolean down) {
    this.down = down;
  }

  public void garbage(String body) {
    this.garbage = body;
  }

  public void delay(long millis) {
    this.delayMillis = millis;
  }

  /** Clears every model, alias, fault and recorded request. */
  public void reset() {
    models.clear();
    aliases.clear();
    requests.clear();
    authorizations.clear();
    down = false;
    garbage = null;
    delayMillis = 0;
  }

  /** "GET /api/2.0/mlflow/...?..." of every request so far. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String path = exchange.getRequestURI().getPath().substring("/api/2.0/mlflow".length());
    requests.add(
        exchange.getRequestMethod()
            + " "
            + exchange.getRequestURI().getPath()
            + (query == null ? "" : "?" + query));
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.add(auth == null ? "" : auth);
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (down) {
      send(exchange, 503, "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\", \"message\": \"x\"}");
      return;
    }
    if (garbage != null) {
      send(exchange, 200, garbage);
      return;
    }
    Map<String, String> params = params(query);
    String name = params.get("name");
    switch (exchange.getRequestMethod() + " " + path) {
      case "GET /registered-models/alias" -> {
        String version = aliases.getOrDefault(name, Map.of()).get(params.get("alias"));
        if (!models.containsKey(name)) {
          error(exchange, 404, "RESOURCE_DOES_NOT_EXIST");
        } else if (version == null) {
          error(exchange, 400, "INVALID_PARAMETER_VALUE");
        } else {
          version(exchange, name, version);
        }
      }
      case "GET /model-versions/get" -> version(exchange, name, params.get("version"));
      case "GET /model-versions/get-download-uri" -> {
        Version v = models.getOrDefault(name, Map.of()).get(params.get("version"));
        if (v == null) {
          error(exchange, 404, "RESOURCE_DOES_NOT_EXIST");
        } else {
          send(exchange, 200, JSON.createObjectNode().put("artifact_uri", v.source()).toString());
        }
      }
      case "GET /registered-models/get" -> {
        if (!models.containsKey(name)) {
          error(exchange, 404, "RESOURCE_DOES_NOT_EXIST");
        } else {
          send(exchange, 200, "{\"registered_model\": {\"name\": \"" + name + "\"}}");
        }
      }
      case "POST /registered-models/alias" -> {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String model = body.path("name").asText();
        String version = body.path("version").asText();
        if (!models.getOrDefault(model, Map.of()).containsKey(version)) {
          error(exchange, 404, "RESOURCE_DOES_NOT_EXIST");
        } else {
          alias(model, body.path("alias").asText(), version);
          send(exchange, 200, "{}");
        }
      }
      default -> error(exchange, 404, "ENDPOINT_NOT_FOUND");
    }
  }

  private void version(HttpExchange exchange, String name, String version) throws IOException {
    Version v = models.getOrDefault(name, Map.of()).get(version);
    if (v == null) {
      error(exchange, 404, "RESOURCE_DOES_NOT_EXIST");
      return;
    }
    ObjectNode answer = JSON.createObjectNode();
    answer
        .putObject("model_version")
        .put("name", name)
        .put("version", version)
        .put("source", "models:/m-0123456789abcdef")
        .put("run_id", v.runId() == null ? "" : v.runId())
        .put("status", v.status())
        .put("current_stage", "None");
    send(exchange, 200, answer.toString());
  }

  private static void error(HttpExchange exchange, int status, String code) throws IOException {
    send(
        exchange,
        status,
        "{\"error_code\": \"" + code + "\", \"message\": \"secret internals of the registry\"}");
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> params(String query) {
    Map<String, String> params = new ConcurrentHashMap<>();
    if (query == null) {
      return params;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
