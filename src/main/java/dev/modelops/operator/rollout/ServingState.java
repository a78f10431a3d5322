package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ServingModel;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import java.util.Optional;

/**
 * Pure: what a ModelDeployment's status says the stable pods serve. status.servingModel is the
 * state; a status written before that field existed is read from servingVersion and its Serving
 * history entry.
 */
public final class ServingState {
  private ServingState() {}

  /** The model the stable pods serve, if the status knows it. */
  public static Optional<ServingModel> served(ModelDeploymentStatus status) {
    if (status == null) {
      return Optional.empty();
    }
    if (status.servingModel != null
        && status.servingModel.version != null
        && status.servingModel.uri != null) {
      return Optional.of(status.servingModel);
    }
    if (status.servingVersion == null || status.history == null) {
      return Optional.empty();
    }
    return status.history.stream()
        .filter(h -> h.outcome == Outcome.Serving && status.servingVersion.equals(h.version))
        .filter(h -> h.uri != null)
        .findFirst()
        .map(h -> new ServingModel(h.version, h.uri));
  }

  /**
   * Whether a version has served before, as far as the status tells: a serving model or version, or
   * a Serving history entry. (Superseded is not proof: a version replaced before its rollout
   * finished is Superseded too.) A ModelDeployment that has served is never rolled straight to
   * spec.model under the Canary strategy.
   */
  public static boolean servedBefore(ModelDeploymentStatus status) {
    return status != null
        && (status.servingModel != null
            || status.servingVersion != null
            || (status.history != null
                && status.history.stream().anyMatch(h -> h.outcome == Outcome.Serving)));
  }
}
