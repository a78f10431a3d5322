package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

@ValidationRule(
    value =
        "!has(self.autoscaling) || !has(self.replicas) || self.replicas == 0"
            + " || (self.replicas >= self.autoscaling.minReplicas && self.replicas <= self.autoscaling.maxReplicas)",
    message =
        "replicas must lie between autoscaling.minReplicas and autoscaling.maxReplicas"
            + " (or be 0 to scale to zero); with autoscaling you may also leave replicas unset")
public class ModelDeploymentSpec {

  @Required
  @JsonPropertyDescription("The model to serve: its name, version and where to download it from.")
  public ModelSpec model;

  @Required
  @JsonPropertyDescription(
      "The model server: container image, arguments, port, protocol, env and resources.")
  public RuntimeSpec runtime;

  @Min(0)
  @SpecReplicas
  @JsonPropertyDescription(
      "Number of serving pods. Unset means 1, or autoscaling.minReplicas when autoscaling"
          + " is set; with autoscaling the HorizontalPodAutoscaler writes this field through the scale"
          + " subresource, so leave it out of Git. `kubectl scale mdep/NAME --replicas=N` works too.")
  public Integer replicas;

  @JsonPropertyDescription(
      "Scale the serving pods with a HorizontalPodAutoscaler that targets this"
          + " ModelDeployment. Removing the block removes the HPA.")
  public AutoscalingSpec autoscaling;

  @JsonPropertyDescription("How a new model version reaches the pods.")
  public RolloutSpec rollout;

  @JsonPropertyDescription(
      "Where the serving pods may run: node selector, tolerations and affinity.")
  public SchedulingSpec scheduling;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "ServiceAccount of the serving pods (for example one that may read the model"
          + " bucket). Defaults to the namespace's `default` ServiceAccount.")
  public String serviceAccountName;
}
