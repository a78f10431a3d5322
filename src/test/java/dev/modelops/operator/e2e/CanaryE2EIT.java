package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Canary rollouts on the real control plane: a real Prometheus scrapes an error-rate gauge the test
 * controls; a good canary is promoted through every step, a bad one is rolled back with the stable
 * pods untouched, and the abort/promote annotations and an operator restart mid-rollout behave.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CanaryE2EIT extends E2ESupport {
  static final String NS = "e2e-canary";
  static ScrapedGauge errorRate;
  static RealPrometheus prometheus;

  @BeforeAll
  static void prometheusAndStableVersion() throws Exception {
    errorRate = new ScrapedGauge("model_error_rate", 0.01, "canary");
    prometheus = errorRate.prometheus;
    restrictedNamespace(NS);
    apply(
        "recommender",
        "1.0.0",
        """
        steps:
          - setWeight: 25
          - analysis: {}
          - setWeight: 50
          - pause: {duration: 2s}
        analysis:
          queries:
            - name: error-rate
              prometheus: {endpoint: canary, query: model_error_rate, timeoutSeconds: 2}
              successCondition: "< 0.05"
          interval: 5s
          count: 3
          failureLimit: 0
        """);
    apply(
        "ranker",
        "1.0.0",
        """
        surge: false
        steps:
          - setWeight: 50
          - pause: {}
        """);
    cluster()
        .kubectlOrFail(
            "wait",
            "-n",
            NS,
            "--for=condition=Ready",
            "mdep/recommender",
            "mdep/ranker",
            "--timeout=120s");
  }

  @AfterAll
  static void stop() throws Exception {
    errorRate.close();
  }

  @Test
  @Order(1)
  void aGoodCanaryIsPromotedThroughEveryStep() {
    errorRate.set(0.01);
    setVersion("recommender", "2.0.0");
    awaitMdep(NS, "recommender", "canary running", md -> md.getStatus().rollout != null);
    ModelDeployment promoted =
        awaitMdep(
            NS,
            "recommender",
            "2.0.0 promoted",
            md -> md.getStatus().rollout == null && "2.0.0".equals(md.getStatus().servingVersion));
    assertEquals(Outcome.Serving, promoted.getStatus().history.get(0).outcome);
    assertEquals(Outcome.Superseded, promoted.getStatus().history.get(1).outcome);
    await("stable pods run 2.0.0, the canary is gone")
        .atMost(CONVERGE)
        .until(
            () ->
                "2.0.0".equals(templateVersion(deployment("recommender")))
                    && deployment("recommender-canary") == null);
    var reasons =
        api().v1().events().inNamespace(NS).list().getItems().stream()
            .filter(e -> "recommender".equals(e.getInvolvedObject().getName()))
            .map(e -> e.getReason())
            .toList();
    assertTrue(
        reasons.contains("CanaryStarted") && reasons.contains("CanaryPromoted"),
        reasons.toString());
    assertTrue(
        reasons.stream().filter("CanaryStep"::equals).count() >= 3,
        "every step is reported: " + reasons);
  }

  @Test
  @Order(2)
  void aBadCanaryIsRolledBackAndTheStablePodsNeverShrink() {
    errorRate.set(0.2);
    AtomicInteger fewestStable = new AtomicInteger(Integer.MAX_VALUE);
    setVersion("recommender", "3.0.0");
    ModelDeployment rolledBack =
        await("rolled back")
            .atMost(CONVERGE)
            .until(
                () -> {
                  Deployment stable = deployment("recommender");
                  fewestStable.accumulateAndGet(stable.getSpec().getReplicas(), Math::min);
                  return mdep(NS, "recommender");
                },
                md -> md.getStatus().history.get(0).outcome == Outcome.RolledBack);
    assertEquals(4, fewestStable.get(), "the stable Deployment kept its 4 replicas throughout");
    assertEquals(
        "AnalysisFailed",
        Conditions.reason(rolledBack.getStatus().conditions, "Degraded").orElseThrow());
    assertEquals("Degraded", rolledBack.getStatus().phase.name());
    assertEquals("2.0.0", rolledBack.getStatus().servingVersion);
    assertNull(rolledBack.getStatus().rollout);
    await("canary removed, stable still 2.0.0")
        .atMost(CONVERGE)
        .until(() -> deployment("recommender-canary") == null);
    assertEquals("2.0.0", templateVersion(deployment("recommender")));
    assertTrue(
        api().v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(e -> "RolledBack".equals(e.getReason()) && e.getMessage().contains("3.0.0")));
  }

  @Test
  @Order(3)
  void abortRollsBackAndRemovesTheAnnotation() {
    setVersion("ranker", "2.0.0");
    awaitMdep(
        NS,
        "ranker",
        "paused at step 2",
        md -> md.getStatus().rollout != null && md.getStatus().rollout.pausedReason != null);
    Deployment stable = deployment("ranker");
    assertEquals(
        1,
        stable.getSpec().getReplicas(),
        "no surge: the canary pod replaced a stable pod (2 replicas, 50%)");
    cluster().kubectlOrFail("annotate", "mdep", "ranker", "-n", NS, "modelops.dev/abort=true");
    ModelDeployment aborted =
        awaitMdep(
            NS,
            "ranker",
            "aborted",
            md -> md.getStatus().history.get(0).outcome == Outcome.RolledBack);
    assertEquals("Aborted", aborted.getStatus().history.get(0).reason);
    await("annotation removed, stable back to 2 pods")
        .atMost(CONVERGE)
        .until(
            () -> {
              var annotations = mdep(NS, "ranker").getMetadata().getAnnotations();
              return (annotations == null || !annotations.containsKey("modelops.dev/abort"))
                  && deployment("ranker").getSpec().getReplicas() == 2;
            });
  }

  @Test
  @Order(4)
  void aKilledOperatorResumesTheRolloutWhereItWasAndPromoteFinishesIt() throws Exception {
    setVersion("ranker", "2.1.0");
    ModelDeployment paused =
        awaitMdep(
            NS,
            "ranker",
            "paused",
            md -> md.getStatus().rollout != null && md.getStatus().rollout.pausedReason != null);
    String startedAt = paused.getStatus().rollout.startedAt;

    cluster().killOperator();
    cluster().startOperator();
    ModelDeployment resumed = mdep(NS, "ranker");
    assertEquals(
        1, resumed.getStatus().rollout.stepIndex, "still at the pause, not back at step 1");
    assertEquals(
        startedAt, resumed.getStatus().rollout.startedAt, "the same rollout, not a new one");
    assertTrue(deployment("ranker-canary") != null);

    cluster().kubectlOrFail("annotate", "mdep", "ranker", "-n", NS, "modelops.dev/promote=true");
    awaitMdep(
        NS,
        "ranker",
        "2.1.0 promoted",
        md -> "2.1.0".equals(md.getStatus().servingVersion) && md.getStatus().rollout == null);
    await("promote annotation removed")
        .atMost(CONVERGE)
        .until(
            () -> {
              var annotations = mdep(NS, "ranker").getMetadata().getAnnotations();
              return annotations == null || !annotations.containsKey("modelops.dev/promote");
            });
  }

  // --- helpers ---

  static void apply(String name, String version, String rollout) {
    String yaml =
        """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          model: {name: %s, version: "%s", uri: "s3://models/%s/%s"}
          runtime: {image: "example.test/server:1"}
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
          replicas: %d
          rollout:
            strategy: Canary
        %s"""
            .formatted(
                name,
                name,
                version,
                name,
                version,
                name.equals("ranker") ? 2 : 4,
                rollout.indent(4));
    var result = cluster().kubectlWithInput(yaml, "apply", "-n", NS, "-f", "-");
    assertEquals(0, result.exitCode(), result.output());
  }

  static void setVersion(String name, String version) {
    cluster()
        .kubectlOrFail(
            "patch",
            "mdep",
            name,
            "-n",
            NS,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"model\":{\"version\":\""
                + version
                + "\",\"uri\":\"s3://models/"
                + name
                + "/"
                + version
                + "\"}}}");
  }

  static Deployment deployment(String name) {
    return api().apps().deployments().inNamespace(NS).withName(name).get();
  }

  static String templateVersion(Deployment d) {
    return d.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get("modelops.dev/model-version");
  }
}
