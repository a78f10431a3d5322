package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A model from the platform's real MLflow (hack/mlflow-up.sh: MLflow 3.17.2 on 10.88.0.1:5000,
 * artifacts in the object store), served by real pods on the real node, driven as a user: the test
 * registers versions through MLflow's REST API, serves {@code models:/NAME@champion}, moves the
 * alias and watches the canary roll it out (its analysis measured on the platform's Prometheus);
 * deletes the served version, whose alias goes with it, and checks that nothing that serves
 * changes; then plays a trainer that registered version 3 (kwok runs the Job's pod, the test writes
 * the termination message as the kubelet would) and checks that the alias moves to 3 only after its
 * canary promoted it.
 *
 * <p>Needs the real node (root; MODELOPS_REAL_NODE not 0) with the platform services and MLflow; it
 * starts MLflow (hack/mlflow-up.sh) when it is not running, and seeds iris 1, 2 and 3 into
 * s3://models/iris/N/ (hack/seed-models.sh --version N, RealWorkloads), which the registered
 * versions name as their source.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MlflowRegistryE2EIT extends E2ESupport {
  static final String NS = "e2e-mlflow";
  static final String MD = "iris";
  static final String POLICY = "iris-retrain";
  static String v1Source;
  static String v2Source;

  /** Real pods: image already on the node, but a JVM, a puller and a Python server per pod. */
  static final Duration ROLLOUT = Duration.ofMinutes(6);

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A registered model name of its own per run: MLflow's database outlives the cluster. */
  static final String MODEL = "iris-e2e-" + Long.toString(System.currentTimeMillis(), 36);

  static String runId;

  @BeforeAll
  static void mlflowAndANamespaceThatCanPullFromTheStore() throws Exception {
    RealWorkloads.requireRealNode();
    if (!LocalControlPlane.httpOk(TestEndpoints.MLFLOW + "/health")) {
      RealWorkloads.hack(300, "hack/mlflow-up.sh");
    }
    v1Source = RealWorkloads.seed("1", false);
    v2Source = RealWorkloads.seed("2", false);
    restrictedNamespace(NS);
    RealWorkloads.storeSecret(NS);

    mlflow("POST", "registered-models/create", Map.of("name", MODEL));
    assertEquals("1", register(v1Source, null));
    runId = newRun();
    assertEquals("2", register(v2Source, runId));
    setAlias("champion", "1");
  }

  @AfterAll
  static void deleteTheRegisteredModel() {
    if (LocalControlPlane.REAL_NODE) {
      try {
        mlflow("DELETE", "registered-models/delete", Map.of("name", MODEL));
      } catch (RuntimeException e) {
        System.err.println("MlflowRegistryE2EIT: could not delete " + MODEL + ": " + e);
      }
    }
  }

  @Test
  @Order(1)
  void theChampionServesOnRealPodsThatNeverSeeTheAlias() throws IOException {
    cluster().kubectlWithInput(modelDeployment(), "apply", "-n", NS, "-f", "-");

    ModelDeployment md = awaitMdep("serving the champion, version 1", m -> servingOnly(m, "1"));
    var pin = md.getStatus().registry;
    assertEquals("mlflow", pin.endpoint);
    assertEquals(MODEL, pin.name);
    assertEquals("champion", pin.alias);
    assertEquals("1", pin.version);
    assertEquals("models:/" + MODEL + "/1", pin.modelUri);
    assertEquals(v1Source, pin.storageUri);
    assertEquals(TestEndpoints.MLFLOW + "/#/models/" + MODEL + "/versions/1", pin.link);
    assertEquals(v1Source, md.getStatus().servingModel.uri);
    assertEquals("True", resolved(md).getStatus());
    assertEquals("1", RealWorkloads.predict(NS, MD, RealWorkloads.IRIS_ROWS).version());

    List<Pod> pods = runningPods();
    assertEquals(1, pods.size(), "one replica");
    Pod pod = pods.get(0);
    assertEquals(
        List.of(v1Source, "/mnt/models"), pod.getSpec().getInitContainers().get(0).getArgs());
    assertEquals("1", pod.getMetadata().getLabels().get("modelops.dev/model-version"));
    assertFalse(Serialization.asJson(pod).contains("models:/"), "pods get the storage location");

    String wide = cluster().kubectlOrFail("get", "mdep", MD, "-n", NS, "-o", "wide");
    assertEquals("1", column(wide, "RESOLVED"), wide);
    assertEquals("1", column(wide, "SERVING"), wide);
  }

  @Test
  @Order(2)
  void movingTheAliasRollsOutItsVersionThroughTheCanary() throws IOException {
    setAlias("champion", "2");

    ModelDeployment canary =
        awaitMdep(
            "a canary of version 2 beside the stable 1",
            m -> m.getStatus().rollout != null && "2".equals(m.getStatus().rollout.canaryVersion));
    assertEquals(v2Source, canary.getStatus().rollout.canaryUri);
    assertEquals("1", canary.getStatus().rollout.stableVersion);
    assertEquals("2", canary.getStatus().registry.version, "pinned as soon as it moved");

    ModelDeployment promoted = awaitMdep("version 2 serving", m -> servingOnly(m, "2"));
    assertNull(promoted.getStatus().rollout);
    VersionHistoryEntry latest = promoted.getStatus().history.get(0);
    assertEquals("2", latest.version);
    assertEquals(VersionHistoryEntry.Outcome.Serving, latest.outcome);
    assertEquals(v2Source, latest.uri);
    assertEquals("models:/" + MODEL + "/2", latest.registry.modelUri);
    assertEquals(runId, latest.registry.runId, "the run that produced it");
    VersionHistoryEntry before = promoted.getStatus().history.get(1);
    assertEquals("1", before.version);
    assertEquals(VersionHistoryEntry.Outcome.Superseded, before.outcome);
    assertEquals(
        v1Source, before.registry.storageUri, "history keeps the pin: rollback is one edit");
    await("the canary Deployment is gone")
        .atMost(CONVERGE)
        .until(
            () ->
                api().apps().deployments().inNamespace(NS).withName(MD + "-canary").get() == null);
    // A stable pod of version 1 drains for a moment after the promotion; look once it is gone.
    RealWorkloads.awaitOnly(NS, MD, "2");
    assertEquals(
        List.of(v2Source, "/mnt/models"),
        runningPods().get(0).getSpec().getInitContainers().get(0).getArgs());
    assertTrue(events().contains("CanaryStarted") && events().contains("CanaryPromoted"));
    assertEquals(
        "2",
        RealWorkloads.predict(NS, MD, RealWorkloads.IRIS_ROWS).version(),
        "the model server answers as version 2");
  }

  @Test
  @Order(3)
  void aDeletedVersionTakesItsAliasAndNothingThatServesChanges() throws IOException {
    Deployment stable = api().apps().deployments().inNamespace(NS).withName(MD).get();
    long generation = stable.getMetadata().getGeneration();

    mlflow("DELETE", "model-versions/delete", Map.of("name", MODEL, "version", "2"));

    ModelDeployment failing =
        awaitMdep(
            "ModelResolved=False, AliasNotFound",
            m -> resolved(m) != null && "AliasNotFound".equals(resolved(m).getReason()));
    Condition condition = resolved(failing);
    assertEquals("False", condition.getStatus());
    assertTrue(
        condition.getMessage().contains("has no alias champion")
            && condition.getMessage().contains("stays pinned to version 2"),
        condition.getMessage());
    assertEquals("2", serving(failing));
    assertTrue(ready(failing), "still Ready: the pods keep serving");
    assertTrue(events().contains("AliasNotFound"));
    await("nothing that serves is touched")
        .during(Duration.ofSeconds(25))
        .atMost(Duration.ofSeconds(40))
        .until(
            () ->
                api()
                        .apps()
                        .deployments()
                        .inNamespace(NS)
                        .withName(MD)
                        .get()
                        .getMetadata()
                        .getGeneration()
                    == generation);
    assertEquals(1, runningPods().size());
    assertEquals("2", RealWorkloads.predict(NS, MD, RealWorkloads.IRIS_ROWS).version());
  }

  @Test
  @Order(4)
  void aTrainerThatRegisteredVersion3IsPromotedThroughTheCanaryAndOnlyThenGetsTheAlias()
      throws IOException {
    // What the trainer does first: train, log a run, register the model. Done before the Job
    // runs: its (kwok) pod finishes at once, and a Job without a result after 30 s is a failure.
    String trainedBy = newRun();
    assertEquals("3", register(RealWorkloads.seed("3", false), trainedBy));
    cluster()
        .kubectlWithInput(
            manualRetrainPolicy(POLICY, MD, "registryAlias: champion"),
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    await().atMost(CONVERGE).until(() -> rtp().getStatus() != null);
    cluster().kubectlOrFail("annotate", "rtp", POLICY, "-n", NS, "modelops.dev/retrain-now=e2e");
    Job job =
        await("the retraining Job")
            .atMost(CONVERGE)
            .until(this::jobs, list -> list.size() == 1)
            .get(0);
    var env = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertTrue(
        env.stream()
            .anyMatch(
                e -> "MODEL_URI".equals(e.getName()) && e.getValue().equals(reference("champion"))),
        "the trainer gets the reference: " + env);

    // What the trainer does once the Job's pod finished: report models:/NAME/3.
    writeTerminationMessage(NS, job, "{\"uri\": \"models:/" + MODEL + "/3\"}");

    ModelDeployment canary =
        awaitMdep(
            "the promoted version 3 runs as a canary",
            m -> m.getStatus().rollout != null && "3".equals(m.getStatus().rollout.canaryVersion));
    assertEquals("models:/" + MODEL + "/3", canary.getSpec().model.uri);
    assertEquals("3", canary.getSpec().model.version);
    assertNull(aliasVersion("champion"), "no alias before the canary completed");

    ModelDeployment serving = awaitMdep("version 3 serving", m -> servingOnly(m, "3"));
    VersionHistoryEntry latest = serving.getStatus().history.get(0);
    assertEquals(POLICY, latest.source.policy, "the lineage names the policy");
    assertEquals(job.getMetadata().getName(), latest.source.job);
    assertEquals(trainedBy, latest.registry.runId, "and the run that trained it");
    await("the alias follows the promoted version")
        .atMost(CONVERGE)
        .until(() -> "3".equals(aliasVersion("champion")));
    ModelDeployment done =
        awaitMdep(
            "alias update recorded",
            m ->
                m.getStatus().history.get(0).aliasUpdate != null
                    && m.getStatus().history.get(0).aliasUpdate.state
                        == RegistryAliasUpdate.State.Set);
    assertEquals("champion", done.getStatus().history.get(0).aliasUpdate.alias);
    assertTrue(events().contains("RegistryAliasSet"));
    RealWorkloads.awaitOnly(NS, MD, "3");
    assertEquals("3", RealWorkloads.predict(NS, MD, RealWorkloads.IRIS_ROWS).version());

    RetrainRecord record =
        await("the retrain record names the run and the alias")
            .atMost(CONVERGE)
            .until(() -> rtp().getStatus().history.get(0), r -> "champion".equals(r.registryAlias));
    assertEquals(RetrainRecord.Promotion.Promoted, record.promotion);
    assertEquals(trainedBy, record.runId);
    assertEquals("models:/" + MODEL + "/3", record.uri);
  }

  // --- the user's objects ---

  static String modelDeployment() {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          model:
            name: iris
            uri: "%s"
            format: sklearn
            registry: {endpoint: mlflow, resolveInterval: 10s}
          runtime:
            image: ghcr.io/modelops-dev/sklearn-server:0.1.0
            port: 8080
            protocol: v2
            resources:
              requests: {cpu: 100m, memory: 320Mi}
              limits: {memory: 768Mi}
          replicas: 1
          rollout:
            strategy: Canary
            progressDeadlineSeconds: 300
            steps:
              - setWeight: 50
              - analysis: {}
            analysis:
              interval: 10s
              count: 2
              failureLimit: 1
              queries:
                - name: canary-scraped
                  prometheus:
                    endpoint: default
                    query: sum(up{job="model-servers",namespace="{{namespace}}",deployment="{{name}}",track="canary",version="{{canaryVersion}}"})
                  successCondition: ">= 1"
        """
        .formatted(MD, reference("champion"));
  }

  static String reference(String alias) {
    return "models:/" + MODEL + "@" + alias;
  }

  // --- what a user sees ---

  static ModelDeployment awaitMdep(String what, java.util.function.Predicate<ModelDeployment> ok) {
    return await(NS + "/" + MD + ": " + what)
        .atMost(ROLLOUT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> mdep(NS, MD), m -> m != null && m.getStatus() != null && ok.test(m));
  }

  /** The value in a kubectl table's first row under a header (columns start where headers do). */
  static String column(String table, String header) {
    List<String> lines = table.lines().toList();
    int at = lines.get(0).indexOf(header);
    assertTrue(at >= 0, "no column " + header + " in:\n" + table);
    String row = lines.get(1);
    return row.substring(Math.min(at, row.length())).strip().split("\\s+")[0];
  }

  /**
   * The version serves, no rollout runs, and every running serving pod runs it: what the Service
   * answers with is that version.
   */
  static boolean servingOnly(ModelDeployment md, String version) {
    List<Pod> pods = runningPods();
    return version.equals(serving(md))
        && md.getStatus().rollout == null
        && "Ready".equals(String.valueOf(md.getStatus().phase))
        && pods.size() == md.getSpec().replicas
        && pods.stream()
            .allMatch(
                p -> version.equals(p.getMetadata().getLabels().get("modelops.dev/model-version")));
  }

  static boolean ready(ModelDeployment md) {
    return Conditions.isTrue(md.getStatus().conditions, "Ready");
  }

  static String serving(ModelDeployment md) {
    return md.getStatus().servingModel == null ? null : md.getStatus().servingModel.version;
  }

  static Condition resolved(ModelDeployment md) {
    return Conditions.find(md.getStatus().conditions, "ModelResolved").orElse(null);
  }

  static List<Pod> runningPods() {
    return servingPods(NS, MD).stream().filter(E2ESupport::running).toList();
  }

  static List<String> events() {
    return api().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> MD.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason())
        .toList();
  }

  static RetrainPolicy rtp() {
    return api().resources(RetrainPolicy.class).inNamespace(NS).withName(POLICY).get();
  }

  List<Job> jobs() {
    return api()
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .withLabel("modelops.dev/retrain-policy", POLICY)
        .list()
        .getItems();
  }

  // --- MLflow, through its REST API 2.0, as a user's script would ---

  static String register(String source, String run) {
    ObjectNode body = JSON.createObjectNode().put("name", MODEL).put("source", source);
    if (run != null) {
      body.put("run_id", run);
    }
    return mlflow("POST", "model-versions/create", body)
        .path("model_version")
        .path("version")
        .asText();
  }

  /** A run in the default experiment, as mlflow.start_run() makes one; its id. */
  static String newRun() {
    return mlflow("POST", "runs/create", Map.of("experiment_id", "0"))
        .path("run")
        .path("info")
        .path("run_id")
        .asText();
  }

  static void setAlias(String alias, String version) {
    mlflow(
        "POST",
        "registered-models/alias",
        Map.of("name", MODEL, "alias", alias, "version", version));
  }

  /** The version the alias names, or null when the model has no such alias. */
  static String aliasVersion(String alias) {
    for (JsonNode a :
        mlflowGet("registered-models/get?name=" + q(MODEL))
            .path("registered_model")
            .path("aliases")) {
      if (alias.equals(a.path("alias").asText())) {
        return a.path("version").asText();
      }
    }
    return null;
  }

  static JsonNode mlflow(String method, String path, Object body) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(TestEndpoints.MLFLOW + "/api/2.0/mlflow/" + path))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .build();
      return answer(method + " " + path, HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new IllegalStateException("MLflow " + method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode mlflowGet(String pathAndQuery) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(TestEndpoints.MLFLOW + "/api/2.0/mlflow/" + pathAndQuery))
              .timeout(Duration.ofSeconds(20))
              .GET()
              .build();
      return answer(
          "GET " + pathAndQuery, HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new IllegalStateException("MLflow GET " + pathAndQuery + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode answer(String what, HttpResponse<String> response) throws IOException {
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "MLflow " + what + " answered " + response.statusCode() + ": " + response.body());
    }
    JsonNode json = JSON.readTree(response.body());
    assertNotNull(json, what);
    return json;
  }

  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
