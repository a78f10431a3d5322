package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Defaults;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;

/**
 * How many serving pods a spec asks for; unset fields are read, never written back (GitOps owns the
 * spec).
 */
public final class ServingReplicas {
  private ServingReplicas() {}

  public static int desired(ModelDeploymentSpec spec) {
    if (spec.replicas != null) {
      return spec.replicas;
    }
    if (spec.autoscaling != null) {
      return spec.autoscaling.minReplicasOrDefault();
    }
    return Defaults.REPLICAS;
  }
}
