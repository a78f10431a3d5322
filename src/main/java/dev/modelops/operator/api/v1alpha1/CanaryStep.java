package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value =
        "(has(self.setWeight) ? 1 : 0) + (has(self.pause) ? 1 : 0) + (has(self.analysis) ? 1 : 0) == 1",
    message = "each canary step is exactly one of setWeight, pause or analysis")
public class CanaryStep {

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Give the canary this percentage (1-100) of the serving pods; the step ends when they are ready.")
  public Integer setWeight;

  @JsonPropertyDescription(
      "Wait: for `duration`, or without one until the modelops.dev/promote=<canary version>"
          + " annotation (or promote=true set after the rollout started).")
  public PauseStep pause;

  @JsonPropertyDescription(
      "Run rollout.analysis now: `count` measurements every `interval`; more than"
          + " `failureLimit` failures roll the canary back.")
  public AnalysisStep analysis;
}
