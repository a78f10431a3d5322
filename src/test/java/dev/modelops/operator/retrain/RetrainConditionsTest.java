package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentRef;
import dev.modelops.operator.api.v1alpha1.PodMetricsSource;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus.Phase;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The policy's conditions and phase, state by state. */
class RetrainConditionsTest {
  static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void beforeTheFirstEvaluationNothingIsDetected() {
    RetrainPolicyStatus status = apply(policy(), new RetrainPolicyStatus(), Optional.empty(), null);
    assertCondition(status, RetrainConditions.SOURCE_AVAILABLE, "False", "NotYetEvaluated");
    assertCondition(status, RetrainConditions.DRIFT_DETECTED, "False", "NotYetEvaluated");
    assertCondition(status, RetrainConditions.RETRAINING, "False", "Idle");
    assertEquals(Phase.Watching, status.phase);
  }

  @Test
  void anUnavailableSourceSaysWhyAndDetectsNothing() {
    RetrainPolicyStatus status =
        apply(
            policy(),
            new RetrainPolicyStatus(),
            Optional.of(DriftEvaluation.unavailable("SourceTimeout", "no answer within 5 s")),
            null);
    assertCondition(status, RetrainConditions.SOURCE_AVAILABLE, "False", "SourceTimeout");
    assertCondition(status, RetrainConditions.DRIFT_DETECTED, "False", "NoMeasurement");
  }

  @Test
  void aBreachIsDriftDetectedAndPhaseDrifting() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.score = 0.7;
    status.breachStartedAt = "2026-11-27T09:59:00Z";
    status = apply(policy(), status, Optional.of(DriftEvaluation.of(0.7, Map.of())), null);
    assertCondition(status, RetrainConditions.SOURCE_AVAILABLE, "True", "ScoreMeasured");
    assertCondition(status, RetrainConditions.DRIFT_DETECTED, "True", "ThresholdExceeded");
    assertEquals(Phase.Drifting, status.phase);
  }

  @Test
  void aRunningJobIsRetrainingAndBeatsDrifting() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.breachStartedAt = "2026-11-27T09:59:00Z";
    status.activeJob = "p-retrain-1";
    status = apply(policy(), status, Optional.of(DriftEvaluation.of(0.7, Map.of())), null);
    assertCondition(status, RetrainConditions.RETRAINING, "True", "JobRunning");
    assertEquals(Phase.Retraining, status.phase);
  }

  @Test
  void aFinishedRetrainShowsItsOutcomeAndOneNotYetReadShowsReadingResult() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.history.add(
        RetrainHistory.started("p-retrain-1", RetrainRecord.Trigger.manual, null, NOW));
    status = apply(policy(), status, Optional.empty(), null);
    assertCondition(status, RetrainConditions.RETRAINING, "False", "ReadingResult");

    status.history.get(0).outcome = RetrainRecord.Outcome.Failed;
    status.history.get(0).message = "the Job failed: BackoffLimitExceeded";
    status = apply(policy(), status, Optional.empty(), null);
    assertCondition(status, RetrainConditions.RETRAINING, "False", "LastFailed");
  }

  @Test
  void aProblemIsDegradedWhateverElseHolds() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.activeJob = "p-retrain-1";
    status =
        apply(
            policy(),
            status,
            Optional.of(DriftEvaluation.of(0.1, Map.of())),
            new RetrainConditions.Problem(Reason.TargetNotFound, "ModelDeployment churn is gone"));
    assertCondition(status, RetrainConditions.RETRAINING, "False", "TargetNotFound");
    assertEquals(Phase.Degraded, status.phase);
  }

  @Test
  void suspendedAndScheduleOnlyPoliciesSaySo() {
    RetrainPolicy suspended = policy();
    suspended.getSpec().suspend = true;
    RetrainPolicyStatus status =
        apply(suspended, new RetrainPolicyStatus(), Optional.empty(), null);
    assertCondition(status, RetrainConditions.SOURCE_AVAILABLE, "False", "Suspended");
    assertEquals(Phase.Suspended, status.phase);

    RetrainPolicy scheduleOnly = policy();
    scheduleOnly.getSpec().drift = null;
    status = apply(scheduleOnly, new RetrainPolicyStatus(), Optional.empty(), null);
    assertCondition(status, RetrainConditions.DRIFT_DETECTED, "False", "NoDriftSource");
  }

  static RetrainPolicyStatus apply(
      RetrainPolicy policy,
      RetrainPolicyStatus status,
      Optional<DriftEvaluation> evaluation,
      RetrainConditions.Problem problem) {
    RetrainConditions.apply(policy, status, evaluation, problem, NOW);
    return status;
  }

  static void assertCondition(
      RetrainPolicyStatus status, String type, String value, String reason) {
    var condition = Conditions.find(status.conditions, type).orElseThrow();
    assertEquals(value, condition.getStatus(), type);
    assertEquals(reason, condition.getReason(), type);
  }

  static RetrainPolicy policy() {
    RetrainPolicy policy = new RetrainPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder().withName("p").withNamespace("ml").withGeneration(1L).build());
    RetrainPolicySpec spec = new RetrainPolicySpec();
    spec.modelDeploymentRef = new ModelDeploymentRef();
    spec.modelDeploymentRef.name = "churn";
    spec.drift = new DriftSpec();
    spec.drift.podMetrics = new PodMetricsSource();
    spec.drift.podMetrics.metric = "model_drift_score";
    spec.drift.threshold = 0.3;
    spec.drift.forDuration = "0s";
    policy.setSpec(spec);
    return policy;
  }
}
