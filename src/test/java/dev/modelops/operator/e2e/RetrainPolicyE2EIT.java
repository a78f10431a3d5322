package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Drift to retrain to promotion on the real control plane: a real Prometheus scrapes a metrics
 * endpoint whose drift score the test sets; kwok runs the retraining Job's pod to completion and
 * the test writes the trainer's termination message as the kubelet would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainPolicyE2EIT extends E2ESupport {
  static final String NS = "e2e-retrain";
  static final Duration QUIET = Duration.ofSeconds(6);
  static ScrapedGauge driftScore;
  static RealPrometheus prometheus;

  @BeforeAll
  static void servingModelAndPrometheus() throws Exception {
    driftScore = new ScrapedGauge("model_drift_score", 0.1, "retrain");
    prometheus = driftScore.prometheus;
    restrictedNamespace(NS);
    for (String name : List.of("churn", "fraud")) {
      applyModelDeployment(NS, name, "1.0.0", 1);
    }
    cluster()
        .kubectlOrFail(
            "wait",
            "-n",
            NS,
            "--for=condition=Ready",
            "mdep/churn",
            "mdep/fraud",
            "--timeout=120s");
  }

  @AfterAll
  static void stop() throws Exception {
    driftScore.close();
  }

  static String policy(String name, String target, String promotion, String cooldown) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s}
        spec:
          modelDeploymentRef: {name: %s}
          drift:
            prometheus: {endpoint: retrain, query: model_drift_score, timeoutSeconds: 2}
            threshold: 0.3
            for: 2s
            evaluationInterval: 10s
          cooldown: %s
          promotion: %s
          jobTemplate:
            spec:
              backoffLimit: 0
              template:
                spec:
                  nodeSelector: {type: kwok}
                  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
                  containers:
                    - name: train
                      image: example.test/trainer:1
                      command: ["python", "train.py"]
        """
        .formatted(name, target, cooldown, promotion);
  }

  @Test
  @Order(1)
  void belowTheThresholdTheScoreIsReportedAndNothingRetrains() {
    cluster()
        .kubectlWithInput(
            policy("churn-drift", "churn", "Automatic", "1m"), "apply", "-n", NS, "-f", "-");
    RetrainPolicy policy =
        await("score 0.1 measured")
            .atMost(CONVERGE)
            .until(
                () -> rtp("churn-drift"),
                p -> p.getStatus() != null && Double.valueOf(0.1).equals(p.getStatus().score));
    assertTrue(Conditions.isTrue(policy.getStatus().conditions, "SourceAvailable"));
    assertEquals(
        "BelowThreshold",
        Conditions.reason(policy.getStatus().conditions, "DriftDetected").orElseThrow());
    await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> jobs("churn-drift").isEmpty());
    String table = cluster().kubectlOrFail("get", "rtp", "-n", NS);
    String header = table.lines().findFirst().orElseThrow();
    for (String column :
        List.of("NAME", "TARGET", "SCORE", "THRESHOLD", "PHASE", "LAST RETRAIN", "AGE")) {
      assertTrue(header.contains(column), "missing column " + column + " in:\n" + table);
    }
  }

  @Test
  @Order(2)
  void driftHeldLongEnoughStartsExactlyOneJobAndItsModelRollsOut() {
    driftScore.set(0.6);
    Job job =
        await("one retraining Job")
            .atMost(CONVERGE)
            .until(() -> jobs("churn-drift"), list -> list.size() == 1)
            .get(0);
    assertEquals("churn-drift-retrain-1", job.getMetadata().getName());
    assertTrue(
        job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .anyMatch(e -> e.getName().equals("TRIGGER") && e.getValue().equals("drift")));
    driftScore.set(0.1);
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(10))
        .until(() -> jobs("churn-drift").size() == 1);

    writeTerminationMessage(
        NS, job, "{\"version\": \"1.1.0\", \"uri\": \"s3://models/churn/1.1.0\"}");

    ModelDeployment rolled =
        awaitMdep(
            NS,
            "churn",
            "serving the retrained 1.1.0",
            md ->
                md.getStatus() != null
                    && "1.1.0".equals(md.getStatus().servingVersion)
                    && "Ready".equals(String.valueOf(md.getStatus().phase)));
    assertEquals("s3://models/churn/1.1.0", rolled.getSpec().model.uri);
    var lineage = rolled.getStatus().history.get(0).source;
    assertEquals("churn-drift", lineage.policy);
    assertEquals("churn-drift-retrain-1", lineage.job);
    assertEquals("drift", lineage.trigger);
    RetrainPolicy policy = rtp("churn-drift");
    assertEquals(RetrainRecord.Outcome.Succeeded, policy.getStatus().history.get(0).outcome);
    assertEquals(RetrainRecord.Promotion.Promoted, policy.getStatus().history.get(0).promotion);
    assertNull(policy.getStatus().activeJob);
    String managers =
        cluster()
            .kubectlOrFail("get", "mdep", "churn", "-n", NS, "--show-managed-fields", "-o", "yaml");
    assertTrue(
        managers.contains("manager: modelops-retrain"), "the promotion has its own field manager");
  }

  @Test
  @Order(3)
  void withPrometheusDownTheSourceIsUnavailableAndNothingRetrainsUntilItReturns() throws Exception {
    prometheus.stop();
    driftScore.set(0.9);
    RetrainPolicy down =
        await("SourceAvailable False")
            .atMost(CONVERGE)
            .until(
                () -> rtp("churn-drift"),
                p ->
                    Conditions.find(p.getStatus().conditions, "SourceAvailable")
                        .map(c -> "False".equals(c.getStatus()))
                        .orElse(false));
    assertEquals(
        "SourceUnreachable",
        Conditions.reason(down.getStatus().conditions, "SourceAvailable").orElseThrow());
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(10))
        .until(() -> jobs("churn-drift").size() == 1);

    prometheus.start();
    await("a second Job once the drift is visible again")
        .atMost(CONVERGE)
        .until(() -> jobs("churn-drift").size() == 2);
    driftScore.set(0.1);
  }

  @Test
  @Order(4)
  void manualPromotionWaitsForApproval() {
    cluster()
        .kubectlWithInput(
            policy("fraud-retrain", "fraud", "Manual", "1h"), "apply", "-n", NS, "-f", "-");
    await().atMost(CONVERGE).until(() -> rtp("fraud-retrain").getStatus() != null);
    cluster()
        .kubectlOrFail(
            "annotate", "rtp", "fraud-retrain", "-n", NS, "modelops.dev/retrain-now=e2e");
    Job job =
        await("manual Job")
            .atMost(CONVERGE)
            .until(() -> jobs("fraud-retrain"), list -> list.size() == 1)
            .get(0);
    assertEquals("manual", job.getMetadata().getLabels().get("modelops.dev/trigger"));
    writeTerminationMessage(
        NS, job, "{\"version\": \"2.0.0\", \"uri\": \"s3://models/fraud/2.0.0\"}");

    RetrainPolicy waiting =
        await("candidate awaiting approval")
            .atMost(CONVERGE)
            .until(() -> rtp("fraud-retrain"), p -> p.getStatus().candidate != null);
    assertEquals("2.0.0", waiting.getStatus().candidate.version);
    assertEquals("AwaitingApproval", waiting.getStatus().phase.name());
    assertEquals(
        "1.0.0", mdep(NS, "fraud").getSpec().model.version, "nothing is promoted without approval");

    cluster()
        .kubectlOrFail("annotate", "rtp", "fraud-retrain", "-n", NS, "modelops.dev/approve=2.0.0");
    awaitMdep(
        NS,
        "fraud",
        "serving the approved 2.0.0",
        md -> "2.0.0".equals(md.getStatus().servingVersion));
    RetrainPolicy approved =
        await()
            .atMost(CONVERGE)
            .until(() -> rtp("fraud-retrain"), p -> p.getStatus().candidate == null);
    assertEquals(RetrainRecord.Promotion.Promoted, approved.getStatus().history.get(0).promotion);
    assertTrue(
        approved.getMetadata().getAnnotations() == null
            || !approved.getMetadata().getAnnotations().containsKey("modelops.dev/approve"));
  }

  /**
   * GitOps: the user commits the candidate to the ModelDeployment (as Argo CD would sync it); no
   * approval needed.
   */
  @Test
  @Order(5)
  void aManualCandidateCommittedToTheModelDeploymentIsRecordedAsPromoted() {
    cluster()
        .kubectlOrFail(
            "annotate", "rtp", "fraud-retrain", "-n", NS, "modelops.dev/retrain-now=gitops");
    Job job =
        await("second manual Job")
            .atMost(CONVERGE)
            .until(() -> jobs("fraud-retrain"), list -> list.size() == 2)
            .stream()
            .filter(j -> j.getMetadata().getName().endsWith("-2"))
            .findFirst()
            .orElseThrow();
    writeTerminationMessage(
        NS, job, "{\"version\": \"2.1.0\", \"uri\": \"s3://models/fraud/2.1.0\"}");
    await("candidate 2.1.0")
        .atMost(CONVERGE)
        .until(
            () -> rtp("fraud-retrain"),
            p ->
                p.getStatus().candidate != null && "2.1.0".equals(p.getStatus().candidate.version));

    cluster()
        .kubectlOrFail(
            "patch",
            "mdep",
            "fraud",
            "-n",
            NS,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"model\":{\"version\":\"2.1.0\",\"uri\":\"s3://models/fraud/2.1.0\"}}}");
    RetrainPolicy done =
        await("the commit counts as the promotion")
            .atMost(CONVERGE)
            .until(() -> rtp("fraud-retrain"), p -> p.getStatus().candidate == null);
    assertEquals(RetrainRecord.Promotion.Promoted, done.getStatus().history.get(0).promotion);
    assertTrue(
        api().v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e ->
                    "CandidateDeployed".equals(e.getReason()) && e.getMessage().contains("2.1.0")));
    String managers =
        cluster()
            .kubectlOrFail("get", "mdep", "fraud", "-n", NS, "--show-managed-fields", "-o", "yaml");
    assertTrue(managers.contains("kubectl-patch"), "the user's write stands");
  }

  // --- helpers ---

  static RetrainPolicy rtp(String name) {
    return api().resources(RetrainPolicy.class).inNamespace(NS).withName(name).get();
  }

  static List<Job> jobs(String policy) {
    return retrainJobs(NS, policy);
  }
}
