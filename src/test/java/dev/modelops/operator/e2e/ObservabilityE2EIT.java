package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the README promises on /q/metrics and /q/health is really served by the running operator.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityE2EIT extends E2ESupport {

  static String get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster().operatorPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  @Order(1)
  void everyDocumentedMetricIsExported() throws Exception {
    // Make sure there is something to count: one ModelDeployment reconciled by this operator process.
    restrictedNamespace("e2e-observability");
    cluster().kubectlWithInput("""
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: observed}
        spec:
          model: {name: observed, version: "1.0.0", uri: "s3://models/observed/1.0.0"}
          runtime: {image: "example.test/server:1"}
        """, "apply", "-n", "e2e-observability", "-f", "-");
    cluster().kubectlOrFail("wait", "-n", "e2e-observability", "--for=condition=Ready", "mdep/observed", "--timeout=120s");
    cluster().kubectlWithInput("""
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: observed-drift}
        spec:
          modelDeploymentRef: {name: observed}
          drift: {podMetrics: {metric: model_drift_score}, threshold: 0.5, evaluationInterval: 1s}
          jobTemplate: {spec: {template: {spec: {containers: [{name: t, image: example.test/trainer:1}]}}}}
        """, "apply", "-n", "e2e-observability", "-f", "-");
    // JOSDK's own reconcile metrics are not exported by QOSDK 7.7.3 as configured here (see the README).
    List<String> names = List.of("modelops_drift_evaluations_total", "jvm_memory_used_bytes");
    await("metrics exported").atMost(CONVERGE).until(() -> {
      String metrics = get("/q/metrics");
      return names.stream().allMatch(metrics::contains);
    });
  }

  @Test
  @Order(2)
  void healthIsUpWhenTheInformersAreSynced() throws Exception {
    assertTrue(get("/q/health/live").contains("\"status\": \"UP\""));
    String ready = get("/q/health/ready");
    assertTrue(ready.contains("\"status\": \"UP\""), ready);
  }
}
