package dev.modelops.operator.e2e;

import static dev.modelops.operator.e2e.RealWorkloads.IRIS_ROWS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The closed loop with real workloads: the load generator's traffic shifts, the operator scores the
 * serving pods' own input histograms against the trainer's baseline, one Job runs the example
 * trainer (which trains, uploads to the object store and reports its model in its own termination
 * message), the canary judges the new model on the real Prometheus, and it serves. Then a bad
 * trainer, a manual promotion, and the operator's statistics against numpy/scipy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClosedLoopE2EIT extends E2ESupport {
  static final String NS = "e2e-loop";
  static final Duration LOOP = Duration.ofMinutes(5);

  /** Traffic batches of this run only (the store outlives clusters). */
  static final String TRAFFIC = "s3://traffic/e2e-loop-" + Instant.now().getEpochSecond() + "/";

  static RealWorkloads.LoadGenerator traffic;
  static String v1;

  @BeforeAll
  static void irisServesWithTrafficAndABaseline() throws Exception {
    RealWorkloads.requireRealNode();
    restrictedNamespace(NS);
    RealWorkloads.storeSecret(NS);
    v1 = RealWorkloads.seed("1", false);
    String baseline =
        RealWorkloads.hack(
                30,
                "bash",
                "-c",
                "source hack/platform-env.sh && s3_curl -fsS models/iris/1/baseline.json")
            .stdout();
    api()
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("iris-baseline")
                .endMetadata()
                .withData(Map.of("baseline.json", baseline))
                .build())
        .create();
    // The example's trainer identity and its one permission: the baseline ConfigMap.
    String drift =
        Files.readString(LocalControlPlane.ROOT.resolve("deploy/examples/iris-drift.yaml"));
    String identity = drift.substring(drift.indexOf("---") + 4);
    applyOrFail(identity);
    String iris = Files.readString(LocalControlPlane.ROOT.resolve("deploy/examples/iris.yaml"));
    applyOrFail(iris);
    cluster()
        .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/iris", "--timeout=240s");
    traffic =
        RealWorkloads.startLoadGenerator(
            NS, "iris-traffic", "iris", Map.of("BATCH_URI", TRAFFIC, "BATCH_SIZE", "50"));
  }

  @AfterAll
  static void stopTraffic() {
    if (traffic != null) {
      traffic.stop();
    }
  }

  /**
   * A RetrainPolicy on iris like deploy/examples/iris-drift.yaml, on this run's traffic; {@code
   * env} adds trainer variables (YAML flow entries), {@code drift} replaces the drift section.
   */
  static String policy(String name, String promotion, String env, String drift) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s}
        spec:
          modelDeploymentRef: {name: iris}
          drift:
        %s
          cooldown: 10m
          promotion: %s
          jobTemplate:
            spec:
              backoffLimit: 0
              activeDeadlineSeconds: 300
              template:
                spec:
                  serviceAccountName: iris-trainer
                  automountServiceAccountToken: true
                  containers:
                    - name: train
                      image: %s
                      env:
                        - {name: BASELINE_CONFIGMAP, value: iris-baseline}
                        - {name: TRAFFIC_URI, value: "%s"}
                        - {name: TRAFFIC_MAX_ROWS, value: "300"}
                        - {name: AWS_ENDPOINT_URL, value: "http://s3.storage.svc.cluster.local"}
        %s
                      envFrom: [{secretRef: {name: model-store}}]
                      resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 1Gi}}
                      securityContext: {readOnlyRootFilesystem: true}
                      volumeMounts: [{name: tmp, mountPath: /tmp}]
                  volumes: [{name: tmp, emptyDir: {}}]
        """
        .formatted(
            name,
            drift.indent(4).stripTrailing(),
            promotion,
            RealWorkloads.TRAINER_IMAGE,
            TRAFFIC,
            env.indent(16).stripTrailing());
  }

  static final String POD_HISTOGRAMS =
      """
      distribution:
        podMetrics: {port: 8080, path: /metrics, metric: model_input_recent}
        baseline: {configMapRef: {name: iris-baseline, key: baseline.json}}
        method: psi
        aggregation: max
      threshold: 0.5
      for: 30s
      evaluationInterval: 10s""";

  /** Never triggers: only retrain-now starts this policy's Jobs. */
  static final String NO_DRIFT =
      """
      prometheus: {endpoint: closed, query: model_drift_score, timeoutSeconds: 1}
      threshold: 0.5
      evaluationInterval: 10s""";

  static void applyOrFail(String yaml) {
    RealWorkloads.apply(NS, yaml);
  }

  static RetrainPolicy rtp(String name) {
    return api().resources(RetrainPolicy.class).inNamespace(NS).withName(name).get();
  }

  static List<Job> jobs(String policy) {
    return retrainJobs(NS, policy);
  }

  /** The trainer's own termination message, as the kubelet recorded it: {"version", "uri"}. */
  static JsonNode trainerResult(Job job) throws Exception {
    Pod pod =
        await("Job " + job.getMetadata().getName() + " succeeded")
            .atMost(LOOP)
            .until(
                () ->
                    api()
                        .pods()
                        .inNamespace(NS)
                        .withLabel("job-name", job.getMetadata().getName())
                        .list()
                        .getItems(),
                pods -> pods.size() == 1 && "Succeeded".equals(pods.get(0).getStatus().getPhase()))
            .get(0);
    String message =
        pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
    assertNotNull(message, "the trainer wrote its termination message");
    return RealWorkloads.JSON.readTree(message);
  }

  static String driftReason(String policy) {
    RetrainPolicy p = rtp(policy);
    return p.getStatus() == null
        ? ""
        : Conditions.reason(p.getStatus().conditions, "DriftDetected").orElse("");
  }

  @Test
  @Order(1)
  void aShiftRetrainsOnceAndTheRetrainedModelServesWhatItPredictsOffline() throws Exception {
    applyOrFail(policy("iris-drift", "Automatic", "", POD_HISTOGRAMS));
    await("the unshifted traffic is below the threshold")
        .atMost(CONVERGE)
        .until(() -> "BelowThreshold".equals(driftReason("iris-drift")));
    assertTrue(jobs("iris-drift").isEmpty());

    traffic.shift(2);
    await("drift detected")
        .atMost(LOOP)
        .until(() -> "ThresholdExceeded".equals(driftReason("iris-drift")));
    Job job =
        await("one retrain Job")
            .atMost(LOOP)
            .until(() -> jobs("iris-drift"), j -> j.size() == 1)
            .get(0);
    assertTrue(
        job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .anyMatch(e -> e.getName().equals("TRIGGER") && "drift".equals(e.getValue())));
    JsonNode result = trainerResult(job);
    String version = result.get("version").asText();
    String uri = result.get("uri").asText();
    assertTrue(version.startsWith("1-r"), "the trainer names the retrained version: " + version);

    ModelDeployment served =
        await("the canary of " + version + " passes its analysis and serves")
            .atMost(LOOP)
            .until(
                () -> mdep(NS, "iris"),
                md ->
                    md.getStatus() != null
                        && version.equals(md.getStatus().servingVersion)
                        && md.getStatus().rollout == null);
    var entry = served.getStatus().history.get(0);
    assertEquals(Outcome.Serving, entry.outcome);
    assertTrue(entry.message.contains("every canary step passed"), entry.message);
    assertEquals(job.getMetadata().getName(), entry.source.job);

    double[][] shifted = shifted(IRIS_ROWS, 2);
    // The same rows the load generator sends: iris plus two standard deviations per feature.
    RealWorkloads.Predictions offline = RealWorkloads.offline(uri, shifted);
    RealWorkloads.awaitOnly(NS, "iris", version);
    RealWorkloads.Predictions online = RealWorkloads.predict(NS, "iris", shifted);
    assertEquals(version, online.version());
    assertArrayEquals(offline.classes(), online.classes(), "predictions are the retrained model's");
    long[] before = RealWorkloads.offline(v1, shifted).classes();
    assertTrue(
        correct(online.classes()) > correct(before),
        "on the shifted inputs the retrained model is right more often than version 1: "
            + correct(online.classes())
            + " vs "
            + correct(before)
            + " of "
            + shifted.length);

    await("drift falls back below the threshold")
        .atMost(LOOP)
        .until(() -> "BelowThreshold".equals(driftReason("iris-drift")));
    await("no further Job within the cooldown")
        .during(Duration.ofSeconds(40))
        .atMost(Duration.ofSeconds(60))
        .until(() -> jobs("iris-drift").size() == 1);
    RetrainRecord record = rtp("iris-drift").getStatus().history.get(0);
    assertEquals(RetrainRecord.Promotion.Promoted, record.promotion);
    assertEquals(RetrainRecord.Outcome.Succeeded, record.outcome);
    JsonNode stats = traffic.stats();
    assertEquals(0, stats.get("failed").asLong(), "no request failed through the loop: " + stats);
  }

  /** How many of IRIS_ROWS' true classes the predictions match. */
  static int correct(long[] classes) {
    int right = 0;
    for (int i = 0; i < classes.length; i++) {
      right += classes[i] == RealWorkloads.IRIS_CLASSES[i] ? 1 : 0;
    }
    return right;
  }

  static double[][] shifted(double[][] rows, double sigmas) {
    double[] std = {0.8253, 0.4344, 1.7594, 0.7596}; // iris, by feature (population std)
    double[][] out = new double[rows.length][4];
    for (int r = 0; r < rows.length; r++) {
      for (int f = 0; f < 4; f++) {
        out[r][f] = rows[r][f] + sigmas * std[f];
      }
    }
    return out;
  }

  @Test
  @Order(2)
  void aBadTrainersModelIsRolledBackTheOldOneKeepsServingAndTheBackoffHolds() throws Exception {
    String serving = mdep(NS, "iris").getStatus().servingVersion;
    applyOrFail(
        policy("iris-drift", "Automatic", "- {name: BAD_MODEL, value: \"1\"}", POD_HISTOGRAMS));
    cluster()
        .kubectlOrFail("annotate", "rtp", "iris-drift", "-n", NS, "modelops.dev/retrain-now=bad-1");
    Job job =
        await("the bad trainer's Job")
            .atMost(LOOP)
            .until(() -> jobs("iris-drift"), j -> j.size() == 2)
            .stream()
            .filter(j -> !j.getMetadata().getName().endsWith("-1"))
            .findFirst()
            .orElseThrow();
    String bad = trainerResult(job).get("version").asText();
    RetrainPolicy policy =
        await(bad + " rolled back")
            .atMost(LOOP)
            .until(
                () -> rtp("iris-drift"),
                p ->
                    p.getStatus().history.stream()
                        .anyMatch(
                            r ->
                                bad.equals(r.version)
                                    && r.promotion == RetrainRecord.Promotion.RolledBack));
    ModelDeployment md = mdep(NS, "iris");
    assertEquals(serving, md.getStatus().servingVersion, "the old model keeps serving");
    RealWorkloads.awaitOnly(NS, "iris", serving);
    assertEquals(serving, RealWorkloads.predict(NS, "iris", IRIS_ROWS).version());
    String degraded =
        Conditions.find(md.getStatus().conditions, "Degraded").orElseThrow().getMessage();
    assertTrue(degraded.contains("accuracy"), "the analysis named the accuracy query: " + degraded);
    assertEquals(1, policy.getStatus().consecutiveFailures, "a rolled-back model is a failure");
    Instant next = Instant.parse(policy.getStatus().nextEligibleTime);
    assertTrue(next.isAfter(Instant.now().plusSeconds(300)), "drift waits the cooldown: " + next);

    // Drift again (a new normal for the next test's trainer): the backoff holds it.
    traffic.shift(3);
    await("drift is back")
        .atMost(LOOP)
        .until(() -> "ThresholdExceeded".equals(driftReason("iris-drift")));
    await("the backoff holds the next retrain off")
        .during(Duration.ofSeconds(45))
        .atMost(Duration.ofSeconds(60))
        .until(() -> jobs("iris-drift").size() == 2);
  }

  @Test
  @Order(3)
  void aManualCandidateServesNothingUntilApproved() throws Exception {
    ModelDeployment before = mdep(NS, "iris");
    String serving = before.getStatus().servingVersion;
    // After the rollback above spec.model still names the rolled-back version: it stays so.
    String specified = before.getSpec().model.version;
    applyOrFail(policy("iris-manual", "Manual", "", NO_DRIFT));
    await().atMost(CONVERGE).until(() -> rtp("iris-manual").getStatus() != null);
    cluster()
        .kubectlOrFail("annotate", "rtp", "iris-manual", "-n", NS, "modelops.dev/retrain-now=1");
    Job job =
        await("the manual Job")
            .atMost(LOOP)
            .until(() -> jobs("iris-manual"), j -> j.size() == 1)
            .get(0);
    String candidate = trainerResult(job).get("version").asText();
    await("candidate recorded")
        .atMost(CONVERGE)
        .until(
            () -> rtp("iris-manual").getStatus().candidate,
            c -> c != null && candidate.equals(c.version));
    await("the candidate serves nothing before approval")
        .during(Duration.ofSeconds(20))
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ModelDeployment md = mdep(NS, "iris");
              return specified.equals(md.getSpec().model.version)
                  && serving.equals(md.getStatus().servingVersion)
                  && md.getStatus().rollout == null;
            });
    cluster()
        .kubectlOrFail(
            "annotate", "rtp", "iris-manual", "-n", NS, "modelops.dev/approve=" + candidate);
    await(candidate + " serves after approval, through the canary")
        .atMost(LOOP)
        .until(
            () -> mdep(NS, "iris").getStatus(),
            s -> candidate.equals(s.servingVersion) && s.rollout == null);
    RealWorkloads.awaitOnly(NS, "iris", candidate);
    assertEquals(candidate, RealWorkloads.predict(NS, "iris", IRIS_ROWS).version());
  }

  @Test
  @Order(4)
  void theOperatorsStatisticsEqualNumpyAndScipyOnTheRequestsTheLoadGeneratorSent()
      throws Exception {
    traffic.stop();
    traffic = null;
    // Fresh pods (windows empty) of a model of its own, and 400 requests: every pod's recent window
    // then holds exactly the rows the load generator sent.
    String agree =
        Files.readString(LocalControlPlane.ROOT.resolve("deploy/examples/iris.yaml"))
            .replace("name: iris\nspec:", "name: agree\nspec:");
    applyOrFail(agree);
    cluster()
        .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/agree", "--timeout=240s");
    String job =
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: agree-traffic}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              automountServiceAccountToken: false
              securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
              containers:
              - name: load-generator
                image: %s
                env:
                - {name: TARGET_URL, value: "http://agree"}
                - {name: MODEL_NAME, value: iris}
                - {name: RATE, value: "40"}
                - {name: MAX_REQUESTS, value: "400"}
                - {name: SHIFT, value: "1"}
                - {name: FEEDBACK_DELAY, value: "off"}
                securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        """
            .formatted(RealWorkloads.LOAD_GENERATOR_IMAGE);
    applyOrFail(job);
    cluster()
        .kubectlOrFail(
            "wait", "-n", NS, "--for=condition=Complete", "job/agree-traffic", "--timeout=180s");
    String log = cluster().kubectlOrFail("logs", "-n", NS, "job/agree-traffic", "--tail=1");
    JsonNode summary = RealWorkloads.JSON.readTree(log);
    assertEquals(400, summary.get("ok").asInt(), log);

    Path dir = Files.createTempDirectory("agree");
    Path sent = dir.resolve("sent.json");
    Files.writeString(sent, summary.get("buckets").toString());
    Path baseline = dir.resolve("baseline.json");
    Files.writeString(
        baseline,
        api()
            .configMaps()
            .inNamespace(NS)
            .withName("iris-baseline")
            .get()
            .getData()
            .get("baseline.json"));
    Processes.Result offline =
        Processes.run(
            LocalControlPlane.ROOT.resolve("examples/load-generator"),
            Map.of("PYTHONPATH", "src"),
            null,
            60,
            List.of(
                RealWorkloads.VENV.resolve("bin/python").toString(),
                "-m",
                "load_generator.offline_drift",
                baseline.toString(),
                sent.toString()));
    assertEquals(0, offline.exitCode(), offline.output());
    JsonNode expected = RealWorkloads.JSON.readTree(offline.stdout()).get("aggregate");

    for (String method : List.of("psi", "ks", "js", "wasserstein")) {
      String drift =
          POD_HISTOGRAMS
              .replace("method: psi", "method: " + method)
              .replace("threshold: 0.5", "threshold: 1000000");
      String name = "agree-" + method;
      applyOrFail(
          policy(name, "Manual", "", drift)
              .replace("modelDeploymentRef: {name: iris}", "modelDeploymentRef: {name: agree}"));
    }
    for (String method : List.of("psi", "ks", "js", "wasserstein")) {
      double score =
          await(method + " scored")
              .atMost(CONVERGE)
              .until(() -> rtp("agree-" + method).getStatus(), s -> s != null && s.score != null)
              .score;
      double want = expected.get(method).asDouble();
      // status.score has four decimals.
      assertEquals(
          want, score, 0.5e-4 + 1e-9, method + ": operator " + score + ", numpy/scipy " + want);
    }
  }
}
