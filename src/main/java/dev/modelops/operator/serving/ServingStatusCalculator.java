package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus.Phase;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure: derives a ModelDeployment's status (conditions, phase, history) from its spec, its previous
 * status and the serving Deployment as the cluster reports it, plus the Events that the change
 * deserves.
 */
public final class ServingStatusCalculator {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final int HISTORY_LIMIT = 10;

  public record Result(ModelDeploymentStatus status, List<Event> events) {}

  private ServingStatusCalculator() {}

  public static Result compute(ModelDeployment md, Optional<Deployment> deployment, Instant now) {
    List<Event> events = new ArrayList<>();
    ModelDeploymentStatus before =
        md.getStatus() != null ? md.getStatus() : new ModelDeploymentStatus();
    ModelDeploymentStatus status = StatusChange.copy(before, ModelDeploymentStatus.class);
    String version = md.getSpec().model.version;
    String uri = md.getSpec().model.uri;
    Long generation = md.getMetadata().getGeneration();
    String at = Conditions.timestamp(now);

    status.observedGeneration = generation;
    status.url = ServingNames.url(md);
    status.selector = ServingNames.servingSelectorString(md);

    VersionHistoryEntry latest = startRolloutIfVersionChanged(status, version, uri, at, events);
    if (latest.source == null) {
      ModelLineage.of(md, version)
          .filter(l -> uri.equals(l.uri()))
          .ifPresent(l -> latest.source = source(l));
    }
    DeploymentView view = DeploymentView.of(deployment, version, uri);
    int desired =
        deployment
            .map(d -> d.getSpec().getReplicas())
            .orElse(ServingReplicas.desired(md.getSpec()));
    status.replicas = view.replicas;
    status.readyReplicas = view.ready;
    status.ready = view.ready + "/" + desired;

    if (latest.outcome != Outcome.Serving && view.rolledOut) {
      for (VersionHistoryEntry entry : status.history) {
        if (entry.outcome == Outcome.Serving) {
          entry.outcome = Outcome.Superseded;
        }
      }
      latest.outcome = Outcome.Serving;
      latest.finishedAt = at;
      latest.message = "all " + desired + " pods run this version";
      status.servingVersion = version;
      events.add(
          Event.normal(
              "RolloutComplete",
              "model version " + version + " is serving on " + desired + " pods"));
    } else if (latest.outcome == Outcome.Progressing && view.deadlineExceeded) {
      latest.outcome = Outcome.Failed;
      latest.finishedAt = at;
      latest.message = view.progressMessage;
      events.add(
          Event.warning(
              "RolloutFailed",
              "model version "
                  + version
                  + " made no progress: "
                  + view.progressMessage
                  + keepsServing(status)));
    }

    status.conditions =
        Conditions.put(
            status.conditions,
            readyCondition(status, view, desired, deployment.isPresent(), generation, now));
    status.conditions =
        Conditions.put(
            status.conditions, progressingCondition(latest, view, desired, generation, now));
    var degraded = degradedCondition(status, latest, view, generation, now);
    if (Conditions.TRUE.equals(degraded.getStatus())
        && "ReplicaFailure".equals(degraded.getReason())
        && !"ReplicaFailure".equals(Conditions.reason(before.conditions, DEGRADED).orElse(""))) {
      events.add(Event.warning("ReplicaFailure", degraded.getMessage()));
    }
    status.conditions = Conditions.put(status.conditions, degraded);
    status.phase = phase(status);
    if (status.history.size() > HISTORY_LIMIT) {
      status.history = new ArrayList<>(status.history.subList(0, HISTORY_LIMIT));
    }
    return new Result(status, events);
  }

