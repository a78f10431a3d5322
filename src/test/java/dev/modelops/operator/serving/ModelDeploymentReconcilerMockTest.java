package dev.modelops.operator.serving;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.AutoscalingSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.ModelRegistrySpec;
import dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate;
import dev.modelops.operator.clients.FakeMlflow;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wiring against the Fabric8 mock server (CRUD mode): children, owner references, status. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(FakeMlflowResource.class)
class ModelDeploymentReconcilerMockTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String NS = "ml";

  @Inject KubernetesClient client;

  @AfterEach
  void cleanUp() {
    client.resources(ModelDeployment.class).inNamespace(NS).delete();
    // The mock server has no garbage collector: remove the children by hand, again until the
    // operator has seen the ModelDeployment go (a reconcile still in flight re-creates them).
    await()
        .atMost(WAIT)
        .until(
            () -> {
              boolean gone =
                  client
                      .resources(ModelDeployment.class)
                      .inNamespace(NS)
                      .list()
                      .getItems()
                      .isEmpty();
              client.apps().deployments().inNamespace(NS).delete();
              client.services().inNamespace(NS).delete();
              client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).delete();
              return gone
                  && client.services().inNamespace(NS).list().getItems().isEmpty()
                  && client.apps().deployments().inNamespace(NS).list().getItems().isEmpty();
            });
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

  @Test
  void aCanaryWhoseDeploymentNameIsTakenByAnotherModelDeploymentTouchesNothing() {
    ModelDeployment other = ModelDeployments.churn("1.0.0");
    other.getMetadata().setName("ranker-canary");
    ModelDeployment theirs = create(other);
    Deployment taken =
        await().atMost(WAIT).until(() -> deployment("ranker-canary"), d -> d != null);

    create(canary("ranker", "1.0.0"));
    // Its first version needs no canary; the next one would, and must not take ranker-canary.
    await()
        .atMost(WAIT)
        .until(() -> get("ranker"), m -> m.getStatus() != null && m.getStatus().phase != null);
    ModelDeployment next = get("ranker");
    next.getSpec().model.version = "2.0.0";
    next.getSpec().model.uri = "s3://models/churn/2.0.0";
    client.resource(next).update();
    ModelDeployment degraded =
        await()
            .atMost(WAIT)
            .until(
                () -> get("ranker"),
                m ->
                    m.getStatus() != null
                        && "NameConflict"
                            .equals(
                                dev.modelops.operator.status.Conditions.reason(
                                        m.getStatus().conditions, "Degraded")
                                    .orElse("")));
    assertNull(degraded.getStatus().rollout, "no canary starts");
    assertEquals("Degraded", degraded.getStatus().phase.name());
    assertTrue(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e ->
                    "NameConflict".equals(e.getReason())
                        && "ranker".equals(e.getInvolvedObject().getName())));
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(
            () ->
                get("ranker").getStatus().rollout == null
                    && deployment("ranker-canary").getMetadata().getOwnerReferences().size() == 1
                    && theirs
                        .getMetadata()
                        .getUid()
                        .equals(
                            deployment("ranker-canary")
                                .getMetadata()
                                .getOwnerReferences()
                                .get(0)
                                .getUid())
                    && taken
                        .getSpec()
                        .getTemplate()
                        .equals(deployment("ranker-canary").getSpec().getTemplate()));
  }

  @Test
  void aStatusWipedMidCanaryIsRecoveredFromTheStableDeploymentNeverTakenFromSpec() {
    create(canary("ranker", "1.0.0"));
    Deployment stable = await().atMost(WAIT).until(() -> deployment("ranker"), d -> d != null);
    markRolledOut(stable);
    await()
        .atMost(WAIT)
        .until(
            () -> get("ranker"), m -> m.getStatus() != null && m.getStatus().servingModel != null);
    ModelDeployment md = get("ranker");
    md.getSpec().model.version = "2.0.0";
    md.getSpec().model.uri = "s3://models/churn/2.0.0";
    client.resource(md).update();
    // Weight 50% of 2 pods: the canary Deployment gets one pod, which the test makes available.
    Deployment canary =
        await()
            .atMost(WAIT)
            .until(
                () -> deployment("ranker-canary"),
                d -> d != null && d.getSpec().getReplicas() == 1);
    markRolledOut(canary);
    String firstStart =
        await()
            .atMost(WAIT)
            .until(
                () -> get("ranker"),
                m -> m.getStatus().rollout != null && m.getStatus().rollout.pausedReason != null)
            .getStatus()
            .rollout
            .startedAt;

    // kubectl patch mdep ranker --subresource=status --type=merge -p '{"status":null}'
    client
        .resources(ModelDeployment.class)
        .inNamespace(NS)
        .withName("ranker")
        .editStatus(
            m -> {
              m.setStatus(null);
              return m;
            });

    ModelDeployment recovered =
        await()
            .atMost(WAIT)
            .until(
                () -> get("ranker"),
                m ->
                    m.getStatus() != null
                        && m.getStatus().rollout != null
                        && !firstStart.equals(m.getStatus().rollout.startedAt));
    assertEquals("1.0.0", recovered.getStatus().servingModel.version);
    assertEquals("s3://models/churn/1.0.0", recovered.getStatus().servingModel.uri);
    assertEquals("2.0.0", recovered.getStatus().rollout.canaryVersion, "the canary starts over");
    assertTrue(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e ->
                    "ServingModelRecovered".equals(e.getReason())
                        && e.getMessage().contains("Deployment ranker")));
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(
            () ->
                "1.0.0"
                    .equals(
                        deployment("ranker")
                            .getSpec()
                            .getTemplate()
                            .getMetadata()
                            .getAnnotations()
                            .get("modelops.dev/model-version")));
  }

  // --- registry references (models:/...) against the fake MLflow ---

  static final String STORAGE_1 = "s3://models/iris/1/";
  static final String STORAGE_2 = "s3://mlflow/1/0a1b/artifacts/model";

  /** The fake registry with iris 1 and 2 (run 0a1b), champion at 1. */
  static FakeMlflow registry() {
    FakeMlflow mlflow = FakeMlflowResource.mlflow;
    mlflow.reset();
    mlflow.register("iris", STORAGE_1, null);
    mlflow.register("iris", STORAGE_2, "0a1b");
    mlflow.alias("iris", "champion", "1");
    return mlflow;
  }

  static ModelDeployment iris(String name, String uri) {
    ModelDeployment md = ModelDeployments.churn("unused");
    md.getMetadata().setName(name);
    md.getSpec().model.name = "iris";
    md.getSpec().model.version = null;
    md.getSpec().model.uri = uri;
    md.getSpec().model.registry = new ModelRegistrySpec();
    md.getSpec().model.registry.resolveInterval = "1s";
    return md;
  }

  String podUri(String name) {
    Deployment d = deployment(name);
    return d == null
        ? null
        : d.getSpec().getTemplate().getMetadata().getAnnotations().get("modelops.dev/model-uri");
  }

  Condition resolved(String name) {
    ModelDeployment md = get(name);
    return md == null || md.getStatus() == null
        ? null
        : Conditions.find(md.getStatus().conditions, "ModelResolved").orElse(null);
  }

  boolean event(String name, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(
            e -> reason.equals(e.getReason()) && name.equals(e.getInvolvedObject().getName()));
  }

  @Test
  void anAliasIsPinnedThePodsPullItsStorageAndAMoveRollsOut() {
    FakeMlflow mlflow = registry();
    create(iris("iris", "models:/iris@champion"));

    await().atMost(WAIT).until(() -> STORAGE_1.equals(podUri("iris")));
    Deployment first = deployment("iris");
    assertEquals(
        List.of(STORAGE_1, "/mnt/models"),
        first.getSpec().getTemplate().getSpec().getInitContainers().get(0).getArgs());
    assertEquals(
        "1",
        first.getSpec().getTemplate().getMetadata().getLabels().get("modelops.dev/model-version"));
    ModelDeployment pinned =
        await()
            .atMost(WAIT)
            .until(() -> get("iris"), m -> m.getStatus() != null && m.getStatus().registry != null);
    assertEquals("1", pinned.getStatus().registry.version);
    assertEquals("champion", pinned.getStatus().registry.alias);
    assertEquals("models:/iris/1", pinned.getStatus().registry.modelUri);
    assertEquals("True", resolved("iris").getStatus());
    markRolledOut(first);
    await().atMost(WAIT).until(() -> get("iris"), m -> "1".equals(m.getStatus().servingVersion));

    mlflow.alias("iris", "champion", "2");

    await("the moved alias rolls out").atMost(WAIT).until(() -> STORAGE_2.equals(podUri("iris")));
    ModelDeployment moved =
        await()
            .atMost(WAIT)
            .until(() -> get("iris"), m -> "2".equals(m.getStatus().registry.version));
    assertEquals("0a1b", moved.getStatus().registry.runId);
    assertEquals("models:/iris@champion", moved.getSpec().model.uri, "the spec is the user's");
    assertEquals("2", moved.getStatus().history.get(0).registry.version);
    assertEquals("1", moved.getStatus().history.get(1).registry.version);
    assertTrue(event("iris", "ModelResolved"));
  }

  @Test
  void aRegistryThatIsDownChangesNothingThatServes() {
    FakeMlflow mlflow = registry();
    create(iris("down", "models:/iris@champion"));
    await().atMost(WAIT).until(() -> STORAGE_1.equals(podUri("down")));

    mlflow.down(true);
    mlflow.alias("iris", "champion", "2");

    Condition failing =
        await()
            .atMost(WAIT)
            .until(() -> resolved("down"), c -> c != null && "False".equals(c.getStatus()));
    assertEquals("RegistryUnreachable", failing.getReason());
    assertTrue(failing.getMessage().contains("stays pinned to version 1"), failing.getMessage());
    assertFalse(failing.getMessage().contains("TEMPORARILY_UNAVAILABLE\", \"message"));
    assertTrue(event("down", "RegistryUnreachable"));
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(() -> STORAGE_1.equals(podUri("down")));

    mlflow.down(false);
    await("back, and the move rolls out")
        .atMost(WAIT)
        .until(() -> STORAGE_2.equals(podUri("down")));
    await()
        .atMost(WAIT)
        .until(() -> resolved("down"), c -> c != null && "True".equals(c.getStatus()));
  }

  @Test
  void anAliasTheRegistryDoesNotHaveCreatesNoChild() {
    registry();
    create(iris("nope", "models:/iris@nope"));

    Condition condition =
        await()
            .atMost(WAIT)
            .until(() -> resolved("nope"), c -> c != null && "False".equals(c.getStatus()));
    assertEquals("AliasNotFound", condition.getReason());
    assertTrue(
        condition.getMessage().contains("model iris in model registry mlflow has no alias nope"),
        condition.getMessage());
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> deployment("nope") == null);
    assertTrue(event("nope", "AliasNotFound"));
  }

  @Test
  void aPromotedRegistryVersionGetsTheAliasOnlyOnceItServes() {
    FakeMlflow mlflow = registry();
    ModelDeployment md = iris("promoted", "models:/iris/2");
    md.getSpec().model.version = "2";
    md.getMetadata()
        .setAnnotations(
            java.util.Map.of(
                ModelLineage.ANNOTATION,
                new ModelLineage(
                        "2",
                        "models:/iris/2",
                        "iris-drift",
                        "iris-drift-retrain-1",
                        "drift",
                        0.4,
                        "2026-12-01T10:00:00Z",
                        "champion")
                    .toJson()));
    create(md);
    await().atMost(WAIT).until(() -> STORAGE_2.equals(podUri("promoted")));
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(() -> "1".equals(mlflow.aliasOf("iris", "champion")));

    markRolledOut(deployment("promoted"));

    await("the alias follows the served version")
        .atMost(WAIT)
        .until(() -> "2".equals(mlflow.aliasOf("iris", "champion")));
    ModelDeployment done =
        await()
            .atMost(WAIT)
            .until(
                () -> get("promoted"),
                m ->
                    m.getStatus().history.get(0).aliasUpdate != null
                        && m.getStatus().history.get(0).aliasUpdate.state
                            == RegistryAliasUpdate.State.Set);
    assertEquals("iris-drift-retrain-1", done.getStatus().history.get(0).source.job);
    assertEquals("0a1b", done.getStatus().history.get(0).registry.runId);
    assertTrue(event("promoted", "RegistryAliasSet"));
    long posts = mlflow.requests().stream().filter(r -> r.startsWith("POST ")).count();
    assertEquals(1, posts, "set once");
  }

  // --- helpers ---

  static final Duration QUIET = Duration.ofSeconds(4);

  static ModelDeployment canary(String name, String version) {
    ModelDeployment md = ModelDeployments.churn(version);
    md.getMetadata().setName(name);
    md.getSpec().rollout = new dev.modelops.operator.api.v1alpha1.RolloutSpec();
    md.getSpec().rollout.strategy = dev.modelops.operator.api.v1alpha1.RolloutSpec.Strategy.Canary;
    dev.modelops.operator.api.v1alpha1.CanaryStep weight =
        new dev.modelops.operator.api.v1alpha1.CanaryStep();
    weight.setWeight = 50;
    dev.modelops.operator.api.v1alpha1.CanaryStep pause =
        new dev.modelops.operator.api.v1alpha1.CanaryStep();
    pause.pause = new dev.modelops.operator.api.v1alpha1.PauseStep();
    md.getSpec().rollout.steps = java.util.List.of(weight, pause);
    return md;
  }

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
