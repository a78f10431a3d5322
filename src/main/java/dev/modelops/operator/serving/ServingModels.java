package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.CanaryStateMachine;

/**
 * Pure: which model each track runs and how many pods it gets. Under RollingUpdate the stable track
 * simply follows spec.model. Under Canary it keeps the version that is serving until a canary is
 * promoted (the history says so), so a spec change alone never touches the stable pods.
 */
public final class ServingModels {
  public record Model(String version, String uri) {}

  private ServingModels() {}

  public static boolean isCanary(ModelDeployment md) {
    return CanaryRollout.isCanary(md);
  }

  public static Model stable(ModelDeployment md) {
    Model wanted = new Model(md.getSpec().model.version, md.getSpec().model.uri);
    if (!isCanary(md)) {
      return wanted;
    }
    ModelDeploymentStatus status = md.getStatus();
    if (status != null && status.rollout != null) {
      return new Model(status.rollout.stableVersion, status.rollout.stableUri);
    }
    VersionHistoryEntry serving =
        status == null || status.history == null
            ? null
            : status.history.stream()
                .filter(h -> h.outcome == VersionHistoryEntry.Outcome.Serving)
                .findFirst()
                .orElse(null);
    // Nothing served yet: the first version goes straight to the stable pods (there is nothing to
    // compare).
    return serving == null ? wanted : new Model(serving.version, serving.uri);
  }

  public static Model canary(ModelDeployment md) {
    var rollout = md.getStatus().rollout;
    return new Model(rollout.canaryVersion, rollout.canaryUri);
  }

  public static boolean canaryRunning(ModelDeployment md) {
    return isCanary(md) && md.getStatus() != null && md.getStatus().rollout != null;
  }

  public static int stableReplicas(ModelDeployment md) {
    int total = ServingReplicas.desired(md.getSpec());
    if (!canaryRunning(md)) {
      return total;
    }
    boolean surge = md.getSpec().rollout.surgeOrDefault();
    return CanaryStateMachine.stableReplicas(total, weight(md), surge);
  }

  public static int canaryReplicas(ModelDeployment md) {
    return canaryRunning(md)
        ? CanaryStateMachine.canaryReplicas(ServingReplicas.desired(md.getSpec()), weight(md))
        : 0;
  }

  private static int weight(ModelDeployment md) {
    Integer weight = md.getStatus().rollout.weight;
    return weight == null ? 0 : weight;
  }
}
