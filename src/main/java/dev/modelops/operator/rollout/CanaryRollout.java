package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.api.v1alpha1.ServingModel;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Pure: one canary step of a ModelDeployment. Starts a rollout when a new version appears under the
 * Canary strategy, advances it (CanaryStateMachine) and ends it by promotion or rollback. It
 * returns what changes as a {@link Step}; the status calculator folds that into the status, its
 * history and its conditions, and the reconciler turns it into metrics.
 */
public final class CanaryRollout {
  /** Takes one measurement of every analysis query, asynchronously; never fails. */
  public interface Analyzer {
    CompletableFuture<List<Measurement>> measure(ModelDeployment md, AnalysisSpec analysis);
  }

  /** How this step ended the rollout, if it did. */
  public enum Ending {
    None,
    Promoted,
    RolledBack
  }

  /**
   * What one step changes.
   *
   * @param rollout the rollout state from now on; null when no canary runs
   * @param ending whether the rolled-out version is now serving or rolled back
   * @param endReason for a rollback: the history entry's reason (AnalysisFailed, Aborted)
   * @param endMessage the history entry's message when the rollout ended
   * @param progressReason the Progressing condition's reason while the rollout runs
   * @param progressMessage its message
   * @param started whether the rollout started in this step
   * @param duration since the rollout started, when it ended in this step
   */
  public record Step(
      RolloutStatus rollout,
      Ending ending,
      String endReason,
      String endMessage,
      String progressReason,
      String progressMessage,
      List<Event> events,
      Optional<Duration> wakeUpIn,
      boolean started,
      Duration duration) {

    /** No canary runs (and none starts). */
    public static Step none() {
      return new Step(
          null,
          Ending.None,
          null,
          null,
          null,
          null,
          List.of(),
          Optional.empty(),
          false,
          Duration.ZERO);
    }

    /** promoted or rolled_back, for the rollout metrics; empty while it runs. */
    public Optional<String> endedOutcome() {
      return switch (ending) {
        case Promoted -> Optional.of("promoted");
        case RolledBack -> Optional.of("rolled_back");
        case None -> Optional.empty();
      };
    }
  }

  private CanaryRollout() {}

  public static boolean isCanary(ModelDeployment md) {
    return md.getSpec().rollout != null
        && md.getSpec().rollout.strategyOrDefault() == RolloutSpec.Strategy.Canary;
  }

  /** Whether the rollout in the stored status is in an analysis step that is due a measurement. */
  public static boolean measurementDue(ModelDeployment md, Instant now) {
    RolloutStatus rollout = md.getStatus() == null ? null : md.getStatus().rollout;
    if (!isCanary(md) || rollout == null || !runsSpec(md, rollout)) {
      return false;
    }
    var spec = md.getSpec().rollout;
    return CanaryStateMachine.measurementDue(spec.steps, spec.analysis, rollout, now);
  }

  /**
   * Names the measurement that is due, so that a measurement taken for it is used once: the
   * rollout, its step and how many measurements the step has taken.
   */
  public static String measurementSlot(RolloutStatus rollout) {
    var counts = rollout.analysis;
    int taken = counts == null ? 0 : counts.successes + counts.failures + counts.inconclusive;
    return rollout.startedAt + "/" + rollout.stepIndex + "/" + taken;
  }

