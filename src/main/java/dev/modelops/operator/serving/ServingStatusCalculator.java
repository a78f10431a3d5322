package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus.Phase;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.ServingModel;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.Measurement;
import dev.modelops.operator.rollout.ServingState;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure: the one place that derives a ModelDeployment's status (history, rollout, replica counts,
 * conditions, phase) from its spec, its stored status and its Deployments as the cluster reports
 * them, plus the Events the change deserves and when to look again. One pass: open the history
 * entry of spec.model, take the canary step, see what the stable Deployment has rolled out, count
 * pods, derive the conditions.
 */
public final class ServingStatusCalculator {
  public static final String READY = ServingConditions.READY;
  public static final String PROGRESSING = ServingConditions.PROGRESSING;
  public static final String DEGRADED = ServingConditions.DEGRADED;
  public static final int HISTORY_LIMIT = 10;

  /** What the reconciler observed: the children and, when one was due, a canary measurement. */
  /**
   * @param podTrouble why the pods being waited for are not ready (PodTrouble), if they are not
   */
  public record Inputs(
      ModelDeployment md,
      Optional<Deployment> stable,
      Optional<Deployment> canary,
      Optional<List<Measurement>> measurements,
      Optional<String> podTrouble,
      Instant now) {}

  /**
   * @param canary the canary step taken (none for RollingUpdate), for the rollout metrics
   * @param wakeUpIn when to reconcile again although no watched object changes
   */
  public record Result(
      ModelDeploymentStatus status,
      List<Event> events,
      CanaryRollout.Step canary,
      Optional<Duration> wakeUpIn) {}

  private ServingStatusCalculator() {}

  /** The reconciler's pass. */
  public static Result compute(Inputs in) {
    ModelDeployment md = in.md();
    Draft draft = open(md, in.now());
    CanaryRollout.Step step =
        CanaryRollout.isCanary(md)
            ? CanaryRollout.advance(
                md,
                draft.status,
                in.canary(),
                ServingReplicas.desired(md.getSpec()),
                in.measurements(),
                in.podTrouble(),
                in.now())
            : CanaryRollout.Step.none();
    fold(draft, step, in.now());
    finish(draft, in.stable(), in.canary(), in.podTrouble(), in.now());
    if (step.rollout() != null && step.progressReason() != null) {
      draft.status.conditions =
          Conditions.put(
              draft.status.conditions,
              Conditions.of(
                  PROGRESSING,
                  true,
                  step.progressReason(),
                  step.progressMessage(),
                  md.getMetadata().getGeneration(),
                  in.now()));
      draft.status.phase = phase(draft.status);
    }
    Optional<Duration> wakeUp = step.wakeUpIn();
    if (CanaryRollout.isCanary(md) && childrenChange(md.getStatus(), draft.status)) {
      // The children's desired state comes from status (weight, stable version), and JOSDK does
      // not reconcile again after this controller's own status patch: ask for the next round now.
      wakeUp = Optional.of(Duration.ofSeconds(1));
    }
    return new Result(draft.status, draft.events, step, wakeUp);
  }

  /**
   * The status the serving Deployment alone gives, leaving a canary rollout as it is stored (no
   * step is taken): for RollingUpdate this is the whole pass.
   */
  public static Result compute(ModelDeployment md, Optional<Deployment> stable, Instant now) {
    Draft draft = open(md, now);
    finish(draft, stable, Optional.empty(), Optional.empty(), now);
    return new Result(draft.status, draft.events, CanaryRollout.Step.none(), Optional.empty());
  }

  /** The status being computed, with the Events it has produced so far. */
  private static final class Draft {
    final ModelDeployment md;
    final ModelDeploymentStatus before;
    final ModelDeploymentStatus status;
    final VersionHistoryEntry latest;
    final List<Event> events = new ArrayList<>();

