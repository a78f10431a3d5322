package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "self.minReplicas <= self.maxReplicas",
    message = "autoscaling.minReplicas must not be greater than autoscaling.maxReplicas")
@ValidationRule(
    value = "has(self.targetCPUUtilizationPercentage) || has(self.metric)",
    message = "autoscaling needs a target: set targetCPUUtilizationPercentage, metric, or both")
public class AutoscalingSpec {

  @Default("" + Defaults.MIN_REPLICAS)
  @Min(1)
  @JsonPropertyDescription("Fewest serving pods the autoscaler keeps (at least 1).")
  public Integer minReplicas;

  @Required
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most serving pods the autoscaler may create.")
  public Integer maxReplicas;

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "Average CPU utilisation, in percent of the CPU request, that the autoscaler keeps.")
  public Integer targetCPUUtilizationPercentage;

  @JsonPropertyDescription(
      "A per-pod custom metric (served by a custom metrics adapter) to scale on,"
          + " e.g. inference requests per second.")
  public CustomMetricSpec metric;

  public int minReplicasOrDefault() {
    return minReplicas != null ? minReplicas : Defaults.MIN_REPLICAS;
  }
}
