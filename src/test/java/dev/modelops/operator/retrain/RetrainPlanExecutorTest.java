package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.admission.PodSecurityStandard;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.clients.EventRecorder;
import dev.modelops.operator.clients.ModelPromoter;
import dev.modelops.operator.clients.RetrainJobs;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.RetrainMetrics;
import dev.modelops.operator.serving.ModelDeployments;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The executor's one decision of its own: what a promotion the API server rejects becomes. */
class RetrainPlanExecutorTest {
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  final List<Event> recorded = new ArrayList<>();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final EventRecorder events =
      new EventRecorder(null) {
        @Override
        public void record(HasMetadata about, Event event) {
          recorded.add(event);
        }
      };

  RetrainPlanExecutor executor(RuntimeException failure) {
    ModelPromoter promoter =
        new ModelPromoter(null, false) {
          @Override
          public void promote(String namespace, String modelDeployment, ModelLineage lineage) {
            throw failure;
          }
        };
    return new RetrainPlanExecutor(
        events, promoter, new RetrainJobs(null), new RetrainMetrics(registry));
  }

  /** A policy whose Job p-retrain-1 just produced 1.5.0, and the plan that promotes it. */
  static RetrainPolicy policyWithFinishedJob() {
    RetrainPolicy policy = RetrainPlannerTest.policy();
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.retrainCount = 1L;
    status.consecutiveFailures = 1;
    status.history.add(
        RetrainHistory.started(
            "churn-drift-retrain-1", RetrainRecord.Trigger.drift, 0.7, NOW.minusSeconds(600)));
    policy.setStatus(status);
    return policy;
  }

  static RetrainPlan plan(RetrainPolicy policy) {
    return plan(policy, "{\"version\": \"1.5.0\", \"uri\": \"s3://models/churn/1.5.0\"}");
  }

  static RetrainPlan plan(RetrainPolicy policy, String result) {
    RetrainJobView done =
        new RetrainJobView(
            "churn-drift-retrain-1",
            1,
            RetrainRecord.Trigger.drift,
            TriggerId.parse("drift:x"),
            0.7,
            RetrainJobView.State.Succeeded,
            NOW.minusSeconds(60),
            result,
            null);
    return RetrainPlanner.plan(
        new RetrainPlanner.Inputs(
            policy,
            Optional.of(ModelDeployments.churn("1.4.0")),
            List.of(done),
            Optional.empty(),
            PodSecurityStandard.Level.restricted,
            RetrainPlannerTest.NONE,
            NOW));
  }

  @Test
  void aPromotionTheApiServerRejectsIsRecordedAsAFailedRetrainOnceAndNotRethrown() {
    RetrainPolicy policy = policyWithFinishedJob();
    RetrainPlan plan = plan(policy);
    assertEquals(1, plan.promotions().size());
    KubernetesClientException invalid =
        new KubernetesClientException(
            new StatusBuilder()
                .withCode(422)
                .withMessage(
                    "ModelDeployment.modelops.dev \"churn\" is invalid: spec.model.uri: Invalid value")
                .build());

    var control = executor(invalid).execute(policy, plan, null, null, NOW);

    assertTrue(control.isPatchStatus());
    RetrainRecord record = policy.getStatus().history.get(0);
    assertEquals(RetrainRecord.Outcome.Failed, record.outcome);
    assertEquals("PromotionRejected", record.reason);
    assertEquals(RetrainRecord.Promotion.NotPromoted, record.promotion);
    assertTrue(record.message.contains("spec.model.uri: Invalid value"), record.message);
    assertEquals(2, policy.getStatus().consecutiveFailures, "one more failure in a row");
    assertEquals(
        "2026-11-27T13:59:00Z",
        policy.getStatus().nextEligibleTime,
        "2 failures: 2h from the Job's end");
    List<String> reasons = recorded.stream().map(Event::reason).toList();
    assertTrue(reasons.contains("PromotionRejected"), reasons.toString());
    assertTrue(!reasons.contains("Promoted"), "no Event claims a promotion: " + reasons);
    assertEquals(0, registry.find("modelops_promotions_total").counters().size(), "nor a metric");
    assertEquals(
        "LastFailed",
        dev.modelops.operator.status.Conditions.reason(
                policy.getStatus().conditions, RetrainConditions.RETRAINING)
            .orElseThrow());

    // The next reconcile sees the stored record and promotes nothing.
    recorded.clear();
    RetrainPlan next = plan(policy);
    assertTrue(next.promotions().isEmpty(), "not retried");
  }

  @Test
  void otherErrorsAreLeftToJosdksRetry() {
    RetrainPolicy policy = policyWithFinishedJob();
    RetrainPlan plan = plan(policy);
    KubernetesClientException unavailable =
        new KubernetesClientException(
            new StatusBuilder().withCode(503).withMessage("unavailable").build());
    assertThrows(
        KubernetesClientException.class,
        () -> executor(unavailable).execute(policy, plan, null, null, NOW));
    assertTrue(recorded.isEmpty(), "nothing is claimed before the retry");
  }

  @Test
  void aRegisteredModelsLineageCarriesTheAliasToSetOnceItServes() {
    List<ModelLineage> written = new ArrayList<>();
    ModelPromoter promoter =
        new ModelPromoter(null, false) {
          @Override
          public void promote(String namespace, String modelDeployment, ModelLineage lineage) {
            written.add(lineage);
          }
        };
    var executor =
        new RetrainPlanExecutor(
            events, promoter, new RetrainJobs(null), new RetrainMetrics(registry));
    RetrainPolicy policy = policyWithFinishedJob();
    policy.getSpec().registryAlias = "champion";

    executor.execute(policy, plan(policy, "{\"uri\": \"models:/churn/4\"}"), null, null, NOW);

    ModelLineage lineage = written.get(0);
    assertEquals("4", lineage.version(), "the registry's version");
    assertEquals("models:/churn/4", lineage.uri());
    assertEquals("champion", lineage.registryAlias());
    assertEquals("churn-drift-retrain-1", lineage.job());

    RetrainPolicy storage = policyWithFinishedJob();
    storage.getSpec().registryAlias = "champion";
    executor.execute(storage, plan(storage), null, null, NOW);
    assertEquals(null, written.get(1).registryAlias(), "a storage URI has no alias to move");
  }
}