    Draft(ModelDeployment md, Instant now) {
      this.md = md;
      this.before = md.getStatus() != null ? md.getStatus() : new ModelDeploymentStatus();
      this.status = StatusChange.copy(before, ModelDeploymentStatus.class);
      this.latest = openEntry(status, md, Conditions.timestamp(now), events);
    }
  }

  private static Draft open(ModelDeployment md, Instant now) {
    Draft draft = new Draft(md, now);
    draft.status.observedGeneration = md.getMetadata().getGeneration();
    draft.status.url = ServingNames.url(md);
    draft.status.selector = ServingNames.servingSelectorString(md);
    String version = md.getSpec().model.version;
    String uri = md.getSpec().model.uri;
    if (draft.status.servingModel == null) {
      // A status written before servingModel existed: read once from servingVersion and history.
      ServingState.served(draft.status).ifPresent(m -> draft.status.servingModel = m);
    }
    if (draft.latest.source == null) {
      ModelLineage.of(md, version)
          .filter(l -> uri.equals(l.uri()))
          .ifPresent(l -> draft.latest.source = source(l));
    }
    return draft;
  }

  /** The canary step's rollout state and, when it ended the rollout, its history entry. */
  private static void fold(Draft draft, CanaryRollout.Step step, Instant now) {
    ModelDeploymentStatus status = draft.status;
    status.rollout = step.rollout();
    draft.events.addAll(step.events());
    if (step.ending() == CanaryRollout.Ending.None) {
      return;
    }
    String version = draft.md.getSpec().model.version;
    String uri = draft.md.getSpec().model.uri;
    VersionHistoryEntry entry =
        status.history.stream()
            .filter(h -> h.version.equals(version) && Objects.equals(h.uri, uri))
            .findFirst()
            .orElse(draft.latest);
    entry.finishedAt = Conditions.timestamp(now);
    entry.message = Conditions.cap(step.endMessage(), Conditions.MAX_MESSAGE);
    if (step.ending() == CanaryRollout.Ending.Promoted) {
      status.history.stream()
          .filter(h -> h.outcome == Outcome.Serving)
          .forEach(h -> h.outcome = Outcome.Superseded);
      entry.outcome = Outcome.Serving;
      serve(status, version, uri);
    } else {
      entry.outcome = Outcome.RolledBack;
      entry.reason = step.endReason();
    }
  }

  /** What the stable Deployment has rolled out, the pods, the conditions and the phase. */
  private static void finish(
      Draft draft,
      Optional<Deployment> stable,
      Optional<Deployment> canary,
      Optional<String> podTrouble,
      Instant now) {
    ModelDeployment md = draft.md;
    ModelDeploymentStatus status = draft.status;
    VersionHistoryEntry latest = draft.latest;
    String version = md.getSpec().model.version;
    String uri = md.getSpec().model.uri;
    Long generation = md.getMetadata().getGeneration();
    String at = Conditions.timestamp(now);

    DeploymentView view = DeploymentView.of(stable, version, uri);
    int desired =
        stable.map(d -> d.getSpec().getReplicas()).orElse(ServingReplicas.desired(md.getSpec()));
    status.replicas = view.replicas();
    status.readyReplicas = view.ready();
    status.ready = view.ready() + "/" + desired;

    if (latest.outcome != Outcome.Serving && view.rolledOut()) {
      for (VersionHistoryEntry entry : status.history) {
        if (entry.outcome == Outcome.Serving) {
          entry.outcome = Outcome.Superseded;
        }
      }
      latest.outcome = Outcome.Serving;
      latest.finishedAt = at;
      latest.message = "all " + desired + " pods run this version";
      serve(status, version, uri);
      draft.events.add(
          Event.of(
              Reason.RolloutComplete,
              "model version " + version + " is serving on " + desired + " pods"));
    } else if (latest.outcome == Outcome.Progressing && view.deadlineExceeded()) {
      String why = view.progressMessage() + podTrouble.map(t -> "; " + t).orElse("");
      latest.outcome = Outcome.Failed;
      latest.finishedAt = at;
      latest.message = Conditions.cap(why, Conditions.MAX_MESSAGE);
      draft.events.add(
          Event.of(
              Reason.RolloutFailed,
              "model version "
                  + version
                  + " made no progress: "
                  + why
                  + ServingConditions.keepsServing(status)));
    }
    countCanaryPods(status, canary, ServingReplicas.desired(md.getSpec()));

    status.conditions =
        Conditions.put(
            status.conditions,
            ServingConditions.readyCondition(
                status, view, desired, stable.isPresent(), generation, now));
    status.conditions =
        Conditions.put(
            status.conditions,
            ServingConditions.progressingCondition(
                latest, view, desired, podTrouble, generation, now));
    var degraded = ServingConditions.degradedCondition(status, latest, view, generation, now);
    if (Conditions.TRUE.equals(degraded.getStatus())
        && "ReplicaFailure".equals(degraded.getReason())
        && !"ReplicaFailure"
            .equals(Conditions.reason(draft.before.conditions, DEGRADED).orElse(""))) {
      draft.events.add(Event.of(Reason.ReplicaFailure, degraded.getMessage()));
    }
    status.conditions = Conditions.put(status.conditions, degraded);
    status.phase = phase(status);
    status.history = truncate(status.history);
  }

