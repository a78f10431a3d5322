package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sources that need nothing installed: the serving pods' own /metrics, as a gauge and as
 * feature histograms against a baseline. kwok gives pods loopback IPs, so the test serves "the
 * pod's" metrics at that IP. Also: Prometheus credentials from a Secret never show in logs, Events
 * or status.
 */
class PodMetricsDriftE2EIT extends E2ESupport {
  static final String NS = "e2e-podmetrics";
  static final String TOKEN = "s3cr3t-t0ken-e2e";
  static MetricsEndpoint pod;

  @BeforeAll
  static void servingPodWithMetrics() throws Exception {
    restrictedNamespace(NS);
    cluster()
        .kubectlWithInput(
            """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: scorer}
        spec:
          model: {name: scorer, version: "1.0.0", uri: "s3://models/scorer/1.0.0"}
          runtime: {image: "example.test/server:1", port: 9090}
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
          replicas: 1
        """,
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    cluster()
        .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/scorer", "--timeout=120s");
    Pod serving =
        await()
            .atMost(CONVERGE)
            .until(
                () -> servingPods(NS, "scorer"),
                pods -> pods.size() == 1 && pods.get(0).getStatus().getPodIP() != null)
            .get(0);
    pod = new MetricsEndpoint(serving.getStatus().getPodIP(), 9090);
    pod.set("model_drift_score", 0.1);
    pod.setExtra(histogram(10, 20, 40, 20, 10));
  }

  @AfterAll
  static void stop() {
    pod.close();
  }

  @Test
  void aGaugeScrapedFromThePodsTriggersARetrainWhenItDrifts() {
    cluster()
        .kubectlWithInput(
            policy(
                "gauge",
                """
        podMetrics: {port: 9090, path: /metrics, metric: model_drift_score, aggregation: max}
        """),
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    await("score 0.1 scraped from the pod")
        .atMost(CONVERGE)
        .until(() -> Double.valueOf(0.1).equals(score("gauge")));
    assertTrue(jobs("gauge").isEmpty());
    pod.set("model_drift_score", 0.8);
    await("a Job once the pod reports drift")
        .atMost(CONVERGE)
        .until(() -> jobs("gauge").size() == 1);
    pod.set("model_drift_score", 0.1);
  }

  @Test
  void featureHistogramsAreComparedWithTheBaselinePerFeature() {
    cluster()
        .kubectlWithInput(
            policy(
                "histograms",
                """
        distribution:
          podMetrics: {port: 9090, metric: feature_values}
          baseline:
            histograms:
              age: {edges: ["1", "2", "3", "4", "+Inf"], counts: [10, 20, 40, 20, 10]}
          method: psi
          aggregation: max
        """),
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    RetrainPolicy same =
        await("identical distributions score 0")
            .atMost(CONVERGE)
            .until(
                () -> rtp("histograms"),
                p ->
                    p.getStatus() != null
                        && p.getStatus().features != null
                        && Double.valueOf(0.0).equals(p.getStatus().features.get("age")));
    assertFalse(Conditions.isTrue(same.getStatus().conditions, "DriftDetected"));

    // The shifted case of the statistics' reference table: PSI 0.2860 (scipy), above the 0.2
    // threshold.
    pod.setExtra(histogram(5, 10, 30, 35, 20));
    RetrainPolicy drifted =
        await("shifted distribution")
            .atMost(CONVERGE)
            .until(() -> rtp("histograms"), p -> Double.valueOf(0.286).equals(p.getStatus().score));
    assertEquals(Map.of("age", 0.286), drifted.getStatus().features);
    await("a Job for the histogram drift")
        .atMost(CONVERGE)
        .until(() -> jobs("histograms").size() == 1);
    pod.setExtra(histogram(10, 20, 40, 20, 10));
  }

  @Test
  void prometheusCredentialsStayOutOfLogsEventsAndStatus() throws Exception {
    api()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("prom-token")
                .withNamespace(NS)
                .withLabels(Map.of("modelops.dev/credential", "prometheus"))
                .endMetadata()
                .withStringData(Map.of("token", TOKEN))
                .build())
        .create();
    try (ScrapedGauge gauge = new ScrapedGauge("model_drift_score", 0.05, "gauge")) {
      cluster()
          .kubectlWithInput(
              policy(
                  "authed",
                  """
          prometheus: {endpoint: gauge, query: model_drift_score, authSecretRef: {name: prom-token}}
          """),
              "apply",
              "-n",
              NS,
              "-f",
              "-");
      await("measured with the Secret's token")
          .atMost(CONVERGE)
          .until(() -> Double.valueOf(0.05).equals(score("authed")));
    }
    String everything =
        java.nio.file.Files.readString(LocalControlPlane.OPERATOR_LOG)
            + cluster().kubectlOrFail("get", "events", "-n", NS, "-o", "yaml")
            + cluster().kubectlOrFail("get", "rtp", "-n", NS, "-o", "yaml");
    assertFalse(everything.contains(TOKEN), "the bearer token leaked");
  }

  // --- helpers ---

  static String policy(String name, String source) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s}
        spec:
          modelDeploymentRef: {name: scorer}
          drift:
        %s    threshold: 0.2
            for: 0s
            evaluationInterval: 10s
          cooldown: 1h
          jobTemplate:
            spec:
              template:
                spec:
                  nodeSelector: {type: kwok}
                  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
                  containers: [{name: train, image: example.test/trainer:1}]
        """
        .formatted(name, source.indent(4));
  }

  /**
   * feature_values_bucket for feature "age", cumulative, from per-bucket counts over edges
   * 1,2,3,4,+Inf.
   */
  static String histogram(int... counts) {
    String[] edges = {"1", "2", "3", "4", "+Inf"};
    StringBuilder text = new StringBuilder("# TYPE feature_values histogram\n");
    int cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      cumulative += counts[i];
      text.append("feature_values_bucket{feature=\"age\",le=\"")
          .append(edges[i])
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    return text.toString();
  }

  static RetrainPolicy rtp(String name) {
    return api().resources(RetrainPolicy.class).inNamespace(NS).withName(name).get();
  }

  static Double score(String name) {
    RetrainPolicy policy = rtp(name);
    return policy == null || policy.getStatus() == null ? null : policy.getStatus().score;
  }

  static List<io.fabric8.kubernetes.api.model.batch.v1.Job> jobs(String policy) {
    return retrainJobs(NS, policy);
  }
}
