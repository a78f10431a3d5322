package dev.modelops.operator.properties;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisStep;
import dev.modelops.operator.api.v1alpha1.AutoscalingSpec;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import dev.modelops.operator.api.v1alpha1.PauseStep;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded generators of inputs that pass admission (the CRD's schema and CEL rules), for property
 * tests.
 */
public final class RandomInputs {
  static final String[] SCHEMES = {
    "s3://bucket/m/", "gs://bucket/m/", "https://host/m/", "pvc://claim/m/", "oci://reg/m:"
  };

  private RandomInputs() {}

  public static ModelDeployment modelDeployment(Random r) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder()
            .withName("m" + r.nextInt(1000))
            .withNamespace("ns")
            .withGeneration((long) r.nextInt(50) + 1)
            .build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSpec();
    spec.model.name = "model-" + r.nextInt(100);
    spec.model.version = version(r);
    spec.model.uri = SCHEMES[r.nextInt(SCHEMES.length)] + spec.model.version;
    spec.runtime = new RuntimeSpec();
    spec.runtime.image = "img:" + r.nextInt(9);
    spec.runtime.port = 1 + r.nextInt(65535);
    spec.runtime.protocol = r.nextBoolean() ? RuntimeSpec.Protocol.v1 : RuntimeSpec.Protocol.v2;
    if (r.nextInt(3) == 0) {
      spec.autoscaling = new AutoscalingSpec();
      spec.autoscaling.minReplicas = 1 + r.nextInt(3);
      spec.autoscaling.maxReplicas = spec.autoscaling.minReplicas + r.nextInt(5);
      spec.autoscaling.targetCPUUtilizationPercentage = 10 + r.nextInt(90);
      spec.replicas = r.nextBoolean() ? null : spec.autoscaling.minReplicas;
    } else {
      spec.replicas = r.nextInt(4) == 0 ? null : r.nextInt(12);
    }
    if (r.nextBoolean()) {
      spec.rollout = new RolloutSpec();
      spec.rollout.strategy = RolloutSpec.Strategy.Canary;
      spec.rollout.surge = r.nextBoolean();
      spec.rollout.steps = steps(r);
      spec.rollout.analysis = analysis(r);
    }
    md.setSpec(spec);
    return md;
  }

  public static String version(Random r) {
    return r.nextInt(5) + "." + r.nextInt(5) + "." + r.nextInt(5);
  }

  /** Non-decreasing weights, as the CEL rule demands, with pauses and analyses in between. */
  public static List<CanaryStep> steps(Random r) {
    List<CanaryStep> steps = new ArrayList<>();
    int weight = 0;
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n; i++) {
      CanaryStep step = new CanaryStep();
      switch (r.nextInt(3)) {
        case 0 -> {
          weight = Math.min(100, weight + 1 + r.nextInt(50));
          step.setWeight = weight;
        }
        case 1 -> {
          step.pause = new PauseStep();
          step.pause.duration = r.nextBoolean() ? (1 + r.nextInt(120)) + "s" : null;
        }
        default -> step.analysis = new AnalysisStep();
      }
      steps.add(step);
    }
    return steps;
  }

  public static AnalysisSpec analysis(Random r) {
    AnalysisSpec a = new AnalysisSpec();
    AnalysisQuery q = new AnalysisQuery();
    q.name = "q";
    q.successCondition = "< 0.05";
    a.queries = List.of(q);
    a.interval = (1 + r.nextInt(60)) + "s";
    a.count = 1 + r.nextInt(5);
    a.failureLimit = r.nextInt(3);
    return a;
  }

  /** Whatever the controller-manager might report, including nonsense mid-rollout states. */
  public static Deployment deploymentStatus(Random r, Deployment desired) {
    int replicas = r.nextInt(15);
    desired.getMetadata().setGeneration((long) 1 + r.nextInt(5));
    var status =
        new DeploymentStatusBuilder()
            .withObservedGeneration((long) r.nextInt(6))
            .withReplicas(replicas)
            .withUpdatedReplicas(r.nextInt(replicas + 1))
            .withAvailableReplicas(r.nextInt(replicas + 1))
            .withReadyReplicas(r.nextInt(replicas + 1));
    if (r.nextInt(4) == 0) {
      status.addToConditions(
          new DeploymentConditionBuilder()
              .withType("Progressing")
              .withStatus("False")
              .withReason("ProgressDeadlineExceeded")
              .withMessage("timed out")
              .build());
    }
    if (r.nextInt(6) == 0) {
      status.addToConditions(
          new DeploymentConditionBuilder()
              .withType("ReplicaFailure")
              .withStatus("True")
              .withReason("FailedCreate")
              .withMessage("forbidden")
              .build());
    }
    desired.setStatus(status.build());
    return desired;
  }
}
