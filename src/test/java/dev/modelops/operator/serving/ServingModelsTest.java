package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.rollout.CanaryStateMachine;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServingModelsTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  static ModelDeployment canaryServing(String serving) {
    ModelDeployment md = ModelDeployments.churn(serving);
    md.getSpec().replicas = 4;
    md.getSpec().rollout = new RolloutSpec();
    md.getSpec().rollout.strategy = RolloutSpec.Strategy.Canary;
    md.getSpec().rollout.surge = true;
    md.setStatus(ServingStatusCalculator.compute(md, Optional.empty(), T0).status());
    Deployment rolled = ServingStatusCalculatorTest.deployment(md, 4, 4, 4, 4);
    md.setStatus(ServingStatusCalculator.compute(md, Optional.of(rolled), T0).status());
    return md;
  }

  @Test
  void theFirstVersionGoesStraightToTheStablePods() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getSpec().rollout = new RolloutSpec();
    md.getSpec().rollout.strategy = RolloutSpec.Strategy.Canary;
    assertEquals(
        new ServingModels.Model("1.0.0", "s3://models/churn/1.0.0"), ServingModels.stable(md));
  }

  @Test
  void underCanaryANewSpecDoesNotTouchTheStablePods() {
    ModelDeployment md = canaryServing("1.0.0");
    md.getSpec().model.version = "2.0.0";
    md.getSpec().model.uri = "s3://models/churn/2.0.0";
    assertEquals("1.0.0", ServingModels.stable(md).version());
    assertEquals(
        "1.0.0",
        ServingDeploymentDependent.build(md, "p")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(ServingNames.VERSION_ANNOTATION));
  }

  @Test
  void duringARolloutTheTracksSplitThePods() {
    ModelDeployment md = canaryServing("1.0.0");
    md.getSpec().model.version = "2.0.0";
    md.getSpec().model.uri = "s3://models/churn/2.0.0";
    md.getStatus().rollout =
        CanaryStateMachine.start(
            "2.0.0", "s3://models/churn/2.0.0", "1.0.0", "s3://models/churn/1.0.0", T0);
    md.getStatus().rollout.weight = 25;
    Deployment canary = CanaryDeploymentDependent.build(md, "p");
    assertEquals("churn-canary", canary.getMetadata().getName());
    assertEquals(1, canary.getSpec().getReplicas());
    assertEquals(
        "canary", canary.getSpec().getSelector().getMatchLabels().get(ServingNames.TRACK_LABEL));
    assertEquals(
        "2.0.0",
        canary
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(ServingNames.VERSION_ANNOTATION));
    assertEquals(
        4,
        ServingDeploymentDependent.build(md, "p").getSpec().getReplicas(),
        "surge keeps every stable pod");
    md.getSpec().rollout.surge = false;
    assertEquals(
        3,
        ServingDeploymentDependent.build(md, "p").getSpec().getReplicas(),
        "no surge: one stable pod gives way");
  }

  @Test
  void rollingUpdateIgnoresCanaryState() {
    ModelDeployment md = ModelDeployments.churn("2.0.0");
    assertEquals("2.0.0", ServingModels.stable(md).version());
    assertEquals(2, ServingModels.stableReplicas(md));
    assertEquals(0, ServingModels.canaryReplicas(md));
  }
}
