package dev.modelops.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00.123Z");
  static final Instant T1 = Instant.parse("2026-11-27T11:00:00Z");

  @Test
  void addsAMissingConditionWithSecondPrecision() {
    List<Condition> list =
        Conditions.put(List.of(), Conditions.of("Ready", true, "AllReplicasReady", "ok", 3L, T0));
    assertEquals(1, list.size());
    assertEquals("2026-11-27T10:00:00Z", list.get(0).getLastTransitionTime());
    assertEquals(3L, list.get(0).getObservedGeneration());
    assertTrue(Conditions.isTrue(list, "Ready"));
  }

  @Test
  void keepsTheTransitionTimeWhenOnlyReasonOrMessageChange() {
    List<Condition> list =
        Conditions.put(List.of(), Conditions.of("Ready", false, "A", "a", 1L, T0));
    list = Conditions.put(list, Conditions.of("Ready", false, "B", "b", 2L, T1));
    assertEquals("2026-11-27T10:00:00Z", list.get(0).getLastTransitionTime());
    assertEquals("B", list.get(0).getReason());
    assertEquals(2L, list.get(0).getObservedGeneration());
  }

  @Test
  void movesTheTransitionTimeWhenTheStatusFlips() {
    List<Condition> list =
        Conditions.put(List.of(), Conditions.of("Ready", false, "A", "a", 1L, T0));
    list = Conditions.put(list, Conditions.of("Ready", true, "B", "b", 1L, T1));
    assertEquals("2026-11-27T11:00:00Z", list.get(0).getLastTransitionTime());
  }

  @Test
  void leavesOtherConditionsAndTheirOrderAlone() {
    List<Condition> list =
        Conditions.put(List.of(), Conditions.of("Ready", true, "A", "a", 1L, T0));
    list = Conditions.put(list, Conditions.of("Degraded", false, "AsExpected", "", 1L, T0));
    list = Conditions.put(list, Conditions.of("Ready", false, "C", "c", 1L, T1));
    assertEquals(List.of("Ready", "Degraded"), list.stream().map(Condition::getType).toList());
    assertFalse(Conditions.isTrue(list, "Ready"));
    assertFalse(Conditions.isTrue(list, "Missing"));
  }
}
