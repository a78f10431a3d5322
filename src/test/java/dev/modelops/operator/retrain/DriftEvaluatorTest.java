package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.modelops.operator.api.v1alpha1.Baseline;
import dev.modelops.operator.api.v1alpha1.ConfigMapKeyReference;
import dev.modelops.operator.api.v1alpha1.DistributionSource;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentRef;
import dev.modelops.operator.api.v1alpha1.PodMetricsSource;
import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.clients.BoundedHttp;
import dev.modelops.operator.clients.ClusterReader;
import dev.modelops.operator.clients.MetricEndpoints;
import dev.modelops.operator.clients.PodMetricsScraper;
import dev.modelops.operator.clients.PrometheusClient;
import dev.modelops.operator.drift.Aggregation;
import dev.modelops.operator.drift.DriftMethod;
import dev.modelops.operator.drift.Histogram;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drift evaluation from each source, against servers on loopback and an in-memory cluster. */
class DriftEvaluatorTest {
  FakePrometheus prometheus;
  final List<HttpServer> pods = new java.util.ArrayList<>();
  final Map<String, String> podMetrics = new HashMap<>();
  final Map<String, String> configMaps = new HashMap<>();
  final Map<String, String> credentials = new HashMap<>();
  DriftEvaluator evaluator;

  @BeforeEach
  void start() throws IOException {
    prometheus = new FakePrometheus();
    // Pod a answers on 127.0.0.1, pod b on 127.0.0.2, both on the same port (as pods do).
    pods.add(podServer("a", "127.0.0.1", 0));
    pods.add(podServer("b", "127.0.0.2", port()));
    BoundedHttp http = BoundedHttp.standalone();
    evaluator =
        new DriftEvaluator(
            new PrometheusClient(http, 4),
            new PodMetricsScraper(http, 4),
            cluster(),
            new MetricEndpoints(List.of("fake=" + prometheus.url())));
  }

  @AfterEach
  void stop() {
    prometheus.close();
    pods.forEach(server -> server.stop(0));
  }

  @Test
  void aPrometheusScoreIsMeasuredAndAnUnreachableOneIsUnavailable() {
    prometheus.score(0.42);
    RetrainPolicy policy = policy(prometheusDrift(prometheus.url()));
    DriftEvaluation measured = evaluator.evaluate(policy).join();
    assertTrue(measured.available());
    assertEquals(0.42, measured.score());

    prometheus.close();
    DriftEvaluation down = evaluator.evaluate(policy).join();
    assertFalse(down.available());
    assertEquals("SourceUnreachable", down.problemReason());
  }

  @Test
  void anAddressTheAdministratorDidNotDeclareIsNeverQueried() {
    prometheus.score(0.42);
    DriftSpec drift = prometheusDrift("http://127.0.0.1:9");
    DriftEvaluation refused = evaluator.evaluate(policy(drift)).join();
    assertEquals("EndpointNotAllowed", refused.problemReason());

    drift.prometheus.url = null;
    drift.prometheus.endpoint = "elsewhere";
    assertEquals("EndpointNotDeclared", evaluator.evaluate(policy(drift)).join().problemReason());

    drift.prometheus.endpoint = "fake";
    assertEquals(0.42, evaluator.evaluate(policy(drift)).join().score(), "by name");
    assertEquals(1, prometheus.requests(), "only the declared endpoint was asked");
  }

  @Test
  void credentialsComeOnlyFromASecretThatOptedIn() {
    prometheus.score(0.42);
    DriftSpec drift = prometheusDrift(prometheus.url());
    drift.prometheus.authSecretRef = new dev.modelops.operator.api.v1alpha1.SecretReference();
    drift.prometheus.authSecretRef.name = "prom-token";
    credentials.put("prom-token/use", "workload");
    credentials.put("prom-token/token", "s3cr3t");
    DriftEvaluation refused = evaluator.evaluate(policy(drift)).join();
    assertEquals("CredentialsNotUsable", refused.problemReason());
    assertFalse(refused.problem().contains("s3cr3t"));
    assertEquals(0, prometheus.requests(), "no query is sent without usable credentials");

    credentials.put("prom-token/use", "prometheus");
    assertTrue(evaluator.evaluate(policy(drift)).join().available());
    assertEquals("Bearer s3cr3t", prometheus.lastAuthorization());
  }

  @Test
  void podScoresAreAggregatedAcrossTheServingPods() {
    podMetrics.put("a", "model_drift_score 0.2\n");
    podMetrics.put("b", "model_drift_score 0.6\n");
    DriftSpec drift = podDrift("model_drift_score");
    assertEquals(0.6, evaluator.evaluate(policy(drift)).join().score(), "max by default");

    drift.podMetrics.aggregation = Aggregation.mean;
    assertEquals(0.4, evaluator.evaluate(policy(drift)).join().score(), 1e-9);
  }

