package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec.Concurrency;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure: whether a policy retrains now. Manual beats schedule beats drift. Drift counts only when
 * the source answers, the score stays above the threshold for `for`, the cooldown since the last
 * retrain has passed and no Job runs; drift never replaces a running Job (that Job is already the
 * answer to it).
 */
public final class RetrainDecision {

  /**
   * Everything the decision depends on; times are read from status, the Job informer and the clock.
   */
  public record Inputs(
      boolean suspended,
      Double score,
      double threshold,
      Duration holdFor,
      Duration cooldown,
      Concurrency concurrency,
      Instant breachStartedAt,
      Instant lastRetrainFinished,
      boolean manualRequested,
      Optional<Instant> dueScheduleSlot,
      Optional<Instant> nextScheduleSlot,
      boolean jobRunning,
      Instant now) {}

  /**
   * A retrain to start; {@code replaceRunning} deletes the running Job first (concurrency Replace).
   */
  public record Start(Trigger trigger, boolean replaceRunning) {}

  public record Outcome(
      Instant breachStartedAt,
      Optional<Start> start,
      Optional<Instant> consumedScheduleSlot,
      List<String> skipped,
      Optional<Duration> wakeUpIn) {}

  private RetrainDecision() {}

  public static Outcome decide(Inputs in) {
    boolean breaching = in.score() != null && in.score() > in.threshold();
    Instant breachStart =
        breaching ? (in.breachStartedAt() != null ? in.breachStartedAt() : in.now()) : null;
    List<String> skipped = new ArrayList<>();
    List<Duration> wakeUps = new ArrayList<>();
    in.nextScheduleSlot().ifPresent(next -> wakeUps.add(Duration.between(in.now(), next)));

    if (in.suspended()) {
      return new Outcome(
          breachStart,
          Optional.empty(),
          in.dueScheduleSlot(),
          in.dueScheduleSlot()
              .map(slot -> List.of("schedule slot " + slot + " skipped: the policy is suspended"))
              .orElse(List.of()),
          Optional.empty());
    }
    boolean mayStart = !in.jobRunning() || in.concurrency() == Concurrency.Replace;

    if (in.manualRequested() && mayStart) {
      return new Outcome(
          breachStart,
          Optional.of(new Start(Trigger.manual, in.jobRunning())),
          Optional.empty(),
          skipped,
          earliest(wakeUps));
    }
    if (in.dueScheduleSlot().isPresent()) {
      if (mayStart) {
        return new Outcome(
            breachStart,
            Optional.of(new Start(Trigger.schedule, in.jobRunning())),
            in.dueScheduleSlot(),
            skipped,
            earliest(wakeUps));
      }
      skipped.add(
          "schedule slot "
              + in.dueScheduleSlot().get()
              + " skipped: a retraining Job is still running"
              + " (concurrency Forbid)");
    }
    if (breaching && !in.jobRunning()) {
      Instant heldUntil = breachStart.plus(in.holdFor());
      Instant cooledAt =
          in.lastRetrainFinished() == null
              ? in.now()
              : in.lastRetrainFinished().plus(in.cooldown());
      Instant eligible = heldUntil.isAfter(cooledAt) ? heldUntil : cooledAt;
      if (!eligible.isAfter(in.now())) {
        return new Outcome(
            breachStart,
            Optional.of(new Start(Trigger.drift, false)),
            in.dueScheduleSlot(),
            skipped,
            earliest(wakeUps));
      }
      wakeUps.add(Duration.between(in.now(), eligible));
    }
    return new Outcome(
        breachStart, Optional.empty(), in.dueScheduleSlot(), skipped, earliest(wakeUps));
  }

  private static Optional<Duration> earliest(List<Duration> durations) {
    return durations.stream()
        .filter(d -> !d.isNegative())
        .min(Duration::compareTo)
        .map(d -> d.isZero() ? Duration.ofSeconds(1) : d);
  }
}
