package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec.Concurrency;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetrainDecisionTest {
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  static final Duration FIVE_MIN = Duration.ofMinutes(5);

  /**
   * A policy with threshold 0.2, for 5m, cooldown 1h, Forbid, nothing running, no schedule, no
   * manual.
   */
  static RetrainDecision.Inputs inputs(Double score, Instant breachStart) {
    return new RetrainDecision.Inputs(
        false,
        score,
        0.2,
        FIVE_MIN,
        Duration.ofHours(1),
        Concurrency.Forbid,
        breachStart,
        null,
        false,
        Optional.empty(),
        Optional.empty(),
        false,
        NOW);
  }

  @Test
  void aScoreAtOrBelowTheThresholdIsNoBreach() {
    var out = RetrainDecision.decide(inputs(0.2, null));
    assertNull(out.breachStartedAt());
    assertTrue(out.start().isEmpty());
    assertTrue(
        out.wakeUpIn().isEmpty(), "nothing to wait for: the next measurement wakes the reconciler");
  }

  @Test
  void aNewBreachStartsNowAndWakesWhenItHasHeldLongEnough() {
    var out = RetrainDecision.decide(inputs(0.3, null));
    assertEquals(NOW, out.breachStartedAt());
    assertTrue(out.start().isEmpty());
    assertEquals(Optional.of(FIVE_MIN), out.wakeUpIn());
  }

  @Test
  void aBreachHeldForTheWholeDurationTriggersDrift() {
    var out = RetrainDecision.decide(inputs(0.3, NOW.minus(FIVE_MIN)));
    assertEquals(Trigger.drift, out.start().orElseThrow().trigger());
    assertFalse(out.start().get().replaceRunning());
  }

  @Test
  void aBreachThatStopsResetsTheClock() {
    assertNull(RetrainDecision.decide(inputs(0.1, NOW.minusSeconds(3600))).breachStartedAt());
  }

  @Test
  void anUnavailableSourceNeverTriggersAndResetsTheBreach() {
    var out = RetrainDecision.decide(inputs(null, NOW.minusSeconds(3600)));
    assertTrue(out.start().isEmpty());
    assertNull(out.breachStartedAt());
  }

  @Test
  void cooldownHoldsDriftBackUntilItEnds() {
    var in =
        new RetrainDecision.Inputs(
            false,
            0.9,
            0.2,
            Duration.ZERO,
            Duration.ofHours(1),
            Concurrency.Forbid,
            NOW.minusSeconds(7200),
            NOW.minusSeconds(600),
            false,
            Optional.empty(),
            Optional.empty(),
            false,
            NOW);
    var out = RetrainDecision.decide(in);
    assertTrue(out.start().isEmpty());
    assertEquals(Optional.of(Duration.ofMinutes(50)), out.wakeUpIn());
  }

  @Test
  void afterTheCooldownAStillHeldBreachTriggersAgain() {
    var in =
        new RetrainDecision.Inputs(
            false,
            0.9,
            0.2,
            Duration.ZERO,
            Duration.ofHours(1),
            Concurrency.Forbid,
            NOW.minusSeconds(7200),
            NOW.minusSeconds(3600),
            false,
            Optional.empty(),
            Optional.empty(),
            false,
            NOW);
    assertEquals(Trigger.drift, RetrainDecision.decide(in).start().orElseThrow().trigger());
  }

  @Test
  void driftNeverStartsASecondJobEvenUnderReplace() {
    for (Concurrency c : Concurrency.values()) {
      var in =
          new RetrainDecision.Inputs(
              false,
              0.9,
              0.2,
              Duration.ZERO,
              Duration.ZERO,
              c,
              NOW.minusSeconds(7200),
              null,
              false,
              Optional.empty(),
              Optional.empty(),
              true,
              NOW);
      assertTrue(RetrainDecision.decide(in).start().isEmpty(), c.name());
    }
  }

  @Test
  void manualBeatsEverythingAndIsNotHeldByCooldownOrThreshold() {
    var in =
        new RetrainDecision.Inputs(
            false,
            0.0,
            0.2,
            FIVE_MIN,
            Duration.ofHours(1),
            Concurrency.Forbid,
            null,
            NOW.minusSeconds(1),
            true,
            Optional.of(NOW),
            Optional.empty(),
            false,
            NOW);
    assertEquals(Trigger.manual, RetrainDecision.decide(in).start().orElseThrow().trigger());
  }

  @Test
  void manualWaitsForARunningJobUnderForbidAndReplacesItUnderReplace() {
    var forbid =
        new RetrainDecision.Inputs(
            false,
            null,
            0.2,
            FIVE_MIN,
            Duration.ZERO,
            Concurrency.Forbid,
            null,
            null,
            true,
            Optional.empty(),
            Optional.empty(),
            true,
            NOW);
    assertTrue(
        RetrainDecision.decide(forbid).start().isEmpty(),
        "the annotation stays until the Job ends");
    var replace =
        new RetrainDecision.Inputs(
            false,
            null,
            0.2,
            FIVE_MIN,
            Duration.ZERO,
            Concurrency.Replace,
            null,
            null,
            true,
            Optional.empty(),
            Optional.empty(),
            true,
            NOW);
    var start = RetrainDecision.decide(replace).start().orElseThrow();
    assertEquals(Trigger.manual, start.trigger());
    assertTrue(start.replaceRunning());
  }

  @Test
  void aDueScheduleSlotTriggersAndIsConsumed() {
    Instant slot = NOW.minusSeconds(30);
    var in =
        new RetrainDecision.Inputs(
            false,
            0.0,
            0.2,
            FIVE_MIN,
            Duration.ofHours(1),
            Concurrency.Forbid,
            null,
            NOW.minusSeconds(60),
            false,
            Optional.of(slot),
            Optional.of(NOW.plusSeconds(3600)),
            false,
            NOW);
    var out = RetrainDecision.decide(in);
    assertEquals(Trigger.schedule, out.start().orElseThrow().trigger());
    assertEquals(Optional.of(slot), out.consumedScheduleSlot());
  }

  @Test
  void aScheduleSlotDuringARunningJobIsSkippedAndConsumedUnderForbid() {
    Instant slot = NOW.minusSeconds(30);
    var in =
        new RetrainDecision.Inputs(
            false,
            0.0,
            0.2,
            FIVE_MIN,
            Duration.ZERO,
            Concurrency.Forbid,
            null,
            null,
            false,
            Optional.of(slot),
            Optional.of(NOW.plusSeconds(3600)),
            true,
            NOW);
    var out = RetrainDecision.decide(in);
    assertTrue(out.start().isEmpty());
    assertEquals(Optional.of(slot), out.consumedScheduleSlot());
    assertTrue(out.skipped().get(0).contains("Forbid"), out.skipped().toString());
    assertEquals(Optional.of(Duration.ofHours(1)), out.wakeUpIn(), "wakes for the next slot");
  }

  @Test
  void suspendStopsEveryTriggerButConsumesScheduleSlots() {
    var in =
        new RetrainDecision.Inputs(
            true,
            0.9,
            0.2,
            Duration.ZERO,
            Duration.ZERO,
            Concurrency.Replace,
            NOW.minusSeconds(3600),
            null,
            true,
            Optional.of(NOW),
            Optional.empty(),
            false,
            NOW);
    var out = RetrainDecision.decide(in);
    assertTrue(out.start().isEmpty());
    assertEquals(Optional.of(NOW), out.consumedScheduleSlot());
  }

  @Test
  void theWakeUpIsTheEarliestOfHoldAndNextSlot() {
    var in =
        new RetrainDecision.Inputs(
            false,
            0.9,
            0.2,
            FIVE_MIN,
            Duration.ZERO,
            Concurrency.Forbid,
            NOW.minusSeconds(60),
            null,
            false,
            Optional.empty(),
            Optional.of(NOW.plusSeconds(30)),
            false,
            NOW);
    assertEquals(Optional.of(Duration.ofSeconds(30)), RetrainDecision.decide(in).wakeUpIn());
  }
}
