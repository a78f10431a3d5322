package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class VersionHistoryEntry {

  /** What became of a version that was rolled out. */
  public enum Outcome {
    Progressing,
    Serving,
    Superseded,
    Failed,
    RolledBack
  }

  @JsonPropertyDescription("Model version.")
  public String version;

  @JsonPropertyDescription(
      "Model URI of that version, so that going back is one edit of spec.model.")
  public String uri;

  @JsonPropertyDescription("When the rollout of this version started (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When the rollout finished, successfully or not (RFC 3339).")
  public String finishedAt;

  @JsonPropertyDescription(
      "Progressing (its rollout is running), Serving (all pods run it), Superseded (a later"
          + " version replaced it), Failed (its rollout made no progress before the deadline) or RolledBack (its canary"
          + " failed analysis or was aborted; it is not rolled out again until spec.model changes).")
  public Outcome outcome;

  @JsonPropertyDescription(
      "For Failed and RolledBack: why, as a CamelCase reason (e.g. AnalysisFailed, Aborted).")
  public String reason;

  @JsonPropertyDescription("Why the version was rolled out or how it ended, in a sentence.")
  public String message;

  @JsonPropertyDescription(
      "Where this version came from, when a RetrainPolicy produced it (unset for versions"
          + " written by a person).")
  public ModelSource source;

  @JsonPropertyDescription(
      "For a version from a model registry: its registered name, version, storage location and run.")
  public RegistryModel registry;

  @JsonPropertyDescription(
      "The registry alias the operator moves to this version once it serves (a RetrainPolicy's"
          + " registryAlias), and whether it has.")
  public RegistryAliasUpdate aliasUpdate;

  public VersionHistoryEntry() {}

  public VersionHistoryEntry(String version, String uri, String startedAt, Outcome outcome) {
    this.version = version;
    this.uri = uri;
    this.startedAt = startedAt;
    this.outcome = outcome;
  }
}
