package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetrainScheduleTest {
  static final Instant MONDAY_0305 = Instant.parse("2026-11-30T03:05:00Z");

  @Test
  void theLatestSlotSinceTheLastRunIsDue() {
    RetrainSchedule mondays = RetrainSchedule.parse("0 3 * * 1");
    assertEquals(
        Optional.of(Instant.parse("2026-11-30T03:00:00Z")),
        mondays.dueSlot(Instant.parse("2026-11-23T03:00:00Z"), MONDAY_0305));
    assertTrue(
        mondays.dueSlot(Instant.parse("2026-11-30T03:00:00Z"), MONDAY_0305).isEmpty(),
        "already consumed");
    assertEquals(Optional.of(Instant.parse("2026-12-07T03:00:00Z")), mondays.nextSlot(MONDAY_0305));
  }

  @Test
  void missedSlotsCollapseIntoOne() {
    RetrainSchedule hourly = RetrainSchedule.parse("@hourly");
    assertEquals(
        Optional.of(Instant.parse("2026-11-30T03:00:00Z")),
        hourly.dueSlot(Instant.parse("2026-11-29T00:00:00Z"), MONDAY_0305));
  }

  @Test
  void aBadExpressionIsExplained() {
    var e = assertThrows(IllegalArgumentException.class, () -> RetrainSchedule.parse("61 * * * *"));
    assertTrue(e.getMessage().contains("not a valid cron expression"), e.getMessage());
  }
}
