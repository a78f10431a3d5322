package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

public class ModelDeploymentStatus {

  /** A one-word summary of the conditions, for `kubectl get`. */
  public enum Phase {
    Pending,
    Progressing,
    Ready,
    Degraded
  }

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Ready, Progressing and Degraded, in the metav1.Condition shape; ModelResolved too when"
          + " spec.model.uri is a registry reference.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Pending, Progressing, Ready or Degraded.")
  public Phase phase;

  @JsonPropertyDescription(
      "The model version all serving pods run, once a rollout has completed (servingModel.version;"
          + " kept for compatibility).")
  public String servingVersion;

  @JsonPropertyDescription(
      "The model the stable pods serve (version and URI), once a rollout has completed. Under the"
          + " Canary strategy the stable Deployment is rendered from it, never from spec.model, until a"
          + " canary is promoted; history truncation cannot drop it. If it is lost (status wiped), the"
          + " operator recovers it from the stable Deployment's pod template, or reports Degraded"
          + " (ServingModelUnknown) and leaves the pods as they are.")
  public ServingModel servingModel;

  @JsonPropertyDescription(
      "For a registry reference in spec.model.uri: the version and storage location it resolved"
          + " to, which spec.model stands for (the pods never see the alias). Kept while the"
          + " registry cannot be asked (condition ModelResolved).")
  public RegistryModel registry;

  @JsonPropertyDescription("In-cluster address of the model's Service.")
  public String url;

  @StatusReplicas
  @JsonPropertyDescription("Serving pods that exist (all versions).")
  public Integer replicas;

  @JsonPropertyDescription("Serving pods that are ready.")
  public Integer readyReplicas;

  @JsonPropertyDescription("readyReplicas/desired replicas, for kubectl get.")
  public String ready;

  @LabelSelector
  @JsonPropertyDescription(
      "Label selector of the serving pods (used by the scale subresource and HPAs).")
  public String selector;

  @JsonPropertyDescription(
      "The canary rollout in progress (strategy Canary): step, weight, versions, analysis.")
  public RolloutStatus rollout;

  @JsonPropertyDescription(
      "The last versions rolled out, newest first (at most 10), with their outcome.")
  public List<VersionHistoryEntry> history = new ArrayList<>();
}
