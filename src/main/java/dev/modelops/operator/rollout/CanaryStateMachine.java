package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.api.v1alpha1.RolloutStatus.AnalysisStatus;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.support.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure: one step of a canary rollout. The whole state is RolloutStatus (in the ModelDeployment's
 * status), so a restarted operator resumes at the same step with the same analysis counters. Steps
 * advance on timers (the returned wake-up), never by polling.
 */
public final class CanaryStateMachine {
  static final int RESULTS_KEPT = 10;

  /** What the rollout does now. */
  public enum Action {
    Continue,
    Promote,
    Rollback
  }

  /**
   * @param canaryAvailable available canary pods that run the canary version
   * @param totalReplicas the ModelDeployment's desired replicas, from which a weight's pod count
   *     follows
   * @param podDeadline how long a setWeight step waits for its canary pods
   *     (progressDeadlineSeconds) before the canary is rolled back
   * @param measurements this step's measurement taken now (only when {@link #measurementDue} said
   *     so)
   */
  public record Inputs(
      List<CanaryStep> steps,
      AnalysisSpec analysis,
      RolloutStatus state,
      int canaryAvailable,
      int totalReplicas,
      Duration podDeadline,
      Optional<List<Measurement>> measurements,
      boolean promoteRequested,
      boolean abortRequested,
      Instant now) {}

  public record Decision(
      Action action,
      RolloutStatus state,
      String reason,
      String message,
      Optional<Duration> wakeUpIn) {
    static Decision of(Action action, RolloutStatus state, String reason, String message) {
      return new Decision(action, state, reason, message, Optional.empty());
    }
  }

  /** The rollback reason when the canary's pods were not ready within the pod deadline. */
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  private CanaryStateMachine() {}

  /** The state a rollout starts in: step 0, no canary pods yet. */
  public static RolloutStatus start(
      String canaryVersion, String canaryUri, String stableVersion, String stableUri, Instant now) {
    RolloutStatus state = new RolloutStatus();
    state.canaryVersion = canaryVersion;
    state.canaryUri = canaryUri;
    state.stableVersion = stableVersion;
    state.stableUri = stableUri;
    state.startedAt = Conditions.timestamp(now);
    state.stepIndex = 0;
    state.stepStartedAt = state.startedAt;
    state.weight = 0;
    return state;
  }

  /** Whether the current step is an analysis step whose next measurement is due now. */
  public static boolean measurementDue(
      List<CanaryStep> steps, AnalysisSpec analysis, RolloutStatus state, Instant now) {
    if (state.stepIndex >= steps.size()
        || steps.get(state.stepIndex).analysis == null
        || state.pausedReason != null) {
      return false;
    }
    return !nextMeasurementAt(analysis, state).isAfter(now);
  }

  /**
   * One interval after the previous measurement; the first one interval after the step started, so
   * the canary has served (and been scraped) for an interval before it is judged.
   */
  static Instant nextMeasurementAt(AnalysisSpec analysis, RolloutStatus state) {
    String last = state.analysis == null ? null : state.analysis.lastMeasuredAt;
    String from = last != null ? last : state.stepStartedAt;
    return from == null ? Instant.EPOCH : Instant.parse(from).plus(interval(analysis));
  }

  public static Decision next(Inputs in) {
    RolloutStatus state = in.state();
    if (in.abortRequested()) {
      return Decision.of(
          Action.Rollback,
          state,
          "Aborted",
          "rollout of " + state.canaryVersion + " aborted by annotation");
    }
    if (in.promoteRequested()) {
      return Decision.of(
          Action.Promote, state, "PromotedByAnnotation", "remaining steps skipped by annotation");
    }
    if (state.stepIndex >= in.steps().size()) {
      return Decision.of(Action.Promote, state, "AllStepsPassed", "every canary step passed");
    }
    CanaryStep step = in.steps().get(state.stepIndex);
    if (step.setWeight != null) {
      state.weight = step.setWeight;
      if (in.canaryAvailable() < canaryReplicas(in.totalReplicas(), state.weight)) {
        // The canary Deployment's own deadline cannot say it: the canary starts at zero pods,
        // complete, and a Deployment's deadline covers template changes, not scale-ups.
        Optional<Instant> deadline =
            Optional.ofNullable(state.stepStartedAt)
                .map(started -> Instant.parse(started).plus(in.podDeadline()));
        if (deadline.filter(d -> !in.now().isBefore(d)).isPresent()) {
          return Decision.of(
              Action.Rollback,
              state,
              PROGRESS_DEADLINE_EXCEEDED,
              "the canary's pods were not ready within progressDeadlineSeconds ("
                  + in.podDeadline().toSeconds()
                  + "s)");
        }
        return new Decision(
            Action.Continue,
            state,
            "WaitingForCanaryPods",
            "waiting for the canary pods of weight " + state.weight + "%",
            // Look again when they will be given up on.
            deadline.map(d -> Duration.between(in.now(), d).plusSeconds(1)));
      }
      return advance(in, state);
    }
    if (step.pause != null) {
      if (step.pause.duration == null) {
        state.pausedReason =
            "paused until promoted: annotate modelops.dev/promote="
                + state.canaryVersion
                + " (or abort="
                + state.canaryVersion
                + ")";
        return Decision.of(Action.Continue, state, "Paused", state.pausedReason);
      }
      Instant until = Instant.parse(state.stepStartedAt).plus(Durations.parse(step.pause.duration));
      if (until.isAfter(in.now())) {
        return new Decision(
            Action.Continue,
            state,
            "Pausing",
            "pausing until " + until,
            Optional.of(Duration.between(in.now(), until)));
      }
      return advance(in, state);
    }
    return analyse(in, state);
  }

