package dev.modelops.operator.serving;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.AutoscalingSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wiring against the Fabric8 mock server (CRUD mode): children, owner references, status. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModelDeploymentReconcilerMockTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String NS = "ml";

  @Inject KubernetesClient client;

  @AfterEach
  void cleanUp() {
    client.resources(ModelDeployment.class).inNamespace(NS).delete();
    // The mock server has no garbage collector: remove the children by hand.
    client.apps().deployments().inNamespace(NS).delete();
    client.services().inNamespace(NS).delete();
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.services().inNamespace(NS).list().getItems().isEmpty()
                    && client
                        .resources(ModelDeployment.class)
                        .inNamespace(NS)
                        .list()
                        .getItems()
                        .isEmpty());
  }

  @Test
  void createsTheServingDeploymentAndServiceOwnedByTheModelDeployment() {
    ModelDeployment md = create(ModelDeployments.churn("1.0.0"));

    Deployment deployment = await().atMost(WAIT).until(() -> deployment("churn"), d -> d != null);
    assertOwnedBy(md, deployment);
    assertEquals(2, deployment.getSpec().getReplicas());
    assertEquals(
        "example.test/puller:1",
        deployment.getSpec().getTemplate().getSpec().getInitContainers().get(0).getImage(),
        "the puller image comes from the operator's configuration");
    var service =
        await()
            .atMost(WAIT)
            .until(() -> client.services().inNamespace(NS).withName("churn").get(), s -> s != null);
    assertOwnedBy(md, service);
    assertNull(
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(NS)
            .withName("churn")
            .get());

    ModelDeployment reported =
        await().atMost(WAIT).until(() -> get("churn"), m -> m.getStatus() != null);
    assertEquals("http://churn.ml.svc.cluster.local", reported.getStatus().url);
    assertEquals("modelops.dev/deployment=churn", reported.getStatus().selector);
    assertEquals(ModelDeploymentStatusPhase.Progressing, reported.getStatus().phase.name());
  }

  @Test
  void reportsTheVersionAsServingOnceTheDeploymentHasRolledOut() {
    create(ModelDeployments.churn("1.0.0"));
    Deployment deployment = await().atMost(WAIT).until(() -> deployment("churn"), d -> d != null);
    markRolledOut(deployment);

    ModelDeployment ready =
        await()
            .atMost(WAIT)
            .until(
                () -> get("churn"),
                m -> m.getStatus() != null && "1.0.0".equals(m.getStatus().servingVersion));
    assertEquals("Ready", ready.getStatus().phase.name());
    assertEquals("2/2", ready.getStatus().ready);
    assertEquals(2, ready.getStatus().readyReplicas);
    assertEquals(1, ready.getStatus().history.size());
    assertTrue(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e ->
                    "RolloutComplete".equals(e.getReason())
                        && "churn".equals(e.getInvolvedObject().getName())));
  }

  @Test
  void aVersionChangeRollsThePodTemplate() {
    create(ModelDeployments.churn("1.0.0"));
    await().atMost(WAIT).until(() -> deployment("churn"), d -> d != null);

    ModelDeployment md = get("churn");
    md.getSpec().model.version = "2.0.0";
    md.getSpec().model.uri = "s3://models/churn/2.0.0";
    client.resource(md).update();

    Deployment rolled =
        await()
            .atMost(WAIT)
            .until(
                () -> deployment("churn"),
                d ->
                    "2.0.0"
                        .equals(
                            d.getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get("modelops.dev/model-version")));
    assertEquals(
        "s3://models/churn/2.0.0",
        rolled.getSpec().getTemplate().getSpec().getInitContainers().get(0).getArgs().get(0));
  }

  @Test
  void anAutoscalerExistsExactlyWhileAutoscalingIsSet() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getMetadata().setName("scaled");
    md.getSpec().replicas = null;
    md.getSpec().autoscaling = new AutoscalingSpec();
    md.getSpec().autoscaling.minReplicas = 2;
    md.getSpec().autoscaling.maxReplicas = 4;
    md.getSpec().autoscaling.targetCPUUtilizationPercentage = 60;
    ModelDeployment created = create(md);

    HorizontalPodAutoscaler hpa =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    client
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(NS)
                        .withName("scaled")
                        .get(),
                h -> h != null);
    assertOwnedBy(created, hpa);
    assertEquals("scaled", hpa.getSpec().getScaleTargetRef().getName());
    assertEquals(2, deployment("scaled").getSpec().getReplicas());

    ModelDeployment latest = get("scaled");
    latest.getSpec().autoscaling = null;
    client.resource(latest).update();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(NS)
                        .withName("scaled")
                        .get()
                    == null);
  }

  // --- helpers ---

  /** Phase names, kept as strings so the assertion reads like kubectl output. */
  static final class ModelDeploymentStatusPhase {
    static final String Progressing = "Progressing";
  }

  ModelDeployment create(ModelDeployment md) {
    md.getMetadata().setGeneration(null);
    md.getMetadata().setUid(null);
    return client.resource(md).inNamespace(NS).create();
  }

  ModelDeployment get(String name) {
    return client.resources(ModelDeployment.class).inNamespace(NS).withName(name).get();
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /** Plays the controller-manager: every pod of the current template is updated and available. */
  void markRolledOut(Deployment d) {
    Deployment fresh = deployment(d.getMetadata().getName());
    int replicas = fresh.getSpec().getReplicas();
    Long generation =
        fresh.getMetadata().getGeneration() == null ? 1L : fresh.getMetadata().getGeneration();
    fresh.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(generation)
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(replicas)
            .withAvailableReplicas(replicas)
            .build());
    client.apps().deployments().inNamespace(NS).resource(fresh).updateStatus();
  }

  static void assertOwnedBy(ModelDeployment owner, HasMetadata child) {
    var refs = child.getMetadata().getOwnerReferences();
    assertNotNull(refs);
    assertEquals(1, refs.size());
    assertEquals("ModelDeployment", refs.get(0).getKind());
    assertEquals(owner.getMetadata().getName(), refs.get(0).getName());
    assertEquals(owner.getMetadata().getUid(), refs.get(0).getUid());
  }
}
