package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class ModelDeploymentRef {
  @Required
  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Name of the ModelDeployment in the policy's namespace.")
  public String name;
}
