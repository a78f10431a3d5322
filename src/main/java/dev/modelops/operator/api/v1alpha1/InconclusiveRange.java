package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "self.min <= self.max",
    message = "inconclusive.min must not be greater than inconclusive.max")
public class InconclusiveRange {
  @Required
  @JsonPropertyDescription("Lowest inconclusive value.")
  public Double min;

  @Required
  @JsonPropertyDescription("Highest inconclusive value.")
  public Double max;
}
