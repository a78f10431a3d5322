package dev.modelops.operator.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.observability.Event;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which promote and abort requests act on the canary that runs. */
class CanaryRequestsTest {
  static final String PROMOTE = Keys.PROMOTE_ANNOTATION;
  static final String ABORT = Keys.ABORT_ANNOTATION;

  static RolloutStatus rollout(String canary) {
    return CanaryStateMachine.start(
        canary, "s3://m/" + canary, "1.0.0", "s3://m/1.0.0", Instant.parse("2026-11-27T10:00:00Z"));
  }

  @Test
  void theCanarysVersionActsOnItAndAnotherVersionDoesNot() {
    var promote = CanaryRequests.during(Map.of(PROMOTE, "2.0.0"), rollout("2.0.0"));
    assertTrue(promote.promote());
    assertNull(promote.ignoredRequests());
    assertTrue(promote.events().isEmpty());

    var other = CanaryRequests.during(Map.of(PROMOTE, "1.9.0"), rollout("2.0.0"));
    assertFalse(other.promote());
    assertEquals(Map.of(PROMOTE, "1.9.0"), other.ignoredRequests());
    assertEquals("RequestIgnored", other.events().get(0).reason());
    assertEquals(Event.Type.Warning, other.events().get(0).type());
    assertTrue(
        other.events().get(0).message().contains("annotate modelops.dev/promote=2.0.0"),
        other.events().get(0).message());

    var abort = CanaryRequests.during(Map.of(ABORT, "2.0.0"), rollout("2.0.0"));
    assertTrue(abort.abort());
    assertFalse(abort.promote());
  }

  @Test
  void trueSetBeforeTheRolloutStartedIsALeftoverAndIgnoredOnce() {
    Map<String, String> leftover = Map.of(PROMOTE, "true");
    var start = CanaryRequests.atStart(leftover, "3.0.0");
    assertEquals(Map.of(PROMOTE, "true"), start.ignoredRequests());
    assertEquals(1, start.events().size());
    assertTrue(start.events().get(0).message().contains("set before the rollout of 3.0.0"));

    RolloutStatus running = rollout("3.0.0");
    running.ignoredRequests = start.ignoredRequests();
    var later = CanaryRequests.during(leftover, running);
    assertFalse(later.promote(), "a leftover never promotes the next canary");
    assertEquals(Map.of(PROMOTE, "true"), later.ignoredRequests(), "kept until it is removed");
    assertTrue(later.events().isEmpty(), "reported once");

    var removed = CanaryRequests.during(Map.of(), running);
    assertNull(removed.ignoredRequests(), "forgotten once the operator removed it");
    running.ignoredRequests = removed.ignoredRequests();
    assertTrue(
        CanaryRequests.during(Map.of(PROMOTE, "true"), running).promote(),
        "true set after the rollout started acts");
  }

  @Test
  void theCanarysOwnVersionSetWithTheNewSpecActsOnceTheRolloutRuns() {
    var start = CanaryRequests.atStart(Map.of(PROMOTE, "3.0.0"), "3.0.0");
    assertNull(start.ignoredRequests());
    assertTrue(start.events().isEmpty());
    assertTrue(CanaryRequests.during(Map.of(PROMOTE, "3.0.0"), rollout("3.0.0")).promote());
  }

  @Test
  void aRequestChangedAfterItWasIgnoredIsReadAgain() {
    RolloutStatus running = rollout("3.0.0");
    running.ignoredRequests = new HashMap<>(Map.of(ABORT, "2.0.0"));
    var changed = CanaryRequests.during(Map.of(ABORT, "3.0.0"), running);
    assertTrue(changed.abort());
    assertNull(changed.ignoredRequests());
  }

  @Test
  void noRequestActsOnAVersionItDoesNotNameProperty() {
    Random r = new Random(3);
    String[] values = {"true", "1.0.0", "2.0.0", "3.0.0", "yes", "TRUE"};
    for (int i = 0; i < 2000; i++) {
      String canary = values[1 + r.nextInt(3)];
      Map<String, String> annotations = new HashMap<>();
      if (r.nextBoolean()) {
        annotations.put(PROMOTE, values[r.nextInt(values.length)]);
      }
      if (r.nextBoolean()) {
        annotations.put(ABORT, values[r.nextInt(values.length)]);
      }
      var start = CanaryRequests.atStart(annotations, canary);
      assertFalse(start.promote() || start.abort(), "nothing acts in the step that starts it");
      RolloutStatus running = rollout(canary);
      running.ignoredRequests = start.ignoredRequests();
      var read = CanaryRequests.during(annotations, running);
      String p = annotations.get(PROMOTE);
      String a = annotations.get(ABORT);
      assertEquals(canary.equals(p), read.promote(), "promote=" + p + " on " + canary);
      assertEquals(canary.equals(a), read.abort(), "abort=" + a + " on " + canary);
    }
  }
}
