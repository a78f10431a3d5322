package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Keys;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Map;
import java.util.Optional;

/** What the Deployment says about the rollout of one version, in kubectl-rollout-status terms. */
record DeploymentView(
    int replicas,
    int ready,
    int available,
    int updated,
    boolean rolledOut,
    boolean deadlineExceeded,
    String progressMessage,
    String replicaFailure) {

  static DeploymentView of(Optional<Deployment> maybe, String version, String uri) {
    if (maybe.isEmpty()) {
      return new DeploymentView(0, 0, 0, 0, false, false, null, null);
    }
    Deployment d = maybe.get();
    DeploymentStatus s = d.getStatus() != null ? d.getStatus() : new DeploymentStatus();
    int want = d.getSpec().getReplicas() != null ? d.getSpec().getReplicas() : 1;
    int replicas = orZero(s.getReplicas());
    int updated = orZero(s.getUpdatedReplicas());
    int available = orZero(s.getAvailableReplicas());
    Map<String, String> template = d.getSpec().getTemplate().getMetadata().getAnnotations();
    boolean templateIsThisVersion =
        template != null
            && version.equals(template.get(Keys.VERSION_ANNOTATION))
            && uri.equals(template.get(Keys.URI_ANNOTATION));
    boolean observed =
        s.getObservedGeneration() != null
            && d.getMetadata().getGeneration() != null
            && s.getObservedGeneration() >= d.getMetadata().getGeneration();
    boolean rolledOut =
        templateIsThisVersion
            && observed
            && updated == want
            && replicas == want
            && available >= want;
    Optional<DeploymentCondition> progressing = condition(s, "Progressing");
    boolean deadline =
        templateIsThisVersion
            && progressing
                .map(
                    c ->
                        "False".equals(c.getStatus())
                            && "ProgressDeadlineExceeded".equals(c.getReason()))
                .orElse(false);
    String failure =
        condition(s, "ReplicaFailure")
            .filter(c -> "True".equals(c.getStatus()))
            .map(DeploymentCondition::getMessage)
            .orElse(null);
    return new DeploymentView(
        replicas,
        orZero(s.getReadyReplicas()),
        available,
        updated,
        rolledOut,
        deadline,
        progressing.map(DeploymentCondition::getMessage).orElse(null),
        failure);
  }

  private static Optional<DeploymentCondition> condition(DeploymentStatus s, String type) {
    return s.getConditions() == null
        ? Optional.empty()
        : s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
