package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus.Phase;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Optional;

/** Pure: the Ready, Progressing and Degraded conditions of a ModelDeployment, and its phase. */
final class ServingConditions {
  static final String READY = "Ready";
  static final String PROGRESSING = "Progressing";
  static final String DEGRADED = "Degraded";

  private ServingConditions() {}

  static Condition readyCondition(
      ModelDeploymentStatus status,
      DeploymentView view,
      int desired,
      boolean exists,
      Long generation,
      Instant now) {
    if (!exists) {
      return Conditions.of(
          READY,
          false,
          "DeploymentPending",
          "waiting for the serving Deployment to be created",
          generation,
          now);
    }
    if (desired == 0) {
      return Conditions.of(READY, true, "ScaledToZero", "scaled to zero replicas", generation, now);
    }
    if (view.available() >= desired && status.servingVersion != null) {
      return Conditions.of(
          READY,
          true,
          "AllReplicasReady",
          view.ready() + "/" + desired + " pods ready, serving version " + status.servingVersion,
          generation,
          now);
    }
    return Conditions.of(
        READY,
        false,
        "ReplicasNotReady",
        view.available() + "/" + desired + " pods available",
        generation,
        now);
  }

  static Condition progressingCondition(
      VersionHistoryEntry latest,
      DeploymentView view,
      int desired,
      Optional<String> podTrouble,
      Long generation,
      Instant now) {
    return switch (latest.outcome) {
      case Progressing ->
          Conditions.of(
              PROGRESSING,
              true,
              "RollingOut",
              "rolling out version "
                  + latest.version
                  + ": "
                  + view.updated()
                  + "/"
                  + desired
                  + " pods updated"
                  + podTrouble.map(t -> "; " + t).orElse(""),
              generation,
              now);
      case Failed ->
          Conditions.of(
              PROGRESSING,
              false,
              "RolloutFailed",
              "rollout of version " + latest.version + " failed: " + latest.message,
              generation,
              now);
      case RolledBack ->
          Conditions.of(
              PROGRESSING,
              false,
              "RolledBack",
              "version " + latest.version + " was rolled back",
              generation,
              now);
      default ->
          Conditions.of(
              PROGRESSING,
              false,
              "RolloutComplete",
              "version " + latest.version + " is rolled out",
              generation,
              now);
    };
  }

  static Condition degradedCondition(
      ModelDeploymentStatus status,
      VersionHistoryEntry latest,
      DeploymentView view,
      Long generation,
      Instant now) {
    if (view.replicaFailure() != null) {
      return Conditions.of(
          DEGRADED,
          true,
          "ReplicaFailure",
          "pods cannot be created: " + view.replicaFailure(),
          generation,
          now);
    }
    if (latest.outcome == Outcome.RolledBack) {
      return Conditions.of(
          DEGRADED,
          true,
          latest.reason != null ? latest.reason : "RolledBack",
          "version "
              + latest.version
              + " was rolled back: "
              + latest.message
              + keepsServing(status)
              + "; set spec.model to a new version (or back to the serving one)",
          generation,
          now);
    }
    if (latest.outcome == Outcome.Failed) {
      return Conditions.of(
          DEGRADED,
          true,
          "ProgressDeadlineExceeded",
          "version "
              + latest.version
              + " made no progress: "
              + latest.message
              + keepsServing(status),
          generation,
          now);
    }
    return Conditions.of(DEGRADED, false, "AsExpected", "no problem detected", generation, now);
  }

  static String keepsServing(ModelDeploymentStatus status) {
    return status.servingVersion == null
        ? ""
        : "; version " + status.servingVersion + " keeps serving";
  }

  static Phase phase(ModelDeploymentStatus status) {
    if (Conditions.isTrue(status.conditions, DEGRADED)) {
      return Phase.Degraded;
    }
    if (Conditions.isTrue(status.conditions, PROGRESSING)) {
      return Phase.Progressing;
    }
    return Conditions.isTrue(status.conditions, READY) ? Phase.Ready : Phase.Pending;
  }
}