  /**
   * A new version (or a new URI for it) opens a history entry; the entry is the rollout's record.
   */
  private static VersionHistoryEntry startRolloutIfVersionChanged(
      ModelDeploymentStatus status, String version, String uri, String at, List<Event> events) {
    if (status.history == null) {
      status.history = new ArrayList<>();
    }
    VersionHistoryEntry latest = status.history.isEmpty() ? null : status.history.get(0);
    if (latest != null && latest.version.equals(version) && Objects.equals(latest.uri, uri)) {
      return latest;
    }
    if (latest != null && latest.outcome == Outcome.Progressing) {
      latest.outcome = Outcome.Superseded;
      latest.finishedAt = at;
      latest.message = "replaced by version " + version + " before its rollout finished";
    }
    VersionHistoryEntry started = new VersionHistoryEntry(version, uri, at, Outcome.Progressing);
    status.history.add(0, started);
    events.add(
        Event.normal("RolloutStarted", "rolling out model version " + version + " from " + uri));
    return started;
  }

  private static ModelSource source(ModelLineage lineage) {
    ModelSource source = new ModelSource();
    source.policy = lineage.policy();
    source.job = lineage.job();
    source.trigger = lineage.trigger();
    source.driftScore = lineage.driftScore();
    source.promotedAt = lineage.promotedAt();
    return source;
  }

  private static io.fabric8.kubernetes.api.model.Condition readyCondition(
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
    if (view.available >= desired && status.servingVersion != null) {
      return Conditions.of(
          READY,
          true,
          "AllReplicasReady",
          view.ready + "/" + desired + " pods ready, serving version " + status.servingVersion,
          generation,
          now);
    }
    return Conditions.of(
        READY,
        false,
        "ReplicasNotReady",
        view.available + "/" + desired + " pods available",
        generation,
        now);
  }

  private static io.fabric8.kubernetes.api.model.Condition progressingCondition(
      VersionHistoryEntry latest, DeploymentView view, int desired, Long generation, Instant now) {
    return switch (latest.outcome) {
      case Progressing ->
          Conditions.of(
              PROGRESSING,
              true,
              "RollingOut",
              "rolling out version "
                  + latest.version
                  + ": "
                  + view.updated
                  + "/"
                  + desired
                  + " pods updated",
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

  private static io.fabric8.kubernetes.api.model.Condition degradedCondition(
      ModelDeploymentStatus status,
      VersionHistoryEntry latest,
      DeploymentView view,
      Long generation,
      Instant now) {
    if (view.replicaFailure != null) {
      return Conditions.of(
          DEGRADED,
          true,
          "ReplicaFailure",
          "pods cannot be created: " + view.replicaFailure,
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

  private static String keepsServing(ModelDeploymentStatus status) {
    return status.servingVersion == null
        ? ""
        : "; version " + status.servingVersion + " keeps serving";
  }

  public static Phase phase(ModelDeploymentStatus status) {
    if (Conditions.isTrue(status.conditions, DEGRADED)) {
      return Phase.Degraded;
    }
    if (Conditions.isTrue(status.conditions, PROGRESSING)) {
      return Phase.Progressing;
    }
    return Conditions.isTrue(status.conditions, READY) ? Phase.Ready : Phase.Pending;
  }

  /**
   * While a canary runs its pods serve too: replicas, readyReplicas and ready count every version,
   * and ready compares them with spec.replicas (the stable Deployment alone is scaled down by the
   * weight).
   */
  public static void countCanaryPods(
      ModelDeploymentStatus status, Optional<Deployment> canary, int desired) {
    DeploymentStatus pods = canary.map(Deployment::getStatus).orElse(null);
    if (status.rollout == null || pods == null) {
      return;
    }
    status.replicas = count(status.replicas) + count(pods.getReplicas());
    status.readyReplicas = count(status.readyReplicas) + count(pods.getReadyReplicas());
    status.ready = status.readyReplicas + "/" + desired;
  }

  private static int count(Integer pods) {
    return pods == null ? 0 : pods;
  }

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
              && version.equals(template.get(ServingNames.VERSION_ANNOTATION))
              && uri.equals(template.get(ServingNames.URI_ANNOTATION));
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
}
