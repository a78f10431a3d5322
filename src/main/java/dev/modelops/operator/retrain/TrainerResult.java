package dev.modelops.operator.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The contract with the trainer: its container's termination message (/dev/termination-log) is JSON
 * {@code {"version": "...", "uri": "..."}} naming the model it produced.
 */
public record TrainerResult(String version, String uri) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION =
      Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
  private static final Pattern URI = Pattern.compile("^(s3|gs|https|pvc|oci)://[^/].*$");

  /** Either a result or the reason it cannot be used. */
  public record Parsed(Optional<TrainerResult> result, String problem) {}

  public static Parsed parse(String terminationMessage) {
    if (terminationMessage == null || terminationMessage.isBlank()) {
      return problem(
          "the trainer wrote no termination message; it must write {\"version\": ..., \"uri\": ...}"
              + " to /dev/termination-log");
    }
    JsonNode json;
    try {
      json = JSON.readTree(terminationMessage);
    } catch (Exception e) {
      return problem("the termination message is not JSON: " + abbreviate(terminationMessage));
    }
    String version = json.path("version").asText("");
    String uri = json.path("uri").asText("");
    if (!VERSION.matcher(version).matches()) {
      return problem(
          "the termination message has no usable \"version\" (a label value such as 1.5.0): "
              + abbreviate(terminationMessage));
    }
    if (!URI.matcher(uri).matches()) {
      return problem(
          "the termination message has no usable \"uri\" (s3://, gs://, https://, pvc:// or oci://): "
              + abbreviate(terminationMessage));
    }
    return new Parsed(Optional.of(new TrainerResult(version, uri)), null);
  }

  private static Parsed problem(String message) {
    return new Parsed(Optional.empty(), message);
  }

  private static String abbreviate(String text) {
    String flat = text.strip().replace('\n', ' ');
    return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
  }
}