  private static Decision analyse(Inputs in, RolloutStatus state) {
    if (state.pausedReason != null) {
      return Decision.of(Action.Continue, state, "Paused", state.pausedReason);
    }
    AnalysisSpec spec = in.analysis();
    if (state.analysis == null) {
      state.analysis = new AnalysisStatus();
    }
    AnalysisStatus counts = state.analysis;
    if (in.measurements().isPresent()) {
      List<Measurement> taken = in.measurements().get();
      Measurement.Verdict verdict =
          taken.stream().anyMatch(m -> m.verdict() == Measurement.Verdict.Failure)
              ? Measurement.Verdict.Failure
              : taken.stream().anyMatch(m -> m.verdict() == Measurement.Verdict.Inconclusive)
                  ? Measurement.Verdict.Inconclusive
                  : Measurement.Verdict.Success;
      switch (verdict) {
        case Success -> counts.successes++;
        case Failure -> counts.failures++;
        default -> counts.inconclusive++;
      }
      counts.lastMeasuredAt = Conditions.timestamp(in.now());
      List<String> results = new ArrayList<>();
      results.add(
          Conditions.cap(Conditions.timestamp(in.now()) + " " + verdict + ": " + taken, 512));
      results.addAll(counts.results);
      counts.results = new ArrayList<>(results.subList(0, Math.min(RESULTS_KEPT, results.size())));
    }
    int failureLimit = spec.failureLimitOrDefault();
    Integer stepCount = in.steps().get(state.stepIndex).analysis.count;
    int count = stepCount != null ? stepCount : spec.countOrDefault();
    if (counts.failures > failureLimit) {
      return Decision.of(
          Action.Rollback,
          state,
          "AnalysisFailed",
          counts.failures
              + " failed measurement(s), more than"
              + " failureLimit "
              + failureLimit
              + "; latest: "
              + (counts.results.isEmpty() ? "-" : counts.results.get(0)));
    }
    int done = counts.successes + counts.failures + counts.inconclusive;
    if (done >= count) {
      if (counts.successes == 0) {
        state.pausedReason =
            "analysis was inconclusive ("
                + counts.inconclusive
                + " of "
                + count
                + "): annotate modelops.dev/promote="
                + state.canaryVersion
                + " or abort="
                + state.canaryVersion;
        return Decision.of(Action.Continue, state, "AnalysisInconclusive", state.pausedReason);
      }
      return advance(in, state);
    }
    Duration wait = Duration.between(in.now(), nextMeasurementAt(spec, state));
    return new Decision(
        Action.Continue,
        state,
        "Analysing",
        "analysis " + done + "/" + count + " measurements, " + counts.failures + " failed",
        Optional.of(wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait));
  }

  /**
   * Moves to the next step and evaluates it at once, so zero-time steps do not cost a reconcile
   * each.
   */
  private static Decision advance(Inputs in, RolloutStatus state) {
    state.stepIndex++;
    state.stepStartedAt = Conditions.timestamp(in.now());
    state.analysis = null;
    state.pausedReason = null;
    return next(
        new Inputs(
            in.steps(),
            in.analysis(),
            state,
            in.canaryAvailable(),
            in.totalReplicas(),
            in.podDeadline(),
            Optional.empty(),
            false,
            false,
            in.now()));
  }

  static Duration interval(AnalysisSpec analysis) {
    return analysis.intervalOrDefault();
  }

  /**
   * Canary pods for a weight: at least one while the weight is above 0, never more than the total.
   */
  public static int canaryReplicas(int total, int weight) {
    if (weight <= 0 || total <= 0) {
      return 0;
    }
    return Math.min(total, Math.max(1, (int) Math.ceil(total * weight / 100.0)));
  }

  /** Stable pods: all of them when the canary surges, else what the canary leaves. */
  public static int stableReplicas(int total, int weight, boolean surge) {
    return surge ? total : total - canaryReplicas(total, weight);
  }
}
