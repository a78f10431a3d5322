package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A retraining Job that fails for real (the Job controller gives up at its deadline): the policy
 * records the failure with the Job's reason, says so in an Event, promotes nothing and starts no
 * second Job.
 */
class FailedRetrainE2EIT extends E2ESupport {
  static final String NS = "e2e-failed-retrain";
  static final Duration QUIET = Duration.ofSeconds(6);

  @Test
  void aFailedJobIsRecordedAndTheServingModelStays() {
    restrictedNamespace(NS);
    applyModelDeployment(NS, "churn", "1.0.0", 1);
    // The trainer's pod can never be scheduled, so the Job controller fails the Job at its 2 s
    // deadline.
    cluster()
        .kubectlWithInput(
            """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata:
          name: churn-retrain
          annotations: {modelops.dev/retrain-now: "please"}
        spec:
          modelDeploymentRef: {name: churn}
          drift:
            prometheus: {endpoint: closed, query: model_drift_score, timeoutSeconds: 1}
            threshold: 0.5
          jobTemplate:
            spec:
              backoffLimit: 0
              activeDeadlineSeconds: 2
              template:
                spec:
                  nodeSelector: {modelops.dev/no-such-node: "true"}
                  containers: [{name: train, image: example.test/trainer:1}]
        """,
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    RetrainPolicy policy =
        await("the Job failed and was recorded")
            .atMost(CONVERGE)
            .until(
                () ->
                    api()
                        .resources(RetrainPolicy.class)
                        .inNamespace(NS)
                        .withName("churn-retrain")
                        .get(),
                p ->
                    p.getStatus() != null
                        && !p.getStatus().history.isEmpty()
                        && p.getStatus().history.get(0).outcome == RetrainRecord.Outcome.Failed);
    RetrainRecord record = policy.getStatus().history.get(0);
    assertEquals("churn-retrain-retrain-1", record.job);
    assertTrue(record.message.contains("DeadlineExceeded"), record.message);
    assertEquals(RetrainRecord.Promotion.NotPromoted, record.promotion);
    assertEquals(null, policy.getStatus().activeJob);
    await("a RetrainFailed Event")
        .atMost(CONVERGE)
        .until(
            () ->
                api().v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "RetrainFailed".equals(e.getReason())
                                && e.getMessage().contains("churn-retrain-retrain-1")));

    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(10))
        .until(
            () ->
                api().batch().v1().jobs().inNamespace(NS).list().getItems().size() == 1
                    && "1.0.0".equals(mdep(NS, "churn").getStatus().servingVersion));
  }
}