  /**
   * @param status the status being computed: history already has the entry of spec.model, rollout
   *     is the stored one; not modified
   * @param measurements taken now, when {@link #measurementDue} said so
   * @param podTrouble why the canary's pods are not ready (serving.PodTrouble), when they are not:
   *     said while waiting for them and in the rollback when they missed the progress deadline
   */
  public static Step advance(
      ModelDeployment md,
      ModelDeploymentStatus status,
      Optional<Deployment> canary,
      int totalReplicas,
      Optional<List<Measurement>> measurements,
      Optional<String> podTrouble,
      Instant now) {
    String version = md.getSpec().model.version;
    String uri = md.getSpec().model.uri;
    RolloutStatus stored = status.rollout;
    VersionHistoryEntry latest = status.history.get(0);

    if (stored == null || !runsSpec(md, stored)) {
      // The stable side is the model that serves (status.servingModel), never a history entry.
      Optional<ServingModel> serving = ServingState.served(status);
      boolean newVersion =
          latest.outcome == Outcome.Progressing
              && serving.isPresent()
              && !serving.get().is(version, uri);
      if (!newVersion) {
        return Step.none();
      }
      String stableVersion = stored != null ? stored.stableVersion : serving.get().version;
      String stableUri = stored != null ? stored.stableUri : serving.get().uri;
      RolloutStatus started = CanaryStateMachine.start(version, uri, stableVersion, stableUri, now);
      CanaryRequests.Read requests =
          CanaryRequests.atStart(md.getMetadata().getAnnotations(), version);
      started.ignoredRequests = requests.ignoredRequests();
      List<Event> events = new java.util.ArrayList<>();
      events.add(
          Event.of(
              Reason.CanaryStarted,
              "canary " + version + " starts beside stable " + stableVersion));
      events.addAll(requests.events());
      return new Step(
          started,
          Ending.None,
          null,
          null,
          "CanaryStarting",
          "canary " + version + " is starting",
          events,
          Optional.of(Duration.ofSeconds(1)),
          true,
          Duration.ZERO);
    }

    var spec = md.getSpec().rollout;
    RolloutStatus rollout = StatusChange.copy(stored, RolloutStatus.class);
    CanaryRequests.Read requests =
        CanaryRequests.during(md.getMetadata().getAnnotations(), rollout);
    rollout.ignoredRequests = requests.ignoredRequests();
    int previousStep = rollout.stepIndex;
    boolean wasPaused = rollout.pausedReason != null;
    var decision =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                spec.steps,
                spec.analysis,
                rollout,
                availableCanaryPods(canary, version, uri),
                totalReplicas,
                Duration.ofSeconds(spec.progressDeadlineSecondsOrDefault()),
                measurements,
                requests.promote(),
                requests.abort(),
                now));
    // Why the pods are not ready, where the decision is about them.
    boolean aboutPods =
        CanaryStateMachine.PROGRESS_DEADLINE_EXCEEDED.equals(decision.reason())
            || "WaitingForCanaryPods".equals(decision.reason());
    String decided =
        decision.message() + (aboutPods ? podTrouble.map(t -> "; " + t).orElse("") : "");
    Duration duration = Duration.between(Instant.parse(rollout.startedAt), now);

    return switch (decision.action()) {
      case Promote ->
          new Step(
              null,
              Ending.Promoted,
              null,
              "canary promoted: " + decision.message(),
              null,
              null,
              with(
                  requests.events(),
                  Event.of(
                      Reason.CanaryPromoted,
                      "canary " + version + " promoted (" + decision.message() + ")")),
              Optional.empty(),
              false,
              duration);
      case Rollback ->
          new Step(
              null,
              Ending.RolledBack,
              decision.reason(),
              decided,
              null,
              null,
              with(
                  requests.events(),
                  Event.of(
                      Reason.RolledBack,
                      "canary "
                          + version
                          + " rolled back ("
                          + decision.reason()
                          + "): "
                          + decided
                          + "; "
                          + rollout.stableVersion
                          + " kept serving")),
              Optional.empty(),
              false,
              duration);
      case Continue -> {
        RolloutStatus next = decision.state();
        List<Event> events = new java.util.ArrayList<>(requests.events());
        if (next.stepIndex != previousStep) {
          events.add(
              Event.of(
                  Reason.CanaryStep,
                  "canary "
                      + version
                      + " reached step "
                      + (next.stepIndex + 1)
                      + "/"
                      + spec.steps.size()
                      + " at weight "
                      + next.weight
                      + "%"));
        }
        if (!wasPaused && next.pausedReason != null) {
          events.add(Event.of(Reason.CanaryPaused, "canary " + version + " " + next.pausedReason));
        }
        String message =
            "canary "
                + version
                + " step "
                + (next.stepIndex + 1)
                + "/"
                + spec.steps.size()
                + ", weight "
                + next.weight
                + "%: "
                + decided;
        yield new Step(
            next,
            Ending.None,
            null,
            null,
            decision.reason(),
            message,
            events,
            decision.wakeUpIn(),
            false,
            duration);
      }
    };
  }

  private static List<Event> with(List<Event> first, Event last) {
    List<Event> events = new java.util.ArrayList<>(first);
    events.add(last);
    return events;
  }

  /** Whether the rollout tests the model that spec.model names. */
  private static boolean runsSpec(ModelDeployment md, RolloutStatus rollout) {
    return md.getSpec().model.version.equals(rollout.canaryVersion)
        && md.getSpec().model.uri.equals(rollout.canaryUri);
  }

  static int availableCanaryPods(Optional<Deployment> canary, String version, String uri) {
    if (!runsVersion(canary, version, uri)) {
      return 0;
    }
    Integer available = canary.get().getStatus().getAvailableReplicas();
    return available != null ? available : 0;
  }

  /** The canary Deployment exists, has a status, and its pod template is this version's. */
  private static boolean runsVersion(Optional<Deployment> canary, String version, String uri) {
    if (canary.isEmpty() || canary.get().getStatus() == null) {
      return false;
    }
    Map<String, String> template =
        canary.get().getSpec().getTemplate().getMetadata().getAnnotations();
    return template != null
        && version.equals(template.get(Keys.VERSION_ANNOTATION))
        && uri.equals(template.get(Keys.URI_ANNOTATION));
  }
}
