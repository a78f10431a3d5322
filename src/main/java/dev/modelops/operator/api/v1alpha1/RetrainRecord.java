package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class RetrainRecord {

  /** What started a retrain. */
  public enum Trigger {
    drift,
    schedule,
    manual
  }

  /** How the retraining Job ended. */
  public enum Outcome {
    Running,
    Succeeded,
    Failed,
    Replaced
  }

  /** What became of the model the Job produced. */
  public enum Promotion {
    Pending,
    Promoted,
    AwaitingApproval,
    Superseded,
    NotPromoted,
    RolledBack
  }

  @JsonPropertyDescription("Name of the retraining Job.")
  public String job;

  @JsonPropertyDescription("drift, schedule or manual.")
  public Trigger trigger;

  @JsonPropertyDescription("The drift score when the retrain was triggered.")
  public Double score;

  @JsonPropertyDescription("When the Job was created.")
  public String startedAt;

  @JsonPropertyDescription("When the Job finished.")
  public String finishedAt;

  @JsonPropertyDescription(
      "Running, Succeeded, Failed or Replaced (by a newer trigger under concurrency Replace).")
  public Outcome outcome;

  @JsonPropertyDescription(
      "For Failed: why, as a CamelCase reason: JobFailed, JobDeleted (before it finished),"
          + " UnreadableResult (no usable termination message) or PromotionRejected (the API server"
          + " refused the model for the ModelDeployment).")
  public String reason;

  @JsonPropertyDescription("Version of the model the Job produced.")
  public String version;

  @JsonPropertyDescription("URI of the model the Job produced.")
  public String uri;

  @JsonPropertyDescription(
      "Pending, Promoted, AwaitingApproval, Superseded, NotPromoted or RolledBack.")
  public Promotion promotion;

  @JsonPropertyDescription(
      "For a registry model: the MLflow run that trained it, as the registry tells (copied from"
          + " the ModelDeployment's history once it resolved the version).")
  public String runId;

  @JsonPropertyDescription(
      "For a registry model: the alias (spec.registryAlias) set on its version once the"
          + " ModelDeployment served it.")
  public String registryAlias;

  @JsonPropertyDescription("What happened, in a sentence.")
  public String message;
}