  /** The model the stable pods serve from now on: state of its own, not a history entry. */
  private static void serve(ModelDeploymentStatus status, String version, String uri) {
    status.servingModel = new ServingModel(version, uri);
    status.servingVersion = version;
  }

  /**
   * The newest {@link #HISTORY_LIMIT} entries, and the Serving one even when it is older (ten
   * rolled-back canaries do not push out the version that serves).
   */
  static List<VersionHistoryEntry> truncate(List<VersionHistoryEntry> history) {
    if (history.size() <= HISTORY_LIMIT) {
      return history;
    }
    List<VersionHistoryEntry> kept = new ArrayList<>(history.subList(0, HISTORY_LIMIT));
    if (kept.stream().noneMatch(h -> h.outcome == Outcome.Serving)) {
      history.stream()
          .skip(HISTORY_LIMIT)
          .filter(h -> h.outcome == Outcome.Serving)
          .findFirst()
          .ifPresent(serving -> kept.set(HISTORY_LIMIT - 1, serving));
    }
    return kept;
  }

  /**
   * A new version (or a new URI for it) opens a history entry; the entry is the rollout's record.
   */
  private static VersionHistoryEntry openEntry(
      ModelDeploymentStatus status, ModelDeployment md, String at, List<Event> events) {
    String version = md.getSpec().model.version;
    String uri = md.getSpec().model.uri;
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
        Event.of(Reason.RolloutStarted, "rolling out model version " + version + " from " + uri));
    return started;
  }

  static ModelSource source(ModelLineage lineage) {
    ModelSource source = new ModelSource();
    source.policy = lineage.policy();
    source.job = lineage.job();
    source.trigger = lineage.trigger();
    source.driftScore = lineage.driftScore();
    source.promotedAt = lineage.promotedAt();
    return source;
  }

  public static Phase phase(ModelDeploymentStatus status) {
    return ServingConditions.phase(status);
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

  /** Whether the stable or canary Deployment's desired state differs between the two statuses. */
  static boolean childrenChange(ModelDeploymentStatus before, ModelDeploymentStatus after) {
    var was = before == null ? null : before.rollout;
    var now = after.rollout;
    boolean rolloutChanged =
        (was == null) != (now == null) || (was != null && !Objects.equals(was.weight, now.weight));
    return rolloutChanged
        || !Objects.equals(before == null ? null : before.servingVersion, after.servingVersion)
        || !Objects.equals(
            before == null || before.servingModel == null ? null : before.servingModel.uri,
            after.servingModel == null ? null : after.servingModel.uri);
  }
}
