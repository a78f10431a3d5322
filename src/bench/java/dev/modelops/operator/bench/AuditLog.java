package dev.modelops.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts the requests of the operator's ServiceAccount in the API server's audit log (the cluster
 * logs only that user), by verb and resource, for requests received within a time window.
 */
final class AuditLog {
  static final Set<String> WRITE_VERBS =
      Set.of("create", "update", "patch", "delete", "deletecollection");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** "verb resource[/subresource]" → count; watches are counted when they end. */
  record Counts(Map<String, Long> byVerbAndResource) {
    long total() {
      return byVerbAndResource.values().stream().mapToLong(Long::longValue).sum();
    }

    long writes() {
      return byVerbAndResource.entrySet().stream()
          .filter(e -> WRITE_VERBS.contains(e.getKey().split(" ")[0]))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }

    Map<String, Long> byVerb() {
      Map<String, Long> verbs = new TreeMap<>();
      byVerbAndResource.forEach((k, v) -> verbs.merge(k.split(" ")[0], v, Long::sum));
      return verbs;
    }

    Map<String, Long> writesByResource() {
      Map<String, Long> writes = new TreeMap<>();
      byVerbAndResource.forEach(
          (k, v) -> {
            if (WRITE_VERBS.contains(k.split(" ")[0])) {
              writes.put(k, v);
            }
          });
      return writes;
    }
  }

  private AuditLog() {}

  static Counts count(Path log, Instant from, Instant to) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    if (!Files.exists(log)) {
      return new Counts(counts);
    }
    try (BufferedReader reader = Files.newBufferedReader(log)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode event = JSON.readTree(line);
        if (!BenchCluster.OPERATOR_USER.equals(event.path("user").path("username").asText())) {
          continue;
        }
        Instant received = Instant.parse(event.path("requestReceivedTimestamp").asText());
        if (received.isBefore(from) || !received.isBefore(to)) {
          continue;
        }
        JsonNode ref = event.path("objectRef");
        String resource =
            ref.path("resource").asText("-")
                + (ref.hasNonNull("subresource") ? "/" + ref.path("subresource").asText() : "");
        counts.merge(event.path("verb").asText() + " " + resource, 1L, Long::sum);
      }
    }
    return new Counts(counts);
  }
}
