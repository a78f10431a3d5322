package dev.modelops.operator.e2e;

import static dev.modelops.operator.e2e.RealWorkloads.IRIS_ROWS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Serving for real, on the real node: the puller fetches the model from the object store, the
 * example server (KServe's model server) answers the Open Inference Protocol, the Service's
 * endpoints follow the readiness probe, the load generator's traffic is counted request by request,
 * and canary analysis reads the real Prometheus. Each test continues from the one before (one
 * ModelDeployment, iris, through its versions).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealServingE2EIT extends E2ESupport {
  static final String NS = "e2e-real";
  static final Duration ROLLOUT = Duration.ofMinutes(4);
  static String v1;
  static String v2;
  static String v3;
  static String bad;
  static RealWorkloads.LoadGenerator traffic;

  @BeforeAll
  static void theStoreHoldsFourVersions() {
    RealWorkloads.requireRealNode();
    restrictedNamespace(NS);
    RealWorkloads.storeSecret(NS);
    v1 = RealWorkloads.seed("1", false);
    v2 = RealWorkloads.seed("2", false);
    v3 = RealWorkloads.seed("3", false);
    bad = RealWorkloads.seed("bad", true);
  }

  @AfterAll
  static void stopTraffic() {
    if (traffic != null) {
      traffic.stop();
    }
  }

  static void apply(String version, String uri, int replicas, String rollout) {
    String yaml =
        """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: iris}
        spec:
          model: {name: iris, version: "%s", uri: "%s", format: sklearn}
          runtime:
            image: %s
            port: 8080
            protocol: v2
            resources: {requests: {cpu: 50m, memory: 256Mi}, limits: {memory: 768Mi}}
          replicas: %d
          rollout:
        %s"""
            .formatted(version, uri, RealWorkloads.SERVER_IMAGE, replicas, rollout.indent(4));
    cluster().kubectlWithInput(yaml, "apply", "-n", NS, "-f", "-");
  }

  static ModelDeployment awaitServing(String version) {
    return await(NS + "/iris serving " + version)
        .atMost(ROLLOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> mdep(NS, "iris"),
            md ->
                md != null
                    && md.getStatus() != null
                    && version.equals(md.getStatus().servingVersion)
                    && md.getStatus().rollout == null
                    && "Ready".equals(String.valueOf(md.getStatus().phase))
                    && runningPods(version) == md.getSpec().replicas);
  }

  static long runningPods(String version) {
    return servingPods(NS, "iris").stream()
        .filter(E2ESupport::running)
        .filter(p -> version.equals(p.getMetadata().getLabels().get("modelops.dev/model-version")))
        .count();
  }

  /** The load generator saw every request answered: none failed, none needed its retry. */
  static void noRequestFailed(String during) throws Exception {
    JsonNode stats = traffic.stats();
    assertTrue(stats.get("sent").asLong() > 0, "traffic flowed: " + stats);
    assertEquals(0, stats.get("failed").asLong(), during + ": failed requests: " + stats);
    assertEquals(0, stats.get("retried").asLong(), during + ": retried requests: " + stats);
  }

  @Test
  @Order(1)
  void realPodsServeExactlyWhatScikitLearnPredictsOffline() throws Exception {
    apply("1", v1, 2, "strategy: RollingUpdate");
    cluster()
        .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/iris", "--timeout=240s");

    List<Pod> pods = servingPods(NS, "iris");
    assertEquals(2, pods.size());
    for (Pod pod : pods) {
      assertEquals("Running", pod.getStatus().getPhase());
      assertEquals("modelops-node-0", pod.getSpec().getNodeName(), "on the real node");
      ContainerStatus puller = pod.getStatus().getInitContainerStatuses().get(0);
      assertEquals("model-puller", puller.getName());
      assertEquals(0, puller.getState().getTerminated().getExitCode(), "the puller fetched");
      ContainerStatus server = pod.getStatus().getContainerStatuses().get(0);
      assertTrue(server.getReady(), "the server is ready");
      assertEquals(0, server.getRestartCount());
      Instant started = Instant.parse(server.getState().getRunning().getStartedAt());
      Instant ready =
          Instant.parse(
              pod.getStatus().getConditions().stream()
                  .filter(c -> "Ready".equals(c.getType()))
                  .findFirst()
                  .orElseThrow()
                  .getLastTransitionTime());
      assertFalse(ready.isBefore(started), "Ready only once the running server passed its probe");
      assertEquals(
          "/v2/health/ready",
          pod.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath());
    }
    String name = pods.get(0).getMetadata().getName();
    String pulled = cluster().kubectlOrFail("logs", "-n", NS, name, "-c", "model-puller");
    assertTrue(pulled.contains("from " + v1), pulled);
    String served = cluster().kubectlOrFail("logs", "-n", NS, name, "-c", "server");
    assertTrue(served.contains("Registering model: iris"), served);
    String files =
        cluster().kubectlOrFail("exec", "-n", NS, name, "-c", "server", "--", "ls", "/mnt/models");
    assertTrue(files.contains("model.joblib") && files.contains("features.json"), files);

    RealWorkloads.Predictions offline = RealWorkloads.offline(v1, IRIS_ROWS);
    RealWorkloads.Predictions online = RealWorkloads.predict(NS, "iris", IRIS_ROWS);
    assertEquals("1", online.version());
    assertArrayEquals(offline.classes(), online.classes(), "the same classes as offline");
    for (int r = 0; r < IRIS_ROWS.length; r++) {
      assertArrayEquals(offline.probabilities()[r], online.probabilities()[r], 1e-12, "row " + r);
    }
  }

  @Test
  @Order(2)
  void aRollingUpdateKeepsAReadyEndpointAndDropsNoRequest() throws Exception {
    traffic = RealWorkloads.startLoadGenerator(NS, "iris-traffic", "iris", Map.of("RATE", "20"));
    try (ReadyEndpoints endpoints = new ReadyEndpoints(NS, "iris")) {
      await("the watch saw the ready endpoints")
          .atMost(CONVERGE)
          .until(() -> endpoints.current() == 2);
      apply("2", v2, 2, "strategy: RollingUpdate");
      ModelDeployment md = awaitServing("2");
      await("the old pods are gone").atMost(CONVERGE).until(() -> runningPods("1") == 0);
      assertTrue(
          endpoints.fewest() >= 1,
          "the Service always had a ready endpoint (maxUnavailable 0); ready counts: "
              + endpoints.history());
      assertEquals(Outcome.Serving, md.getStatus().history.get(0).outcome);
    }
    noRequestFailed("rolling update 1 → 2");
  }

  static final String SPLIT_CANARY =
      """
      strategy: Canary
      steps:
        - setWeight: 25
        - pause: {duration: 45s}
        - setWeight: 50
        - pause: {}
      """;

  @Test
  @Order(3)
  void aCanarySplitsTrafficByItsPodsAndPromotesWithoutAFailedRequest() throws Exception {
    apply("2", v2, 3, SPLIT_CANARY);
    awaitServing("2");
    apply("3", v3, 3, SPLIT_CANARY);
    for (int weight : new int[] {25, 50}) {
      int canaryPods = (int) Math.ceil(3 * weight / 100.0);
      await("weight " + weight + ": " + canaryPods + " canary pods ready beside 3 stable")
          .atMost(ROLLOUT)
          .until(
              () -> {
                var rollout = mdep(NS, "iris").getStatus().rollout;
                return rollout != null
                    && rollout.weight == weight
                    && readyPods("canary") == canaryPods
                    && readyPods("stable") == 3;
              });
      // 45 s at weight 25: time enough for the requests (a fraction of a second each).
      assertCanaryShare(canaryPods / (canaryPods + 3.0), 200);
    }
    await("paused at weight 50")
        .atMost(CONVERGE)
        .until(() -> mdep(NS, "iris").getStatus().rollout.pausedReason != null);
    cluster().kubectlOrFail("annotate", "mdep", "iris", "-n", NS, "modelops.dev/promote=3");
    awaitServing("3");
    await("no canary pods left").atMost(CONVERGE).until(() -> readyPods("canary") == 0);
    noRequestFailed("canary 2 → 3 and its promotion");
  }

  long readyPods(String track) {
    return servingPods(NS, "iris").stream()
        .filter(E2ESupport::running)
        .filter(p -> track.equals(p.getMetadata().getLabels().get("modelops.dev/track")))
        .filter(
            p ->
                p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .count();
  }

  /**
   * n requests through the Service, each on its own connection: the canary's share is binomial
   * around its pods' share of the ready endpoints; 4 standard deviations either side (a correct
   * split fails this about once in 16,000 runs).
   */
  void assertCanaryShare(double expected, int n) throws Exception {
    int canary = 0;
    for (int i = 0; i < n; i++) {
      String version =
          RealWorkloads.predict(NS, "iris", new double[][] {IRIS_ROWS[i % 10]}).version();
      if ("3".equals(version)) {
        canary++;
      }
    }
    double share = canary / (double) n;
    double tolerance = 4 * Math.sqrt(expected * (1 - expected) / n);
    assertTrue(
        Math.abs(share - expected) <= tolerance,
        "canary answered "
            + canary
            + "/"
            + n
            + " = "
            + share
            + ", expected "
            + expected
            + " ± "
            + tolerance);
  }

  static final String ANALYSED_CANARY =
      """
      strategy: Canary
      steps:
        - setWeight: 50
        - analysis: {}
      analysis:
        interval: 10s
        count: 3
        failureLimit: 1
        queries:
          - name: error-rate
            prometheus:
              endpoint: default
              query: >-
                sum(rate(model_request_errors_total{namespace="{{namespace}}",deployment="{{name}}",version="{{canaryVersion}}",endpoint="infer"}[1m]) or vector(0))
                / sum(rate(model_requests_total{namespace="{{namespace}}",deployment="{{name}}",version="{{canaryVersion}}",endpoint="infer"}[1m]))
            successCondition: "< 0.05"
          - name: accuracy
            prometheus:
              endpoint: default
              query: >-
                sum(rate(model_feedback_total{namespace="{{namespace}}",deployment="{{name}}",version="{{canaryVersion}}",outcome="correct"}[1m]))
                / sum(rate(model_feedback_total{namespace="{{namespace}}",deployment="{{name}}",version="{{canaryVersion}}"}[1m]))
            successCondition: ">= 0.7"
      """;

  @Test
  @Order(4)
  void analysisOnTheRealPrometheusRollsABadModelBackAndPromotesAGoodOne() throws Exception {
    apply("3", v3, 2, ANALYSED_CANARY);
    awaitServing("3");
    apply("bad", bad, 2, ANALYSED_CANARY);
    ModelDeployment rolledBack =
        awaitMdep(
            NS,
            "iris",
            "bad rolled back",
            md ->
                md.getStatus().history.stream()
                    .anyMatch(h -> "bad".equals(h.version) && h.outcome == Outcome.RolledBack));
    assertEquals("3", rolledBack.getStatus().servingVersion, "the serving version stays");
    String degraded =
        Conditions.find(rolledBack.getStatus().conditions, "Degraded").orElseThrow().getMessage();
    assertTrue(degraded.contains("accuracy="), degraded);
    assertEquals("3", RealWorkloads.predict(NS, "iris", IRIS_ROWS).version());
    await("no canary pods left").atMost(CONVERGE).until(() -> readyPods("canary") == 0);

    apply("1", v1, 2, ANALYSED_CANARY);
    ModelDeployment promoted = awaitServing("1");
    assertTrue(
        promoted.getStatus().history.get(0).message.contains("every canary step passed"),
        promoted.getStatus().history.get(0).message);
    noRequestFailed("a rolled-back and a promoted canary");
  }

  @Test
  @Order(5)
  void aMissingModelAServerThatNeverGetsReadyAndAStoreThatIsDownKeepTheServingVersion()
      throws Exception {
    String deadline = "strategy: Canary\nprogressDeadlineSeconds: 20\nsteps: [{setWeight: 50}]";
    apply("1", v1, 2, deadline);
    awaitServing("1");

    apply("missing", "s3://models/iris/missing/", 2, deadline);
    String missing = rolledBackSaying("missing", "model-puller");
    assertTrue(
        missing.contains("ProgressDeadlineExceeded") || missing.contains("progressDeadline"),
        missing);

    // A model directory whose model.joblib is not a model: the server exits at start.
    RealWorkloads.hack(
        30,
        "bash",
        "-c",
        "source hack/platform-env.sh"
            + " && printf 'not a model' | s3_curl -fsS -X PUT --data-binary @- models/iris/corrupt/model.joblib"
            + " && s3_curl -fsS models/iris/1/features.json"
            + " | s3_curl -fsS -X PUT --data-binary @- models/iris/corrupt/features.json");
    apply("corrupt", "s3://models/iris/corrupt/", 2, deadline);
    rolledBackSaying("corrupt", "container server");

    RealWorkloads.hack(
        30, "bash", "-c", "source hack/platform-env.sh && kill \"$(platform_pid s3)\"");
    try {
      apply("2", v2, 2, deadline);
      rolledBackSaying("2", "model-puller");
    } finally {
      RealWorkloads.hack(120, "hack/platform-up.sh");
    }
    assertEquals("1", RealWorkloads.predict(NS, "iris", IRIS_ROWS).version());
    noRequestFailed("three canaries that never got ready");
  }

  /**
   * The canary of {@code version} was rolled back; returns the Degraded message, which names why.
   */
  String rolledBackSaying(String version, String cause) throws Exception {
    ModelDeployment md =
        awaitMdep(
            NS,
            "iris",
            version + " rolled back",
            m ->
                m.getStatus().history.stream()
                    .anyMatch(h -> version.equals(h.version) && h.outcome == Outcome.RolledBack));
    assertEquals("1", md.getStatus().servingVersion, "version 1 keeps serving");
    var degraded = Conditions.find(md.getStatus().conditions, "Degraded").orElseThrow();
    assertNotNull(degraded.getMessage());
    assertTrue(
        degraded.getMessage().contains(cause), "names " + cause + ": " + degraded.getMessage());
    assertEquals("1", RealWorkloads.predict(NS, "iris", IRIS_ROWS).version());
    return degraded.getReason() + ": " + degraded.getMessage();
  }
}
