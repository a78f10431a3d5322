package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Lineage of a version that a RetrainPolicy produced and promoted. */
public class ModelSource {
  @JsonPropertyDescription("The RetrainPolicy that promoted this version.")
  public String policy;

  @JsonPropertyDescription("The retraining Job that produced it.")
  public String job;

  @JsonPropertyDescription("What started the retrain: drift, schedule or manual.")
  public String trigger;

  @JsonPropertyDescription("The drift score when the retrain was triggered.")
  public Double driftScore;

  @JsonPropertyDescription("When it was promoted (RFC 3339).")
  public String promotedAt;
}
