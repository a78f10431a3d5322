package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class RetrainCandidate {
  @JsonPropertyDescription(
      "Version the Job produced; approve it with the annotation modelops.dev/approve=<version>.")
  public String version;

  @JsonPropertyDescription("URI of the model the Job produced.")
  public String uri;

  @JsonPropertyDescription("The Job that produced it.")
  public String job;
}
