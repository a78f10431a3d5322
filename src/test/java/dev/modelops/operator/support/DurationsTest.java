package dev.modelops.operator.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void readsGoStyleDurations() {
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1s500ms"));
  }

  @Test
  void hugeValuesCannotOverflow() {
    assertEquals(Durations.LONGEST, Durations.parse("99999999999999999999999h"));
    assertEquals(Durations.LONGEST, Durations.parse("9223372036854775807ms9223372036854775807ms"));
    assertEquals(Durations.LONGEST, Durations.parse("87601h"));
  }

  @Test
  void floorsApply() {
    assertEquals(Duration.ofSeconds(10), Durations.atLeast(Duration.ofSeconds(1), "10s"));
    assertEquals(Duration.ofMinutes(2), Durations.atLeast(Duration.ofMinutes(2), "10s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1 hour"));
  }
}
