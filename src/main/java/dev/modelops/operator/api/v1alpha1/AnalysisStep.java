package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** A step that runs rollout.analysis; `analysis: {}` takes its settings as they are. */
public class AnalysisStep {
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Measurements for this step; defaults to rollout.analysis.count.")
  public Integer count;
}
