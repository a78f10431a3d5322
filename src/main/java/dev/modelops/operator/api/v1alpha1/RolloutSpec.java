package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

public class RolloutSpec {

  /** How pods move to a new model version. */
  public enum Strategy { RollingUpdate }

  @Default("RollingUpdate")
  @JsonPropertyDescription("RollingUpdate replaces pods one batch at a time and never takes a ready pod away"
      + " before its replacement is ready (maxUnavailable 0).")
  public Strategy strategy;

  @Default("600")
  @Min(10)
  @Max(86400)
  @JsonPropertyDescription("Seconds a rollout may go without progress (e.g. pods that never get ready) before"
      + " the ModelDeployment is marked Degraded. The pods already serving keep serving.")
  public Integer progressDeadlineSeconds;
}
