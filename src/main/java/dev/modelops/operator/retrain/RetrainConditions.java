package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus.Phase;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.support.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Pure: the policy's conditions and phase from its status and the latest measurement. */
public final class RetrainConditions {
  public static final String DRIFT_DETECTED = "DriftDetected";
  public static final String RETRAINING = "Retraining";
  public static final String SOURCE_AVAILABLE = "SourceAvailable";

  /**
   * A configuration problem that stops retraining (bad jobTemplate, schedule or target); null when
   * none.
   */
  public record Problem(Event.Reason code, String message) {
    public String reason() {
      return code.name();
    }
  }

  private RetrainConditions() {}

  public static void apply(
      RetrainPolicy policy,
      RetrainPolicyStatus status,
      Optional<DriftEvaluation> evaluation,
      Problem problem,
      Instant now) {
    Long generation = policy.getMetadata().getGeneration();
    boolean suspended = policy.getSpec().suspended();
    if (policy.getSpec().drift == null) {
      put(
          status,
          SOURCE_AVAILABLE,
          true,
          "NoDriftSource",
          "the policy retrains on its schedule only",
          generation,
          now);
      put(
          status,
          DRIFT_DETECTED,
          false,
          "NoDriftSource",
          "the policy retrains on its schedule only",
          generation,
          now);
    } else if (suspended) {
      put(status, SOURCE_AVAILABLE, false, "Suspended", "evaluation is suspended", generation, now);
      put(status, DRIFT_DETECTED, false, "Suspended", "evaluation is suspended", generation, now);
    } else if (evaluation.isEmpty()) {
      put(
          status,
          SOURCE_AVAILABLE,
          false,
          "NotYetEvaluated",
          "waiting for the first evaluation",
          generation,
          now);
      put(
          status,
          DRIFT_DETECTED,
          false,
          "NotYetEvaluated",
          "waiting for the first evaluation",
          generation,
          now);
    } else if (!evaluation.get().available()) {
      put(
          status,
          SOURCE_AVAILABLE,
          false,
          evaluation.get().problemReason(),
          evaluation.get().problem(),
          generation,
          now);
      put(
          status,
          DRIFT_DETECTED,
          false,
          "NoMeasurement",
          "no score while the source is unavailable; nothing is" + " triggered by drift",
          generation,
          now);
    } else {
      double threshold = policy.getSpec().drift.threshold;
      put(status, SOURCE_AVAILABLE, true, "ScoreMeasured", "the source answered", generation, now);
      if (status.breachStartedAt != null) {
        put(
            status,
            DRIFT_DETECTED,
            true,
            "ThresholdExceeded",
            "score "
                + status.score
                + " is above the threshold "
                + threshold
                + " since "
                + status.breachStartedAt
                + " (must hold for "
                + policy.getSpec().drift.forDuration
                + ")",
            generation,
            now);
      } else {
        put(
            status,
            DRIFT_DETECTED,
            false,
            "BelowThreshold",
            "score " + status.score + " is at or below the threshold " + threshold,
            generation,
            now);
      }
    }
    retraining(policy, status, problem, generation, now);
    status.phase =
        problem != null
            ? Phase.Degraded
            : suspended
                ? Phase.Suspended
                : status.activeJob != null
                    ? Phase.Retraining
                    : status.candidate != null
                        ? Phase.AwaitingApproval
                        : Conditions.isTrue(status.conditions, DRIFT_DETECTED)
                            ? Phase.Drifting
                            : Phase.Watching;
  }

  /**
   * Recomputes Retraining after the executor changed a retrain's record (a promotion the API server
   * rejected); a configuration problem (phase Degraded) stays as it is.
   */
  public static void refresh(RetrainPolicy policy, RetrainPolicyStatus status, Instant now) {
    if (status.phase != Phase.Degraded) {
      retraining(policy, status, null, policy.getMetadata().getGeneration(), now);
    }
  }

  private static void retraining(
      RetrainPolicy policy,
      RetrainPolicyStatus status,
      Problem problem,
      Long generation,
      Instant now) {
    if (problem != null) {
      put(status, RETRAINING, false, problem.reason(), problem.message(), generation, now);
    } else if (status.activeJob != null) {
      put(
          status,
          RETRAINING,
          true,
          "JobRunning",
          "retraining Job " + status.activeJob + " is running",
          generation,
          now);
    } else if (status.history.isEmpty()) {
      put(status, RETRAINING, false, "Idle", "no retrain yet", generation, now);
    } else {
      var last = status.history.get(0);
      if (last.outcome == RetrainRecord.Outcome.Running) {
        // The Job is done but its pod's termination message is not read yet (the kubelet may still
        // be writing it).
        put(
            status,
            RETRAINING,
            false,
            "ReadingResult",
            "Job " + last.job + " finished; reading the trainer's result",
            generation,
            now);
      } else {
        put(
            status,
            RETRAINING,
            false,
            "Last" + last.outcome,
            "last retrain (Job "
                + last.job
                + "): "
                + (last.message != null ? last.message : String.valueOf(last.outcome).toLowerCase())
                + nextRetrain(policy, status),
            generation,
            now);
      }
    }
  }

  /**
   * When drift may start the next retrain, for a policy that retrains on drift: a fixed time, so
   * the message does not change as the clock passes it.
   */
  static String nextRetrain(RetrainPolicy policy, RetrainPolicyStatus status) {
    if (policy.getSpec().drift == null || status.nextEligibleTime == null) {
      return "";
    }
    int failures = RetrainBackoff.consecutiveFailures(status);
    Duration configured = policy.getSpec().cooldownOrDefault();
    Duration inForce = RetrainBackoff.cooldown(configured, failures);
    return failures >= 2 && !inForce.equals(configured)
        ? "; "
            + failures
            + " failures in a row: drift may start the next retrain from "
            + status.nextEligibleTime
            + " (cooldown "
            + Durations.format(configured)
            + " backed off to "
            + Durations.format(inForce)
            + ")"
        : "; drift may start the next retrain from "
            + status.nextEligibleTime
            + " (cooldown "
            + Durations.format(inForce)
            + ")";
  }

  private static void put(
      RetrainPolicyStatus status,
      String type,
      boolean value,
      String reason,
      String message,
      Long generation,
      Instant now) {
    status.conditions =
        Conditions.put(
            status.conditions, Conditions.of(type, value, reason, message, generation, now));
  }
}
