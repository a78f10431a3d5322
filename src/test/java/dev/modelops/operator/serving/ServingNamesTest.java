package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The canary of X is X-canary, the stable Deployment of a ModelDeployment named X-canary too. */
class ServingNamesTest {

  static ModelDeployment named(String name, boolean canary) {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getMetadata().setName(name);
    if (canary) {
      md.getSpec().rollout = new RolloutSpec();
      md.getSpec().rollout.strategy = RolloutSpec.Strategy.Canary;
    }
    return md;
  }

  /** As JOSDK's dependents set it: a plain owner reference, not a controller one. */
  static Deployment ownedBy(String name, String kind, String owner) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .addNewOwnerReference()
        .withApiVersion(kind.equals("ModelDeployment") ? "modelops.dev/v1alpha1" : "apps/v1")
        .withKind(kind)
        .withName(owner)
        .withUid("uid-" + owner)
        .withController(kind.equals("ModelDeployment") ? null : Boolean.TRUE)
        .endOwnerReference()
        .endMetadata()
        .build();
  }

  static Optional<String> conflict(ModelDeployment md, Deployment... existing) {
    Map<String, Deployment> byName = new java.util.HashMap<>();
    for (Deployment d : existing) {
      byName.put(d.getMetadata().getName(), d);
    }
    return ServingNames.conflict(md, name -> Optional.ofNullable(byName.get(name)));
  }

  @Test
  void aCanaryWhoseNameIsAnotherModelDeploymentsStableDeploymentIsAConflict() {
    Deployment theirs = ownedBy("ranker-canary", "ModelDeployment", "ranker-canary");
    String message = conflict(named("ranker", true), theirs).orElseThrow();
    assertEquals(
        "Deployment ranker-canary, which the canary of ModelDeployment ranker needs, belongs to"
            + " ModelDeployment ranker-canary; no canary runs and nothing is changed until one of"
            + " them is renamed",
        message);
    assertEquals(
        Optional.empty(),
        conflict(named("ranker", false), theirs),
        "under RollingUpdate ranker never needs ranker-canary");
  }

  @Test
  void aStableDeploymentThatIsAnotherModelDeploymentsCanaryIsAConflict() {
    Deployment canaryOfRanker = ownedBy("ranker-canary", "ModelDeployment", "ranker");
    String message = conflict(named("ranker-canary", false), canaryOfRanker).orElseThrow();
    assertTrue(
        message.startsWith(
            "Deployment ranker-canary, the stable Deployment of ModelDeployment ranker-canary,"
                + " belongs to ModelDeployment ranker;"),
        message);
    assertEquals(
        Optional.empty(),
        conflict(named("ranker", true), canaryOfRanker),
        "ranker's own canary is no conflict for ranker");
  }

  @Test
  void ownDeploymentsOrphansAndRecreatedOwnersAreNoConflict() {
    ModelDeployment md = named("churn", true);
    assertEquals(Optional.empty(), conflict(md));
    assertEquals(
        Optional.empty(),
        conflict(
            md,
            ownedBy("churn", "ModelDeployment", "churn"),
            ownedBy("churn-canary", "ModelDeployment", "churn")));
    Deployment orphan =
        new DeploymentBuilder().withNewMetadata().withName("churn").endMetadata().build();
    assertEquals(Optional.empty(), conflict(md, orphan), "an orphan is adopted as before");
    assertTrue(
        conflict(md, ownedBy("churn", "ReplicaSet", "someone")).isPresent(),
        "another kind's Deployment is not ours");
  }
}
