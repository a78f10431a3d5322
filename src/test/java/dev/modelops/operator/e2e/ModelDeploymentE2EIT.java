package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The ModelDeployment life cycle, driven only through kubectl and the API, as a user would. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelDeploymentE2EIT extends E2ESupport {
  static final String NS = "e2e-serving";

  @BeforeAll
  static void applyTheExamples() {
    restrictedNamespace(NS);
    cluster().kubectlOrFail("apply", "-n", NS, "-k", "deploy/examples");
  }

  @Test
  @Order(1)
  void everyExampleBecomesReadyWithRunningPodsInARestrictedNamespace() {
    cluster()
        .kubectlOrFail(
            "wait",
            "-n",
            NS,
            "--for=condition=Ready",
            "mdep/churn",
            "mdep/sentiment",
            "--timeout=120s");

    ModelDeployment churn = mdep(NS, "churn");
    assertEquals("1.4.0", churn.getStatus().servingVersion);
    assertEquals("Ready", churn.getStatus().phase.name());
    assertEquals("2/2", churn.getStatus().ready);
    assertEquals("http://churn." + NS + ".svc.cluster.local", churn.getStatus().url);
    assertEquals(
        2,
        servingPods(NS, "churn").stream().filter(E2ESupport::running).count(),
        "kwok runs the pods that Pod Security admission let in");
    Deployment deployment = api().apps().deployments().inNamespace(NS).withName("churn").get();
    assertEquals("ModelDeployment", deployment.getMetadata().getOwnerReferences().get(0).getKind());
    assertTrue(api().services().inNamespace(NS).withName("churn").get() != null);

    HorizontalPodAutoscaler hpa =
        api()
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(NS)
            .withName("sentiment")
            .get();
    assertEquals("ModelDeployment", hpa.getSpec().getScaleTargetRef().getKind());
  }

  @Test
  @Order(2)
  void kubectlGetShowsThePrinterColumns() {
    String table = cluster().kubectlOrFail("get", "mdep", "-n", NS);
    String header = table.lines().findFirst().orElseThrow();
    assertTrue(
        header.matches("NAME\\s+AGE\\s+MODEL\\s+VERSION\\s+READY\\s+CANARY\\s+PHASE"), header);
    for (String column : List.of("NAME", "MODEL", "VERSION", "READY", "PHASE", "AGE")) {
      assertTrue(header.contains(column), "missing column " + column + " in:\n" + table);
    }
    String churnRow = table.lines().filter(l -> l.startsWith("churn ")).findFirst().orElseThrow();
    assertTrue(
        churnRow.matches("churn\\s+\\S+\\s+churn\\s+1\\.4\\.0\\s+2/2\\s+(<none>\\s+)?Ready"),
        churnRow);
    assertTrue(
        cluster().kubectlOrFail("get", "modelops", "-n", NS).contains("churn"),
        "the modelops category lists it");
    String explained = cluster().kubectlOrFail("explain", "mdep.spec.model.uri");
    assertTrue(explained.contains("pvc://CLAIM/PATH"), explained);
  }

  @Test
  @Order(3)
  void aPodThatTheRestrictedProfileForbidsIsRejectedInTheSameNamespace() {
    String unrestricted =
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: unrestricted}
        spec:
          containers: [{name: c, image: busybox}]
        """;
    var result = cluster().kubectlWithInput(unrestricted, "apply", "-n", NS, "-f", "-");
    assertNotEquals(0, result.exitCode());
    assertTrue(result.output().contains("violates PodSecurity \"restricted"), result.output());
  }

  @Test
  @Order(4)
  void aVersionChangeRollsThePodsAndRecordsHistory() {
    cluster()
        .kubectlOrFail(
            "patch",
            "mdep",
            "churn",
            "-n",
            NS,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"model\":{\"version\":\"1.5.0\",\"uri\":\"s3://models/churn/1.5.0\"}}}");

    ModelDeployment rolled =
        awaitMdep(
            NS,
            "churn",
            "serving 1.5.0",
            md ->
                md.getStatus() != null
                    && "1.5.0".equals(md.getStatus().servingVersion)
                    && "Ready".equals(String.valueOf(md.getStatus().phase)));
    assertEquals(Outcome.Serving, rolled.getStatus().history.get(0).outcome);
    assertEquals("1.4.0", rolled.getStatus().history.get(1).version);
    assertEquals(Outcome.Superseded, rolled.getStatus().history.get(1).outcome);
    await("only 1.5.0 pods are left")
        .atMost(CONVERGE)
        .until(
            () -> {
              var pods = servingPods(NS, "churn").stream().filter(E2ESupport::running).toList();
              return pods.size() == 2
                  && pods.stream()
                      .allMatch(
                          p ->
                              "1.5.0"
                                  .equals(
                                      p.getMetadata()
                                          .getLabels()
                                          .get("modelops.dev/model-version")));
            });
    assertTrue(
        api().v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e -> "RolloutComplete".equals(e.getReason()) && e.getMessage().contains("1.5.0")));
  }

  @Test
  @Order(5)
  void kubectlScaleGoesThroughTheScaleSubresource() {
    cluster().kubectlOrFail("scale", "mdep/churn", "-n", NS, "--replicas=3");
    awaitMdep(NS, "churn", "3/3 ready", md -> "3/3".equals(md.getStatus().ready));
    assertEquals(
        3,
        api().apps().deployments().inNamespace(NS).withName("churn").get().getSpec().getReplicas());
    String scale =
        cluster()
            .kubectlOrFail(
                "get",
                "--raw",
                "/apis/modelops.dev/v1alpha1/namespaces/" + NS + "/modeldeployments/churn/scale");
    assertTrue(scale.contains("\"selector\":\"modelops.dev/deployment=churn\""), scale);
  }

  @Test
  @Order(6)
  void deletingAModelDeploymentLeavesNothingBehind() {
    cluster().kubectlOrFail("delete", "-n", NS, "-k", "deploy/examples", "--wait=true");
    await("garbage collector removed every child")
        .atMost(CONVERGE)
        .until(
            () ->
                api().apps().deployments().inNamespace(NS).list().getItems().isEmpty()
                    && api().apps().replicaSets().inNamespace(NS).list().getItems().isEmpty()
                    && api().services().inNamespace(NS).list().getItems().isEmpty()
                    && api()
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(NS)
                        .list()
                        .getItems()
                        .isEmpty()
                    && api().pods().inNamespace(NS).list().getItems().isEmpty());
  }
}
