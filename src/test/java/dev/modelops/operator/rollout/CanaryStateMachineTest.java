package dev.modelops.operator.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisStep;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.PauseStep;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.rollout.CanaryStateMachine.Action;
import dev.modelops.operator.status.StatusChange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanaryStateMachineTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final int TOTAL = 4;
  static final Duration POD_DEADLINE = Duration.ofMinutes(10);

  /**
   * setWeight 25, pause 1m, analysis (3 x 30s, 1 failure tolerated), setWeight 50, indefinite
   * pause.
   */
  static final List<CanaryStep> STEPS =
      List.of(weight(25), pause("1m"), analysis(), weight(50), pause(null));

  static final AnalysisSpec ANALYSIS = analysisSpec(3, 1);

  @Test
  void aNewRolloutStartsAtStepZeroWithNoCanaryPods() {
    RolloutStatus s = CanaryStateMachine.start("2", "s3://m/2", "1", "s3://m/1", T0);
    assertEquals(0, s.stepIndex);
    assertEquals(0, s.weight);
    assertEquals("1", s.stableVersion);
  }

  @Test
  void setWeightWaitsForTheCanaryPodsThenMovesOn() {
    RolloutStatus s = start();
    var waiting = step(s, 0, Optional.empty(), T0);
    assertEquals(Action.Continue, waiting.action());
    assertEquals("WaitingForCanaryPods", waiting.reason());
    assertEquals(25, waiting.state().weight);
    assertEquals(0, waiting.state().stepIndex);

    var ready = step(waiting.state(), 1, Optional.empty(), T0.plusSeconds(5));
    assertEquals(1, ready.state().stepIndex, "one pod of 4 is 25%");
    assertEquals("Pausing", ready.reason());
    assertEquals(Optional.of(Duration.ofMinutes(1)), ready.wakeUpIn());
  }

  @Test
  void aTimedPauseEndsOnItsTimerAndTheAnalysisStarts() {
    RolloutStatus s = at(1, T0);
    var early = step(s, 1, Optional.empty(), T0.plusSeconds(20));
    assertEquals(Optional.of(Duration.ofSeconds(40)), early.wakeUpIn());
    assertEquals(1, early.state().stepIndex);
    var done = step(s, 1, Optional.empty(), T0.plusSeconds(60));
    assertEquals(2, done.state().stepIndex);
    assertFalse(
        CanaryStateMachine.measurementDue(STEPS, ANALYSIS, done.state(), T0.plusSeconds(60)),
        "the canary serves one interval before it is judged");
    assertEquals(Optional.of(Duration.ofSeconds(30)), done.wakeUpIn());
    assertTrue(
        CanaryStateMachine.measurementDue(STEPS, ANALYSIS, done.state(), T0.plusSeconds(90)));
  }

  @Test
  void anAnalysisThatPassesAdvancesAfterCountMeasurementsOnItsInterval() {
    RolloutStatus s = at(2, T0);
    assertFalse(CanaryStateMachine.measurementDue(STEPS, ANALYSIS, s, T0.plusSeconds(29)));
    Instant t = T0.plusSeconds(30);
    for (int i = 0; i < 2; i++) {
      assertTrue(CanaryStateMachine.measurementDue(STEPS, ANALYSIS, s, t));
      var d = step(s, 1, Optional.of(List.of(good())), t);
      assertEquals(Action.Continue, d.action());
      assertEquals(Optional.of(Duration.ofSeconds(30)), d.wakeUpIn());
      s = d.state();
      assertTrue(
          !CanaryStateMachine.measurementDue(STEPS, ANALYSIS, s, t.plusSeconds(10)),
          "not before the interval");
      t = t.plusSeconds(30);
    }
    var third = step(s, 1, Optional.of(List.of(good())), t);
    assertEquals(3, third.state().stepIndex, "moves on to setWeight 50");
    assertEquals(50, third.state().weight);
    assertEquals("WaitingForCanaryPods", third.reason(), "1 canary pod is not 50% of 4");
    assertNull(third.state().analysis, "counters belong to their step");
  }

  @Test
  void canaryPodsThatAreNotReadyWithinTheDeadlineRollBack() {
    RolloutStatus s = start();
    var waiting = step(s, 0, Optional.empty(), T0.plusSeconds(60));
    assertEquals(Action.Continue, waiting.action());
    assertEquals(
        Optional.of(POD_DEADLINE.minusSeconds(60).plusSeconds(1)),
        waiting.wakeUpIn(),
        "looks again when the pods will be given up on");

    var late = step(waiting.state(), 0, Optional.empty(), T0.plus(POD_DEADLINE));
    assertEquals(Action.Rollback, late.action());
    assertEquals(CanaryStateMachine.PROGRESS_DEADLINE_EXCEEDED, late.reason());
    assertTrue(late.message().contains("600s"), late.message());

    var abort = late.state();
    var aborted =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                STEPS,
                ANALYSIS,
                abort,
                0,
                TOTAL,
                POD_DEADLINE,
                Optional.empty(),
                false,
                true,
                T0.plus(POD_DEADLINE)));
    assertEquals("Aborted", aborted.reason(), "a request still wins over the deadline");
  }

  @Test
  void aStepMayAskForFewerMeasurementsThanTheAnalysisDefault() {
    CanaryStep quick = analysis();
    quick.analysis.count = 1;
    var steps = List.of(quick, weight(50));
    RolloutStatus s = start();
    var d =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                steps,
                ANALYSIS,
                s,
                0,
                TOTAL,
                POD_DEADLINE,
                Optional.of(List.of(good())),
                false,
                false,
                T0));
    assertEquals(1, d.state().stepIndex, "one good measurement is enough for this step");
  }

  @Test
  void failuresAboveTheLimitRollBack() {
    RolloutStatus s = at(2, T0);
    var first = step(s, 1, Optional.of(List.of(bad())), T0);
    assertEquals(Action.Continue, first.action(), "one failure is tolerated (failureLimit 1)");
    var second = step(first.state(), 1, Optional.of(List.of(bad())), T0.plusSeconds(30));
    assertEquals(Action.Rollback, second.action());
    assertEquals("AnalysisFailed", second.reason());
    assertTrue(second.message().contains("2 failed measurement(s)"), second.message());
  }

  @Test
  void aFailingPrometheusCountsAsAFailedMeasurement() {
    var limitZero = analysisSpec(3, 0);
    RolloutStatus s = at(2, T0);
    var d =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                STEPS,
                limitZero,
                s,
                1,
                TOTAL,
                POD_DEADLINE,
                Optional.of(
                    List.of(
                        Measurement.unmeasurable(
                            "error-rate", "SourceUnreachable: connection refused"))),
                false,
                false,
                T0));
    assertEquals(Action.Rollback, d.action());
    assertTrue(d.message().contains("connection refused"), d.message());
  }

  @Test
  void oneBadQueryFailsTheWholeMeasurement() {
    RolloutStatus s = at(2, T0);
    var d = step(s, 1, Optional.of(List.of(good(), bad())), T0);
    assertEquals(1, d.state().analysis.failures);
    assertEquals(0, d.state().analysis.successes);
  }

  @Test
  void anAllInconclusiveAnalysisPausesForAPerson() {
    RolloutStatus s = at(2, T0);
    Measurement unsure =
        Measurement.of("error-rate", 0.05, SuccessCondition.parse("< 0.05"), 0.04, 0.06);
    Instant t = T0;
    CanaryStateMachine.Decision d = null;
    for (int i = 0; i < 3; i++) {
      d = step(s, 1, Optional.of(List.of(unsure)), t);
      s = d.state();
      t = t.plusSeconds(30);
    }
    assertEquals("AnalysisInconclusive", d.reason());
    assertNotNull(d.state().pausedReason);
    assertTrue(
        !CanaryStateMachine.measurementDue(STEPS, ANALYSIS, d.state(), t.plusSeconds(600)),
        "paused: no more measuring");
    assertEquals(
        Action.Promote,
        CanaryStateMachine.next(
                new CanaryStateMachine.Inputs(
                    STEPS,
                    ANALYSIS,
                    d.state(),
                    1,
                    TOTAL,
                    POD_DEADLINE,
                    Optional.empty(),
                    true,
                    false,
                    t))
            .action());
  }

  @Test
  void anIndefinitePauseWaitsForPromotion() {
    RolloutStatus s = at(4, T0);
    s.weight = 50;
    var paused = step(s, 2, Optional.empty(), T0.plus(Duration.ofDays(3)));
    assertEquals(Action.Continue, paused.action());
    assertEquals("Paused", paused.reason());
    assertTrue(paused.wakeUpIn().isEmpty(), "no timer: an annotation wakes it");
  }

  @Test
  void pastTheLastStepTheCanaryIsPromoted() {
    RolloutStatus s = at(STEPS.size(), T0);
    assertEquals(Action.Promote, step(s, 2, Optional.empty(), T0).action());
    var weightsOnly = List.of(weight(50), weight(100));
    RolloutStatus w = CanaryStateMachine.start("2", "u2", "1", "u1", T0);
    var d =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                weightsOnly,
                null,
                w,
                TOTAL,
                TOTAL,
                POD_DEADLINE,
                Optional.empty(),
                false,
                false,
                T0));
    assertEquals(
        Action.Promote,
        d.action(),
        "zero-time steps chain in one evaluation when the pods are there");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void abortAtAnyStepRollsBack(int stepIndex) {
    var d =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                STEPS,
                ANALYSIS,
                at(stepIndex, T0),
                1,
                TOTAL,
                POD_DEADLINE,
                Optional.empty(),
                true,
                true,
                T0));
    assertEquals(Action.Rollback, d.action(), "abort wins over promote");
    assertEquals("Aborted", d.reason());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void promoteAtAnyStepSkipsTheRest(int stepIndex) {
    var d =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                STEPS,
                ANALYSIS,
                at(stepIndex, T0),
                0,
                TOTAL,
                POD_DEADLINE,
                Optional.empty(),
                true,
                false,
                T0));
    assertEquals(Action.Promote, d.action());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void aRestartAtAnyStepResumesWhereTheStatusSaysWithoutLosingFailures(int stepIndex) {
    RolloutStatus before = at(stepIndex, T0);
    if (stepIndex == 2) {
      before = step(before, 1, Optional.of(List.of(bad())), T0).state();
    }
    RolloutStatus reloaded = StatusChange.copy(before, RolloutStatus.class);
    Instant later = T0.plusSeconds(10);
    var original = step(StatusChange.copy(before, RolloutStatus.class), 1, Optional.empty(), later);
    var resumed = step(reloaded, 1, Optional.empty(), later);
    assertEquals(original.action(), resumed.action());
    assertEquals(original.state().stepIndex, resumed.state().stepIndex);
    assertTrue(resumed.state().stepIndex >= stepIndex, "never goes back to an earlier step");
    if (stepIndex == 2) {
      assertEquals(1, resumed.state().analysis.failures, "the failure survives the restart");
    }
  }

  @Test
  void podCountsFollowTheWeightAndTheSurgeSetting() {
    assertEquals(0, CanaryStateMachine.canaryReplicas(4, 0));
    assertEquals(
        1, CanaryStateMachine.canaryReplicas(4, 10), "at least one pod once the weight is above 0");
    assertEquals(2, CanaryStateMachine.canaryReplicas(4, 50));
    assertEquals(4, CanaryStateMachine.canaryReplicas(4, 100));
    assertEquals(1, CanaryStateMachine.canaryReplicas(1, 10));
    assertEquals(4, CanaryStateMachine.stableReplicas(4, 50, true));
    assertEquals(
        2,
        CanaryStateMachine.stableReplicas(4, 50, false),
        "no surge: canary pods replace stable ones");
    assertEquals(0, CanaryStateMachine.stableReplicas(4, 100, false));
  }

  @Test
  void successConditionsCompare() {
    assertTrue(SuccessCondition.parse("< 0.05").test(0.01));
    assertTrue(!SuccessCondition.parse("<0.05").test(0.05));
    assertTrue(SuccessCondition.parse(">= 0.9").test(0.9));
    assertTrue(SuccessCondition.parse("!= 0").test(1));
    assertTrue(SuccessCondition.parse("== 1e-3").test(0.001));
    assertEquals(
        Measurement.Verdict.Failure,
        Measurement.of("q", Double.NaN, SuccessCondition.parse("< 1"), null, null).verdict());
  }

  // --- fixtures ---

  static RolloutStatus start() {
    return CanaryStateMachine.start("2", "s3://m/2", "1", "s3://m/1", T0);
  }

  /**
   * A rollout whose current step is {@code index}, started at {@code t}, with the weight the steps
   * before set.
   */
  static RolloutStatus at(int index, Instant t) {
    RolloutStatus s = start();
    s.stepIndex = index;
    s.stepStartedAt = t.toString();
    s.weight = index >= 4 ? 50 : index >= 1 ? 25 : 0;
    return s;
  }

  static CanaryStateMachine.Decision step(
      RolloutStatus s, int canaryAvailable, Optional<List<Measurement>> m, Instant now) {
    return CanaryStateMachine.next(
        new CanaryStateMachine.Inputs(
            STEPS, ANALYSIS, s, canaryAvailable, TOTAL, POD_DEADLINE, m, false, false, now));
  }

  static Measurement good() {
    return Measurement.of("error-rate", 0.01, SuccessCondition.parse("< 0.05"), null, null);
  }

  static Measurement bad() {
    return Measurement.of("error-rate", 0.2, SuccessCondition.parse("< 0.05"), null, null);
  }

  static CanaryStep weight(int w) {
    CanaryStep s = new CanaryStep();
    s.setWeight = w;
    return s;
  }

  static CanaryStep pause(String duration) {
    CanaryStep s = new CanaryStep();
    s.pause = new PauseStep();
    s.pause.duration = duration;
    return s;
  }

  static CanaryStep analysis() {
    CanaryStep s = new CanaryStep();
    s.analysis = new AnalysisStep();
    return s;
  }

  static AnalysisSpec analysisSpec(int count, int failureLimit) {
    AnalysisSpec a = new AnalysisSpec();
    AnalysisQuery q = new AnalysisQuery();
    q.name = "error-rate";
    q.successCondition = "< 0.05";
    a.queries = List.of(q);
    a.interval = "30s";
    a.count = count;
    a.failureLimit = failureLimit;
    return a;
  }
}
