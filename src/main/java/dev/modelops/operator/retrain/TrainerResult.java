package dev.modelops.operator.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.ModelRules;
import dev.modelops.operator.api.v1alpha1.RegistryReference;
import java.util.List;
import java.util.Optional;

/**
 * The contract with the trainer: its container's termination message (/dev/termination-log) is JSON
 * {@code {"version": "...", "uri": "..."}} naming the model it produced (for a model it registered:
 * uri models:/NAME/VERSION, and version VERSION or left out). The version and URI are checked by
 * the rules admission applies to spec.model ({@link ModelRules}), so a result that passes is one
 * the API server accepts when it is promoted.
 */
public record TrainerResult(String version, String uri) {
  private static final ObjectMapper JSON = new ObjectMapper();

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
    if (json == null || !json.isObject()) {
      return problem(
          "the termination message is not a JSON object: " + abbreviate(terminationMessage));
    }
    String version = json.path("version").isValueNode() ? json.path("version").asText("") : "";
    String uri = json.path("uri").isValueNode() ? json.path("uri").asText("") : "";
    List<String> uriProblems = ModelRules.uriProblems(uri);
    if (ModelRules.isRegistryReference(uri) && !uriProblems.isEmpty()) {
      return unusableUri(uriProblems, terminationMessage);
    }
    Optional<RegistryReference> registered = RegistryReference.parse(uri);
    if (registered.isPresent() && !registered.get().pinned()) {
      return problem(
          "the termination message names a registry alias; a trainer's result must name the"
              + " version it registered, models:/NAME/VERSION: "
              + abbreviate(terminationMessage));
    }
    if (registered.isPresent() && version.isEmpty()) {
      // A registered model's version is the registry's: the trainer may leave it out.
      version = registered.get().version();
    }
    List<String> versionProblems = ModelRules.versionProblems(version);
    if (!versionProblems.isEmpty()) {
      return problem(
          "the termination message has no usable \"version\" ("
              + versionProblems.get(0)
              + "): "
              + abbreviate(terminationMessage));
    }
    if (!uriProblems.isEmpty()) {
      return unusableUri(uriProblems, terminationMessage);
    }
    List<String> problems = ModelRules.problems(version, uri);
    if (!problems.isEmpty()) {
      return problem(
          "the termination message's model would not be admitted ("
              + String.join("; ", problems)
              + "): "
              + abbreviate(terminationMessage));
    }
    return new Parsed(Optional.of(new TrainerResult(version, uri)), null);
  }

  private static Parsed unusableUri(List<String> problems, String terminationMessage) {
    return problem(
        "the termination message has no usable \"uri\" ("
            + String.join("; ", problems)
            + "): "
            + abbreviate(terminationMessage));
  }

  private static Parsed problem(String message) {
    return new Parsed(Optional.empty(), message);
  }

  private static String abbreviate(String text) {
    String flat = text.strip().replace('\n', ' ');
    return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
  }
}
