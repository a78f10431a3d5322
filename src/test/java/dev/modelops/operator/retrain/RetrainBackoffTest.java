package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetrainBackoffTest {
  static final Duration HOUR = Duration.ofHours(1);

  @Test
  void theCooldownDoublesWithEachFailureInARowUpToTheCap() {
    assertEquals(HOUR, RetrainBackoff.cooldown(HOUR, 0), "no failure: the cooldown");
    assertEquals(HOUR, RetrainBackoff.cooldown(HOUR, 1), "one failure: the cooldown");
    assertEquals(Duration.ofHours(2), RetrainBackoff.cooldown(HOUR, 2));
    assertEquals(Duration.ofHours(4), RetrainBackoff.cooldown(HOUR, 3));
    assertEquals(Duration.ofHours(16), RetrainBackoff.cooldown(HOUR, 5));
    assertEquals(RetrainBackoff.MAX_BACKOFF, RetrainBackoff.cooldown(HOUR, 6), "32h is capped");
    assertEquals(RetrainBackoff.MAX_BACKOFF, RetrainBackoff.cooldown(HOUR, Integer.MAX_VALUE));
  }

  @Test
  void rolledBackModelsAndFailedJobsMakeTheRunARunningRetrainDoesNotEndIt() {
    var history =
        List.of(
            record(RetrainRecord.Outcome.Running, RetrainRecord.Promotion.Pending),
            record(RetrainRecord.Outcome.Succeeded, RetrainRecord.Promotion.RolledBack),
            record(RetrainRecord.Outcome.Failed, RetrainRecord.Promotion.NotPromoted),
            record(RetrainRecord.Outcome.Succeeded, RetrainRecord.Promotion.Promoted),
            record(RetrainRecord.Outcome.Failed, RetrainRecord.Promotion.NotPromoted));
    assertEquals(2, RetrainBackoff.failuresInARow(history));
    assertEquals(0, RetrainBackoff.failuresInARow(history.subList(3, 5)), "a promoted model");
    assertEquals(0, RetrainBackoff.failuresInARow(List.of()));
  }

  static RetrainRecord record(RetrainRecord.Outcome outcome, RetrainRecord.Promotion promotion) {
    RetrainRecord record = new RetrainRecord();
    record.outcome = outcome;
    record.promotion = promotion;
    return record;
  }

  @Test
  void aCooldownLongerThanTheCapIsKept() {
    Duration twoDays = Duration.ofDays(2);
    assertEquals(twoDays, RetrainBackoff.cooldown(twoDays, 7));
  }

  @Test
  void theBackoffNeverShortensTheCooldownNorPassesItsCapProperty() {
    Random r = new Random(17);
    for (int i = 0; i < 5000; i++) {
      Duration configured = Duration.ofSeconds(60 + r.nextInt(200_000));
      int failures = r.nextInt(80);
      Duration backedOff = RetrainBackoff.cooldown(configured, failures);
      String where = configured + " after " + failures + " failures";
      assertTrue(backedOff.compareTo(configured) >= 0, where + ": never shorter");
      Duration cap =
          configured.compareTo(RetrainBackoff.MAX_BACKOFF) > 0
              ? configured
              : RetrainBackoff.MAX_BACKOFF;
      assertTrue(backedOff.compareTo(cap) <= 0, where + ": never beyond the cap");
      assertTrue(
          RetrainBackoff.cooldown(configured, failures + 1).compareTo(backedOff) >= 0,
          where + ": one more failure never waits less");
    }
  }

  @Test
  void theNextEligibleTimeIsTheEndOfTheLastRetrainPlusTheCooldownInForce() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    RetrainBackoff.schedule(status, HOUR);
    assertNull(status.nextEligibleTime, "no retrain has ended yet");
    status.lastRetrainFinishedTime = "2026-11-27T12:00:00Z";
    RetrainBackoff.schedule(status, HOUR);
    assertEquals("2026-11-27T13:00:00Z", status.nextEligibleTime);
    RetrainBackoff.count(status, true);
    RetrainBackoff.count(status, true);
    RetrainBackoff.count(status, true);
    assertEquals(3, status.consecutiveFailures);
    RetrainBackoff.schedule(status, HOUR);
    assertEquals("2026-11-27T16:00:00Z", status.nextEligibleTime, "three failures: 4h");
    RetrainBackoff.count(status, false);
    assertEquals(0, status.consecutiveFailures, "a success ends the run");
    RetrainBackoff.schedule(status, HOUR);
    assertEquals("2026-11-27T13:00:00Z", status.nextEligibleTime);
  }
}
