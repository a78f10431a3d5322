package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The ModelDeployment life cycle of deploy/examples (the iris loop), driven only through kubectl
 * and the API, as a user would: set up as `make run` does (hack/examples-up.sh: a restricted
 * namespace, the store's Secret, the seeded model), real pods on the real node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelDeploymentE2EIT extends E2ESupport {
  static final String NS = "e2e-serving";

  @BeforeAll
  static void applyTheExamples() {
    RealWorkloads.requireRealNode();
    api().namespaces().withName(NS).delete();
    await("old namespace gone")
        .atMost(CONVERGE)
        .until(() -> api().namespaces().withName(NS).get() == null);
    RealWorkloads.hack(420, "hack/examples-up.sh", NS);
  }

  @Test
  @Order(1)
  void theExamplesServeFromRealPodsInARestrictedNamespace() throws Exception {
    ModelDeployment iris = mdep(NS, "iris");
    assertEquals("1", iris.getStatus().servingVersion);
    assertEquals("Ready", iris.getStatus().phase.name());
    assertEquals("2/2", iris.getStatus().ready);
    assertEquals("http://iris." + NS + ".svc.cluster.local", iris.getStatus().url);
    assertEquals(
        2,
        servingPods(NS, "iris").stream().filter(E2ESupport::running).count(),
        "the real node runs the pods that Pod Security admission let in");
    assertEquals(
        "restricted",
        api()
            .namespaces()
            .withName(NS)
            .get()
            .getMetadata()
            .getLabels()
            .get("pod-security.kubernetes.io/enforce"));
    Deployment deployment = api().apps().deployments().inNamespace(NS).withName("iris").get();
    assertEquals("ModelDeployment", deployment.getMetadata().getOwnerReferences().get(0).getKind());
    assertEquals("1", RealWorkloads.predict(NS, "iris", RealWorkloads.IRIS_ROWS).version());
    await("the drift policy scores the pods' inputs")
        .atMost(CONVERGE)
        .until(
            () -> api().resources(RetrainPolicy.class).inNamespace(NS).withName("iris-drift").get(),
            p -> p.getStatus() != null && p.getStatus().score != null);
  }

  @Test
  @Order(2)
  void kubectlGetShowsThePrinterColumns() {
    String table = cluster().kubectlOrFail("get", "mdep", "-n", NS);
    String header = table.lines().findFirst().orElseThrow();
    assertTrue(
        header.matches("NAME\\s+AGE\\s+MODEL\\s+VERSION\\s+READY\\s+CANARY\\s+PHASE"), header);
    String row = table.lines().filter(l -> l.startsWith("iris ")).findFirst().orElseThrow();
    assertTrue(row.matches("iris\\s+\\S+\\s+iris\\s+1\\s+2/2\\s+(<none>\\s+)?Ready"), row);
    String all = cluster().kubectlOrFail("get", "modelops", "-n", NS);
    assertTrue(all.contains("iris") && all.contains("iris-drift"), "the modelops category: " + all);
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
  void aNewVersionGoesThroughTheExamplesCanaryAndIsRecordedInHistory() throws Exception {
    String v2 = RealWorkloads.seed("2", false);
    cluster()
        .kubectlOrFail(
            "patch",
            "mdep",
            "iris",
            "-n",
            NS,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"model\":{\"version\":\"2\",\"uri\":\"" + v2 + "\"}}}");
    ModelDeployment rolled =
        await(NS + "/iris: 2 passed its canary analysis")
            .atMost(Duration.ofMinutes(4))
            .until(
                () -> mdep(NS, "iris"),
                md ->
                    md.getStatus() != null
                        && "2".equals(md.getStatus().servingVersion)
                        && md.getStatus().rollout == null);
    assertEquals(Outcome.Serving, rolled.getStatus().history.get(0).outcome);
    assertEquals("1", rolled.getStatus().history.get(1).version);
    assertEquals(Outcome.Superseded, rolled.getStatus().history.get(1).outcome);
    await("only version 2 pods are left")
        .atMost(CONVERGE)
        .until(
            () -> {
              var pods = servingPods(NS, "iris").stream().filter(E2ESupport::running).toList();
              return pods.size() == 2
                  && pods.stream()
                      .allMatch(
                          p ->
                              "2"
                                  .equals(
                                      p.getMetadata()
                                          .getLabels()
                                          .get("modelops.dev/model-version")));
            });
    assertTrue(
        api().v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(e -> "CanaryPromoted".equals(e.getReason()) && e.getMessage().contains("2")));
  }

  @Test
  @Order(5)
  void kubectlScaleGoesThroughTheScaleSubresource() {
    cluster().kubectlOrFail("scale", "mdep/iris", "-n", NS, "--replicas=3");
    awaitMdep(NS, "iris", "3/3 ready", md -> "3/3".equals(md.getStatus().ready));
    assertEquals(
        3,
        api().apps().deployments().inNamespace(NS).withName("iris").get().getSpec().getReplicas());
    String scale =
        cluster()
            .kubectlOrFail(
                "get",
                "--raw",
                "/apis/modelops.dev/v1alpha1/namespaces/" + NS + "/modeldeployments/iris/scale");
    assertTrue(scale.contains("\"selector\":\"modelops.dev/deployment=iris\""), scale);
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
                        .pods()
                        .inNamespace(NS)
                        .withLabel("modelops.dev/deployment")
                        .list()
                        .getItems()
                        .isEmpty());
  }
}