  @Test
  void aPodWithoutTheMetricMakesTheSourceUnavailable() {
    podMetrics.put("a", "model_drift_score 0.2\n");
    podMetrics.put("b", "other_metric 1\n");
    DriftEvaluation evaluation = evaluator.evaluate(policy(podDrift("model_drift_score"))).join();
    assertEquals("MetricMissing", evaluation.problemReason());
  }

  @Test
  void histogramsFromThePodsAreSummedAndComparedWithTheConfigMapBaseline() {
    podMetrics.put("a", buckets(10, 30, 40));
    podMetrics.put("b", buckets(10, 10, 20));
    configMaps.put(
        "churn-baseline/baseline.json",
        "{\"age\": {\"edges\": [\"1\", \"2\", \"+Inf\"], \"counts\": [10, 10, 20]}}");
    DriftEvaluation evaluation = evaluator.evaluate(policy(distribution())).join();

    Histogram baseline =
        new Histogram(List.of(1.0, 2.0, Double.POSITIVE_INFINITY), List.of(10.0, 10.0, 20.0));
    // cumulative 20, 60, 80 summed over the pods -> per bucket 20, 20, 20
    Histogram current =
        new Histogram(List.of(1.0, 2.0, Double.POSITIVE_INFINITY), List.of(20.0, 20.0, 20.0));
    double expected = DriftEvaluation.round(DriftMethod.psi.score(baseline, current));
    assertTrue(evaluation.available(), evaluation.problem());
    assertEquals(expected, evaluation.score());
    assertEquals(Map.of("age", expected), evaluation.features());
  }

  @Test
  void aMissingBaselineIsNamed() {
    podMetrics.put("a", buckets(1, 2, 3));
    podMetrics.put("b", buckets(1, 2, 3));
    DriftEvaluation evaluation = evaluator.evaluate(policy(distribution())).join();
    assertEquals("BaselineNotFound", evaluation.problemReason());
  }

  // --- fixtures ---

  HttpServer podServer(String pod, String ip, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = podMetrics.getOrDefault(pod, "").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  int port() {
    return pods.get(0).getAddress().getPort();
  }

  /** Cumulative buckets of the feature age, as a pod's /metrics shows them. */
  static String buckets(int le1, int le2, int inf) {
    return "model_input_feature_bucket{feature=\"age\",le=\"1\"} "
        + le1
        + "\nmodel_input_feature_bucket{feature=\"age\",le=\"2\"} "
        + le2
        + "\nmodel_input_feature_bucket{feature=\"age\",le=\"+Inf\"} "
        + inf
        + "\n";
  }

  ClusterReader cluster() {
    return new ClusterReader() {
      @Override
      public CompletableFuture<Optional<Map<String, String>>> credential(
          String namespace, String name, String use) {
        return CompletableFuture.completedFuture(
            use.equals(credentials.get(name + "/use"))
                ? Optional.of(Map.of("token", credentials.get(name + "/token")))
                : Optional.empty());
      }

      @Override
      public CompletableFuture<Optional<String>> configMapValue(
          String namespace, String name, String key) {
        return CompletableFuture.completedFuture(
            Optional.ofNullable(configMaps.get(name + "/" + key)));
      }

      @Override
      public CompletableFuture<List<Pod>> servingPods(String namespace, String modelDeployment) {
        return CompletableFuture.completedFuture(
            List.of(pod("a", "127.0.0.1"), pod("b", "127.0.0.2")));
      }
    };
  }

  static Pod pod(String name, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withPodIP(ip)
        .endStatus()
        .build();
  }

  DriftSpec podDrift(String metric) {
    DriftSpec drift = new DriftSpec();
    drift.podMetrics = new PodMetricsSource();
    drift.podMetrics.metric = metric;
    drift.podMetrics.port = port();
    drift.threshold = 0.3;
    return drift;
  }

  DriftSpec distribution() {
    DriftSpec drift = new DriftSpec();
    drift.distribution = new DistributionSource();
    drift.distribution.podMetrics = podDrift("model_input_feature").podMetrics;
    drift.distribution.baseline = new Baseline();
    drift.distribution.baseline.configMapRef = new ConfigMapKeyReference();
    drift.distribution.baseline.configMapRef.name = "churn-baseline";
    drift.distribution.baseline.configMapRef.key = "baseline.json";
    drift.threshold = 0.2;
    return drift;
  }

  static DriftSpec prometheusDrift(String url) {
    DriftSpec drift = new DriftSpec();
    drift.prometheus = new PrometheusSource();
    drift.prometheus.url = url + "/";
    drift.prometheus.query = "model_drift_score";
    drift.prometheus.timeoutSeconds = 2;
    drift.threshold = 0.3;
    return drift;
  }

  static RetrainPolicy policy(DriftSpec drift) {
    RetrainPolicy policy = new RetrainPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace("ml").build());
    RetrainPolicySpec spec = new RetrainPolicySpec();
    spec.modelDeploymentRef = new ModelDeploymentRef();
    spec.modelDeploymentRef.name = "churn";
    spec.drift = drift;
    policy.setSpec(spec);
    return policy;
  }
}
