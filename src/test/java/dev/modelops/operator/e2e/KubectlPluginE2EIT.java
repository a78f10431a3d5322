package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubectl plugin as a user runs it: installed with `make install-plugin`, found by kubectl on
 * PATH (`kubectl modelops ...`), reading the real status and driving rollouts and retrains through
 * the annotations the operator handles.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlPluginE2EIT extends E2ESupport {
  static final String NS = "e2e-plugin";
  static final String CANARY_PAUSED_UNTIL_PROMOTED =
      """
      strategy: Canary
      surge: false
      steps:
        - setWeight: 50
        - pause: {}
      """;

  @TempDir static Path prefix;

  @BeforeAll
  static void installThePluginAndServeTwoModels() {
    restrictedNamespace(NS);
    var install =
        Processes.run(
            LocalControlPlane.ROOT,
            Map.of(),
            null,
            60,
            List.of("make", "install-plugin", "PREFIX=" + prefix));
    assertEquals(0, install.exitCode(), install.output());
    assertTrue(
        install.stdout().contains("kubectl plugin list"),
        "tells how to check: " + install.stdout());
    applyModelDeployment(NS, "churn", "1.0.0", 2);
    applyModelDeployment(NS, "ranker", "1.0.0", 2, CANARY_PAUSED_UNTIL_PROMOTED);
    cluster()
        .kubectlOrFail(
            "wait",
            "-n",
            NS,
            "--for=condition=Ready",
            "mdep/churn",
            "mdep/ranker",
            "--timeout=120s");
  }

  @Test
  @Order(1)
  void kubectlFindsTheInstalledPlugin() {
    var list = kubectl("plugin", "list");
    assertTrue(
        list.stdout().contains(prefix.resolve("bin/kubectl-modelops").toString()), list.output());
    assertTrue(pluginOrFail("version").startsWith("kubectl-modelops "));
  }

  @Test
  @Order(2)
  void usageErrorsExitWith2AndSayWhatIsExpected() {
    assertEquals(2, plugin().exitCode(), "no command");
    var missingName = plugin("status", "-n", NS);
    assertEquals(2, missingName.exitCode());
    assertTrue(
        missingName.stderr().contains("usage: kubectl modelops status NAME"), missingName.output());
    var unknown = plugin("rollback", "churn");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.stderr().contains("unknown command \"rollback\""), unknown.output());
    var help = plugin("--help");
    assertEquals(0, help.exitCode());
    for (String command : List.of("status", "history", "promote", "abort", "retrain", "approve")) {
      assertTrue(
          help.stdout().contains("kubectl modelops " + command),
          "help lists " + command + ":\n" + help.stdout());
    }
  }

  @Test
  @Order(3)
  void aMissingModelDeploymentIsAnErrorThatSaysWhereItLooked() {
    var missing = plugin("status", "nope", "-n", NS);
    assertEquals(1, missing.exitCode());
    assertTrue(
        missing.stderr().contains("ModelDeployment \"nope\" not found in namespace \"" + NS + "\""),
        missing.output());
    assertTrue(
        missing.stderr().contains("kubectl get mdep -n " + NS),
        "names the fix: " + missing.output());
  }

  @Test
  @Order(4)
  void statusShowsVersionPhaseReplicasAndConditions() {
    String status = pluginOrFail("status", "churn", "-n", NS);
    assertContains(status, "Model:\\s+churn 1\\.0\\.0 \\(s3://models/churn/1\\.0\\.0\\)");
    assertContains(status, "Serving version:\\s+1\\.0\\.0");
    assertContains(status, "Phase:\\s+Ready");
    assertContains(status, "Replicas:\\s+2/2 ready");
    assertContains(status, "Ready\\s+True\\s+AllReplicasReady");
    assertContains(status, "RetrainPolicies:\\s+none targets churn");
  }

  @Test
  @Order(5)
  void historyListsEachVersionWithItsOutcome() {
    setVersion("churn", "1.1.0");
    awaitMdep(NS, "churn", "serving 1.1.0", md -> "1.1.0".equals(md.getStatus().servingVersion));
    List<String> lines = pluginOrFail("history", "churn", "-n", NS).lines().toList();
    assertEquals(3, lines.size(), "a header and two versions: " + lines);
    assertContains(lines.get(0), "^VERSION\\s+OUTCOME\\s+REASON\\s+STARTED\\s+FINISHED\\s+SOURCE$");
    assertContains(lines.get(1), "^1\\.1\\.0\\s+Serving\\s");
    assertContains(lines.get(2), "^1\\.0\\.0\\s+Superseded\\s");
  }

  @Test
  @Order(6)
  void promoteAndAbortRefuseWhenNoCanaryRuns() {
    var promote = plugin("promote", "churn", "-n", NS);
    assertEquals(1, promote.exitCode());
    assertTrue(
        promote
            .stderr()
            .contains(
                "ModelDeployment \"churn\" in namespace \""
                    + NS
                    + "\" has no canary rollout in progress"),
        promote.output());
    assertTrue(promote.stderr().contains("rollout strategy is RollingUpdate"), promote.output());
    var abort = plugin("abort", "ranker", "-n", NS);
    assertEquals(1, abort.exitCode());
    assertTrue(abort.stderr().contains("nothing to abort"), abort.output());
    for (String name : List.of("churn", "ranker")) {
      var annotations = mdep(NS, name).getMetadata().getAnnotations();
      assertFalse(
          annotations != null
              && (annotations.containsKey("modelops.dev/promote")
                  || annotations.containsKey("modelops.dev/abort")),
          "a refused request writes nothing: " + annotations);
    }
  }

  @Test
  @Order(7)
  void statusShowsAPausedCanaryAndPromoteFinishesIt() {
    setVersion("ranker", "2.0.0");
    awaitMdep(
        NS,
        "ranker",
        "paused until promoted",
        md -> md.getStatus().rollout != null && md.getStatus().rollout.pausedReason != null);
    String status = pluginOrFail("status", "ranker", "-n", NS);
    assertContains(status, "Versions:\\s+canary 2\\.0\\.0 beside stable 1\\.0\\.0");
    assertContains(status, "Step:\\s+2/2: pause until promoted");
    assertContains(status, "Weight:\\s+50%");
    assertContains(status, "Progressing\\s+True\\s+Paused");

    String promoted = pluginOrFail("promote", "ranker", "-n", NS);
    assertTrue(promoted.contains("promoting canary 2.0.0"), promoted);
    awaitMdep(
        NS,
        "ranker",
        "2.0.0 promoted",
        md -> "2.0.0".equals(md.getStatus().servingVersion) && md.getStatus().rollout == null);
    await("the operator removed the promote annotation")
        .atMost(CONVERGE)
        .until(
            () -> {
              var annotations = mdep(NS, "ranker").getMetadata().getAnnotations();
              return annotations == null || !annotations.containsKey("modelops.dev/promote");
            });
  }

  @Test
  @Order(8)
  void abortRollsACanaryBack() {
    setVersion("ranker", "3.0.0");
    awaitMdep(
        NS,
        "ranker",
        "paused until promoted",
        md -> md.getStatus().rollout != null && md.getStatus().rollout.pausedReason != null);
    pluginOrFail("abort", "ranker", "-n", NS);
    awaitMdep(
        NS,
        "ranker",
        "3.0.0 rolled back",
        md -> md.getStatus().history.get(0).outcome == Outcome.RolledBack);
    assertEquals("2.0.0", mdep(NS, "ranker").getStatus().servingVersion);
    assertContains(
        pluginOrFail("history", "ranker", "-n", NS), "(?m)^3\\.0\\.0\\s+RolledBack\\s+Aborted\\s");
  }

  @Test
  @Order(9)
  void retrainStartsAJobAndApproveRollsOutTheCandidate() {
    // Retrains only on request: the schedule (Jan 1st, 03:00 UTC) is the reason the policy is valid
    // without drift.
    var applied =
        cluster()
            .kubectlWithInput(
                """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: churn-retrain}
        spec:
          modelDeploymentRef: {name: churn}
          schedule: "0 3 1 1 *"
          promotion: Manual
          jobTemplate:
            spec:
              backoffLimit: 0
              template:
                spec:
                  nodeSelector: {type: kwok}
                  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
                  containers: [{name: train, image: example.test/trainer:1}]
        """,
                "apply",
                "-n",
                NS,
                "-f",
                "-");
    assertEquals(0, applied.exitCode(), applied.output());
    await("policy watching")
        .atMost(CONVERGE)
        .until(
            () -> rtp("churn-retrain"), p -> p.getStatus() != null && p.getStatus().phase != null);
    assertContains(
        pluginOrFail("status", "churn", "-n", NS),
        "RetrainPolicy churn-retrain:\\s+Phase:\\s+Watching");
    var nothingToApprove = plugin("approve", "churn-retrain", "1.2.0", "-n", NS);
    assertEquals(1, nothingToApprove.exitCode());
    assertTrue(
        nothingToApprove.stderr().contains("has no candidate awaiting approval"),
        nothingToApprove.output());

    String requested = pluginOrFail("retrain", "churn-retrain", "-n", NS);
    assertTrue(requested.contains("retrain requested"), requested);
    Job job =
        await("a manual retraining Job")
            .atMost(CONVERGE)
            .until(
                () ->
                    api()
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(NS)
                        .withLabel("modelops.dev/retrain-policy", "churn-retrain")
                        .list()
                        .getItems(),
                jobs -> jobs.size() == 1)
            .get(0);
    assertEquals("churn-retrain-retrain-1", job.getMetadata().getName());
    assertEquals("manual", job.getMetadata().getLabels().get("modelops.dev/trigger"));
    writeTerminationMessage(
        NS, job, "{\"version\": \"1.2.0\", \"uri\": \"s3://models/churn/1.2.0\"}");
    await("candidate 1.2.0")
        .atMost(CONVERGE)
        .until(
            () -> rtp("churn-retrain"),
            p ->
                p.getStatus().candidate != null && "1.2.0".equals(p.getStatus().candidate.version));
    String status = pluginOrFail("status", "churn", "-n", NS);
    assertContains(status, "Phase:\\s+AwaitingApproval");
    assertContains(status, "Candidate:\\s+1\\.2\\.0 from Job churn-retrain-retrain-1");

    var wrongVersion = plugin("approve", "churn-retrain", "9.9.9", "-n", NS);
    assertEquals(1, wrongVersion.exitCode());
    assertTrue(
        wrongVersion.stderr().contains("awaits approval of version 1.2.0"), wrongVersion.output());
    pluginOrFail("approve", "churn-retrain", "1.2.0", "-n", NS);
    awaitMdep(
        NS,
        "churn",
        "serving the approved 1.2.0",
        md -> "1.2.0".equals(md.getStatus().servingVersion));
    assertContains(
        pluginOrFail("history", "churn", "-n", NS),
        "(?m)^1\\.2\\.0\\s+Serving\\s.*churn-retrain: Job churn-retrain-retrain-1 \\(manual\\)$");
  }

  // --- helpers ---

  /**
   * `kubectl modelops ARGS` with the installed plugin and kubectl on PATH, as a user's shell has
   * them.
   */
  static Processes.Result plugin(String... args) {
    List<String> command = new ArrayList<>(List.of("modelops"));
    command.addAll(List.of(args));
    return kubectl(command.toArray(String[]::new));
  }

  static String pluginOrFail(String... args) {
    var result = plugin(args);
    assertEquals(
        0,
        result.exitCode(),
        "kubectl modelops " + String.join(" ", args) + ": " + result.output());
    return result.stdout();
  }

  static Processes.Result kubectl(String... args) {
    List<String> command =
        new ArrayList<>(List.of(LocalControlPlane.STATE.resolve("bin/kubectl").toString()));
    command.addAll(List.of(args));
    String path =
        String.join(
            File.pathSeparator,
            prefix.resolve("bin").toString(),
            LocalControlPlane.STATE.resolve("bin").toString(),
            System.getenv("PATH"));
    return Processes.run(
        LocalControlPlane.ROOT,
        Map.of("KUBECONFIG", LocalControlPlane.ADMIN_KUBECONFIG.toString(), "PATH", path),
        null,
        60,
        command);
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

  static RetrainPolicy rtp(String name) {
    return api().resources(RetrainPolicy.class).inNamespace(NS).withName(name).get();
  }

  static void assertContains(String text, String regex) {
    assertTrue(
        Pattern.compile(regex).matcher(text).find(), "expected /" + regex + "/ in:\n" + text);
  }
}
