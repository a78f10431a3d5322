package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.properties.RandomInputs;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end sample of the property tests: seeded random ModelDeployments and RetrainPolicies
 * go through the real API server; whatever admission accepts is reconciled to a status for its
 * generation, edits included, and the operator stays up. Replay with -De2e.fuzz.seed=N.
 */
class FuzzE2EIT extends E2ESupport {
  static final String NS = "e2e-fuzz";
  static final long SEED = Long.getLong("e2e.fuzz.seed", System.nanoTime() % 100_000);
  static final int MODELS = 20;
  static final int POLICIES = 20;

  @Test
  void everyAdmittedResourceIsReconciledAndNothingCrashes() {
    System.out.printf("FuzzE2EIT seed=%d (replay: -De2e.fuzz.seed=%d)%n", SEED, SEED);
    restrictedNamespace(NS);
    Random random = new Random(SEED);
    List<String> models = new ArrayList<>();
    int rejected = 0;
    for (int i = 0; i < MODELS; i++) {
      ModelDeployment md = RandomInputs.modelDeployment(random);
      md.getMetadata().setName("fuzz-" + i);
      md.getMetadata().setNamespace(NS);
      md.getMetadata().setGeneration(null);
      // On kwok's node: random images and URIs would only crash-loop on the real one.
      md.getSpec().scheduling = new dev.modelops.operator.api.v1alpha1.SchedulingSpec();
      md.getSpec().scheduling.nodeSelector = java.util.Map.of("type", "kwok");
      md.getSpec().scheduling.tolerations =
          List.of(
              new io.fabric8.kubernetes.api.model.TolerationBuilder()
                  .withKey("kwok.x-k8s.io/node")
                  .withOperator("Exists")
                  .withEffect("NoSchedule")
                  .build());
      // Few pods: the point is the reconciler's input space, not kwok's pod count.
      if (md.getSpec().replicas != null) {
        md.getSpec().replicas = Math.min(md.getSpec().replicas, 2);
      }
      if (md.getSpec().autoscaling != null) {
        md.getSpec().autoscaling.minReplicas = 1;
        md.getSpec().autoscaling.maxReplicas = Math.min(md.getSpec().autoscaling.maxReplicas, 2);
        md.getSpec().replicas = md.getSpec().replicas == null ? null : 1;
      }
      rejected += admitted(md) ? 0 : 1;
      models.add(md.getMetadata().getName());
    }
    List<String> policies = new ArrayList<>();
    for (int i = 0; i < POLICIES; i++) {
      String name = "fuzz-policy-" + i;
      if (apply(randomPolicy(random, name, "fuzz-" + random.nextInt(MODELS + 2)))) {
        policies.add(name);
      } else {
        rejected++;
      }
    }
    // An edit of every second model: a new version, so the rollout paths run too.
    for (int i = 0; i < MODELS; i += 2) {
      String version = RandomInputs.version(random);
      cluster()
          .kubectl(
              "patch",
              "mdep",
              "fuzz-" + i,
              "-n",
              NS,
              "--type",
              "merge",
              "-p",
              "{\"spec\":{\"model\":{\"version\":\"" + version + "\"}}}");
    }
    System.out.printf(
        "FuzzE2EIT seed=%d: %d resources sent, %d rejected at admission%n",
        SEED, MODELS + POLICIES, rejected);

    await("every admitted resource has a status for its generation (seed " + SEED + ")")
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              for (ModelDeployment md :
                  api().resources(ModelDeployment.class).inNamespace(NS).list().getItems()) {
                assertTrue(
                    md.getStatus() != null
                        && md.getMetadata()
                            .getGeneration()
                            .equals(md.getStatus().observedGeneration)
                        && md.getStatus().phase != null,
                    md.getMetadata().getName()
                        + " not reconciled: "
                        + Serialization.asYaml(md.getStatus()));
              }
              for (RetrainPolicy policy :
                  api().resources(RetrainPolicy.class).inNamespace(NS).list().getItems()) {
                assertTrue(
                    policy.getStatus() != null
                        && policy.getStatus().phase != null
                        && policy
                            .getMetadata()
                            .getGeneration()
                            .equals(policy.getStatus().observedGeneration),
                    policy.getMetadata().getName()
                        + " not reconciled: "
                        + Serialization.asYaml(policy.getStatus()));
              }
            });
    assertTrue(
        models.size() + policies.size() - rejected > (MODELS + POLICIES) / 2,
        "most generated inputs must be admitted");
    assertTrue(cluster().kubectlOrFail("get", "--raw", "/readyz").contains("ok"));
    await("the operator is still ready")
        .atMost(CONVERGE)
        .until(() -> ObservabilityE2EIT.get("/q/health/ready").contains("\"status\": \"UP\""));
  }

  static boolean admitted(ModelDeployment md) {
    try {
      api().resource(md).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422) {
        throw e;
      }
      return false;
    }
  }

  static boolean apply(String yaml) {
    return cluster().kubectlWithInput(yaml, "apply", "-n", NS, "-f", "-").exitCode() == 0;
  }

  /**
   * Random sources, thresholds, timings, schedules and targets (some missing, some cron strings
   * invalid).
   */
  static String randomPolicy(Random r, String name, String target) {
    String source =
        switch (r.nextInt(3)) {
          case 0 ->
              "prometheus: {endpoint: closed, query: \"model_drift_score\", timeoutSeconds: "
                  + (1 + r.nextInt(3))
                  + "}";
          case 1 ->
              "podMetrics: {port: "
                  + (1 + r.nextInt(65535))
                  + ", metric: model_drift_score, aggregation: "
                  + pick(r, "max", "mean")
                  + "}";
          default ->
              """
          distribution:
              podMetrics: {port: 9090, metric: feature_values}
              baseline:
                histograms:
                  age: {edges: ["1", "2", "+Inf"], counts: [%d, %d, %d]}
              method: %s"""
                  .formatted(
                      r.nextInt(50),
                      r.nextInt(50),
                      1 + r.nextInt(50),
                      pick(r, "psi", "ks", "js", "wasserstein"));
        };
    String schedule =
        r.nextInt(3) == 0
            ? "schedule: \""
                + pick(r, "*/5 * * * *", "@daily", "0 3 * * 1", "61 * * * *", "@every")
                + "\""
            : "";
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s}
        spec:
          modelDeploymentRef: {name: %s}
          drift:
            %s
            threshold: %s
            for: %s
            evaluationInterval: %s
          cooldown: %s
          promotion: %s
          suspend: %s
          %s
          jobTemplate: {spec: {backoffLimit: 0, template: {spec: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}], containers: [{name: train, image: example.test/trainer:1}]}}}}
        """
        .formatted(
            name,
            target,
            source.replace("\n", "\n    "),
            r.nextDouble() * 2,
            pick(r, "0s", "1s", "30s", "5m"),
            pick(r, "10s", "30s", "1m"),
            pick(r, "1m", "10m", "1h"),
            pick(r, "Automatic", "Manual"),
            r.nextBoolean(),
            schedule);
  }

  static String pick(Random r, String... values) {
    return values[r.nextInt(values.length)];
  }
}
