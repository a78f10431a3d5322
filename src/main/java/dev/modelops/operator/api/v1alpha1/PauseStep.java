package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

public class PauseStep {
  @Size(max = 32)
  @ValidationRule(
      value = "self.matches('^([0-9]+(ms|s|m|h))+$')",
      message = "pause.duration must be a duration such as 30s or 10m")
  @JsonPropertyDescription("How long to wait, e.g. 10m. Leave it out to wait until promoted.")
  public String duration;
}
