package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.status.Conditions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Pure: how long drift waits after a retrain. The cooldown counts from the end of every retrain,
 * whatever its outcome; each failure in a row doubles it (cooldown × 2^(failures-1)), up to {@link
 * #MAX_BACKOFF} (or the cooldown itself when that is longer), and a success resets it. A model the
 * canary rolled back counts as a failure. So a trainer that fails at once, or keeps producing
 * models that fail their canary, starts one Job per cooldown, then fewer, never one after another.
 */
public final class RetrainBackoff {
  /** The longest a run of failures stretches the cooldown (a longer cooldown is kept as it is). */
  public static final Duration MAX_BACKOFF = Duration.ofHours(24);

  private RetrainBackoff() {}

  /** The cooldown in force after {@code consecutiveFailures} failed retrains in a row. */
  public static Duration cooldown(Duration configured, int consecutiveFailures) {
    if (consecutiveFailures <= 1 || configured.compareTo(MAX_BACKOFF) >= 0) {
      return configured;
    }
    Duration backedOff = configured;
    for (int i = 1; i < consecutiveFailures; i++) {
      backedOff = backedOff.multipliedBy(2);
      if (backedOff.compareTo(MAX_BACKOFF) >= 0) {
        return MAX_BACKOFF;
      }
    }
    return backedOff;
  }

  public static int consecutiveFailures(RetrainPolicyStatus status) {
    return status.consecutiveFailures == null ? 0 : status.consecutiveFailures;
  }

  /** The cooldown in force for this status. */
  public static Duration cooldown(RetrainPolicyStatus status, Duration configured) {
    return cooldown(configured, consecutiveFailures(status));
  }

  /**
   * Writes status.nextEligibleTime: when drift may trigger the next retrain (the end of the last
   * one plus the cooldown in force); unset before the first retrain has ended.
   */
  public static void schedule(RetrainPolicyStatus status, Duration configured) {
    status.nextEligibleTime =
        status.lastRetrainFinishedTime == null
            ? null
            : Conditions.timestamp(
                Instant.parse(status.lastRetrainFinishedTime).plus(cooldown(status, configured)));
  }

  /**
   * The run of failures at the head of the history (newest first): Jobs that failed and models the
   * canary rolled back; a retrain still running is skipped, any other ends the run. A rolled-back
   * model is known only after its Job counted as a success, so the run is recomputed then.
   */
  static int failuresInARow(List<RetrainRecord> newestFirst) {
    int failures = 0;
    for (RetrainRecord record : newestFirst) {
      if (record.outcome == RetrainRecord.Outcome.Running) {
        continue;
      }
      boolean failed =
          record.outcome == RetrainRecord.Outcome.Failed
              || record.promotion == RetrainRecord.Promotion.RolledBack;
      if (!failed) {
        break;
      }
      failures++;
    }
    return failures;
  }

  /** A retrain ended: a failure extends the run of failures, a success ends it. */
  static void count(RetrainPolicyStatus status, boolean failed) {
    status.consecutiveFailures = failed ? consecutiveFailures(status) + 1 : 0;
  }
}
