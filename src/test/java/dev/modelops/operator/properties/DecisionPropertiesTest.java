package dev.modelops.operator.properties;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec.Concurrency;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.retrain.RetrainDecision;
import dev.modelops.operator.rollout.CanaryStateMachine;
import dev.modelops.operator.rollout.Measurement;
import dev.modelops.operator.rollout.SuccessCondition;
import dev.modelops.operator.status.StatusChange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Invariants of the retrain and canary decisions over many seeded random inputs. */
class DecisionPropertiesTest {
  static final long SEED = 42L;
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void retrainDecisionsNeverBreakTheirPromises() {
    Random r = new Random(SEED);
    for (int i = 0; i < 5000; i++) {
      String where = "case " + i + " (seed " + SEED + ")";
      Instant now = T0.plusSeconds(r.nextInt(100_000));
      Double score = r.nextInt(5) == 0 ? null : r.nextDouble();
      boolean running = r.nextBoolean();
      boolean suspended = r.nextInt(4) == 0;
      Concurrency concurrency = r.nextBoolean() ? Concurrency.Forbid : Concurrency.Replace;
      var in =
          new RetrainDecision.Inputs(
              suspended,
              score,
              r.nextDouble(),
              Duration.ofSeconds(r.nextInt(600)),
              Duration.ofSeconds(r.nextInt(7200)),
              concurrency,
              r.nextBoolean() ? now.minusSeconds(r.nextInt(10_000)) : null,
              r.nextBoolean() ? now.minusSeconds(r.nextInt(10_000)) : null,
              r.nextInt(4) == 0,
              r.nextInt(4) == 0 ? Optional.of(now.minusSeconds(r.nextInt(60))) : Optional.empty(),
              r.nextBoolean()
                  ? Optional.of(now.plusSeconds(1 + r.nextInt(3600)))
                  : Optional.empty(),
              running,
              now);
      var out = RetrainDecision.decide(in);
      if (suspended) {
        assertTrue(out.start().isEmpty(), where + ": suspended starts nothing");
      }
      if (score == null) {
        assertNull(out.breachStartedAt(), where + ": no measurement, no breach");
      }
      out.start()
          .ifPresent(
              start -> {
                assertFalse(
                    running && concurrency == Concurrency.Forbid,
                    where + ": Forbid never starts beside a running Job");
                if (start.trigger() == Trigger.drift) {
                  assertFalse(running, where + ": drift never replaces a running Job");
                  assertTrue(
                      score != null && score > in.threshold(),
                      where + ": drift only above the threshold");
                }
              });
      out.wakeUpIn()
          .ifPresent(
              d ->
                  assertFalse(
                      d.isNegative() || d.isZero(), where + ": a wake-up is in the future"));
    }
  }

  @Test
  void canaryRolloutsOnlyMoveForwardAndEndForAReason() {
    Random r = new Random(SEED + 1);
    for (int i = 0; i < 1000; i++) {
      String where = "case " + i + " (seed " + (SEED + 1) + ")";
      var steps = RandomInputs.steps(r);
      var analysis = RandomInputs.analysis(r);
      int total = 1 + r.nextInt(10);
      RolloutStatus state = CanaryStateMachine.start("2", "u2", "1", "u1", T0);
      Instant now = T0;
      for (int tick = 0; tick < 40; tick++) {
        now = now.plusSeconds(r.nextInt(90));
        int stepBefore = state.stepIndex;
        int weightBefore = state.weight;
        int failuresBefore = state.analysis == null ? 0 : state.analysis.failures;
        boolean abort = r.nextInt(60) == 0;
        boolean promote = r.nextInt(60) == 0;
        Optional<List<Measurement>> measurement =
            CanaryStateMachine.measurementDue(steps, analysis, state, now)
                ? Optional.of(
                    List.of(
                        Measurement.of(
                            "q",
                            r.nextDouble() * 0.1,
                            SuccessCondition.parse("< 0.05"),
                            null,
                            null)))
                : Optional.empty();
        RolloutStatus persisted = StatusChange.copy(state, RolloutStatus.class);
        var decision =
            CanaryStateMachine.next(
                new CanaryStateMachine.Inputs(
                    steps,
                    analysis,
                    persisted,
                    r.nextInt(total + 1),
                    total,
                    Duration.ofMinutes(10),
                    measurement,
                    promote,
                    abort,
                    now));
        switch (decision.action()) {
          case Rollback ->
              assertTrue(
                  abort || decision.reason().equals("AnalysisFailed"),
                  where + ": " + decision.reason());
          case Promote ->
              assertTrue(
                  promote || decision.reason().equals("AllStepsPassed"),
                  where + ": " + decision.reason());
          default -> {
            assertTrue(decision.state().stepIndex >= stepBefore, where + ": steps never go back");
            assertTrue(decision.state().weight >= weightBefore, where + ": weight never drops");
            if (decision.state().stepIndex == stepBefore && decision.state().analysis != null) {
              assertTrue(
                  decision.state().analysis.failures >= failuresBefore,
                  where + ": failures are never forgotten");
            }
          }
        }
        if (decision.action() != CanaryStateMachine.Action.Continue) {
          break;
        }
        state = decision.state();
      }
    }
  }
}
