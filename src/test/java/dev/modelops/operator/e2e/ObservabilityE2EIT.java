package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole loop once — drift scraped from the serving pod, a retraining Job, its model promoted
 * through a canary — and then what the README and the Grafana dashboard promise on /q/metrics and
 * /q/health is served.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityE2EIT extends E2ESupport {
  static final String NS = "e2e-observability";
  static final String DASHBOARD = "helm/modelops-operator/files/dashboard.json";

  static String get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cluster().operatorPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  @Order(1)
  void driftRetrainAndCanaryPromotionShowInTheMetrics() throws Exception {
    restrictedNamespace(NS);
    cluster().kubectlWithInput(model("1.0.0"), "apply", "-n", NS, "-f", "-");
    cluster()
        .kubectlOrFail(
            "wait", "-n", NS, "--for=condition=Ready", "mdep/observed", "--timeout=120s");
    Pod serving =
        await()
            .atMost(CONVERGE)
            .until(
                () -> servingPods(NS, "observed"),
                pods -> pods.size() == 1 && pods.get(0).getStatus().getPodIP() != null)
            .get(0);
    try (MetricsEndpoint pod = new MetricsEndpoint(serving.getStatus().getPodIP(), 9090)) {
      pod.set("model_drift_score", 0.9);
      cluster()
          .kubectlWithInput(
              """
          apiVersion: modelops.dev/v1alpha1
          kind: RetrainPolicy
          metadata: {name: observed-drift}
          spec:
            modelDeploymentRef: {name: observed}
            drift: {podMetrics: {port: 9090, metric: model_drift_score}, threshold: 0.5, evaluationInterval: 10s}
            cooldown: 1h
            jobTemplate: {spec: {backoffLimit: 0, template: {spec: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}], containers: [{name: t, image: example.test/trainer:1}]}}}}
          """,
              "apply",
              "-n",
              NS,
              "-f",
              "-");
      Job job =
          await("a retraining Job for the drift")
              .atMost(CONVERGE)
              .until(
                  () ->
                      api()
                          .batch()
                          .v1()
                          .jobs()
                          .inNamespace(NS)
                          .withLabel("modelops.dev/retrain-policy", "observed-drift")
                          .list()
                          .getItems(),
                  jobs -> jobs.size() == 1)
              .get(0);
      pod.set("model_drift_score", 0.1);
      writeTerminationMessage(
          NS, job, "{\"version\": \"1.1.0\", \"uri\": \"s3://models/observed/1.1.0\"}");
    }
    awaitMdep(
        NS,
        "observed",
        "the retrained model paused in its canary",
        md -> md.getStatus().rollout != null && md.getStatus().rollout.pausedReason != null);
    cluster().kubectlOrFail("annotate", "mdep", "observed", "-n", NS, "modelops.dev/promote=true");
    ModelDeployment promoted =
        awaitMdep(
            NS,
            "observed",
            "1.1.0 promoted",
            md -> "1.1.0".equals(md.getStatus().servingVersion) && md.getStatus().rollout == null);
    assertEquals("observed-drift", promoted.getStatus().history.get(0).source.policy);

    List<String> documented =
        List.of(
            "modelops_drift_score",
            "modelops_drift_evaluations_total",
            "modelops_retrains_total",
            "modelops_retrain_outcomes_total",
            "modelops_promotions_total",
            "modelops_rollouts_total",
            "modelops_rollout_duration_seconds_count",
            "modelops_rollout_duration_seconds_sum",
            "modelops_rollout_step",
            "modelops_leader",
            "reconciliations_started_total",
            "reconciliations_success_total",
            "reconciliations_execution_duration_seconds_bucket",
            "reconciliations_queue",
            "reconciliations_active",
            "custom_resources",
            "jvm_memory_used_bytes");
    await("every documented metric exported")
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Set<String> exported = exportedNames(get("/q/metrics"));
              assertTrue(
                  exported.containsAll(documented),
                  "missing: " + documented.stream().filter(n -> !exported.contains(n)).toList());
            });
  }

  @Test
  @Order(2)
  void theGrafanaDashboardQueriesOnlyExportedMetrics() throws Exception {
    Set<String> exported = exportedNames(get("/q/metrics"));
    JsonNode dashboard =
        new ObjectMapper().readTree(Files.readString(LocalControlPlane.ROOT.resolve(DASHBOARD)));
    Set<String> queried = new TreeSet<>();
    dashboard
        .path("panels")
        .forEach(
            panel ->
                panel
                    .path("targets")
                    .forEach(t -> queried.addAll(PromQl.metricNames(t.path("expr").asText()))));
    dashboard
        .path("templating")
        .path("list")
        .forEach(
            v -> {
              if (v.path("type").asText().equals("query")) {
                queried.addAll(PromQl.metricNames(v.path("query").asText()));
              }
            });
    assertTrue(queried.size() >= 10, "the dashboard's queries were not parsed: " + queried);
    List<String> unknown = queried.stream().filter(name -> !exported.contains(name)).toList();
    assertEquals(List.of(), unknown, DASHBOARD + " queries metrics the operator does not export");
  }

  @Test
  @Order(3)
  void healthShowsTheInformersAndTheLeader() throws Exception {
    assertTrue(get("/q/health/live").contains("\"status\": \"UP\""));
    String ready = get("/q/health/ready");
    assertTrue(ready.contains("\"status\": \"UP\""), ready);
    assertTrue(
        ready.contains("\"modeldeployment\": \"OK\"")
            && ready.contains("\"retrainpolicy\": \"OK\""),
        ready);
    assertTrue(ready.contains("\"leading\": true"), ready);
  }

  static String model(String version) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: observed}
        spec:
          model: {name: observed, version: "%s", uri: "s3://models/observed/%s"}
          runtime: {image: "example.test/server:1", port: 9090}
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
          replicas: 1
          rollout:
            strategy: Canary
            steps:
              - setWeight: 50
              - pause: {}
        """
        .formatted(version, version);
  }

  /** Metric names in the exposition format: the part before `{` or the value. */
  static Set<String> exportedNames(String metrics) {
    Set<String> names = new TreeSet<>();
    metrics
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
    return names;
  }
}
