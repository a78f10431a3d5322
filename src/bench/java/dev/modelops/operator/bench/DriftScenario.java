package dev.modelops.operator.bench;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;

/**
 * RetrainPolicies (bench.drift-policies, default one per converged ModelDeployment; more share the
 * targets round robin), each measuring drift every `interval` from the DriftSource, the operator's
 * one declared metric endpoint. Lag of an evaluation = time since the policy's previous evaluation
 * − interval (the operator schedules the next measurement `interval` after the last one ends).
 * Meanwhile ModelDeployments are edited (replicas 1 → 2) and the time until the operator has
 * applied the new replica count to the Deployment tells whether events wait behind timers.
 */
final class DriftScenario {
  record Result(
      int policies,
      double allEvaluatedSeconds,
      long evaluations,
      double lagP50,
      double lagP99,
      double lagMax,
      int edits,
      double editP50,
      double editMax) {}

  private DriftScenario() {}

  static RetrainPolicy policy(String namespace, String name, String target, Duration interval) {
    return Serialization.unmarshal(
        """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s, namespace: %s}
        spec:
          modelDeploymentRef: {name: %s}
          drift:
            prometheus: {endpoint: bench, query: 'model_drift_score{policy="%s"}', timeoutSeconds: 5}
            threshold: 0.2
            for: 1m
            evaluationInterval: %ds
          cooldown: 1h
          jobTemplate:
            spec:
              template:
                spec:
                  containers: [{name: train, image: example.test/trainer:1}]
        """
            .formatted(name, namespace, target, name, interval.toSeconds()),
        RetrainPolicy.class);
  }

  static Result run(
      KubernetesClient admin,
      String namespace,
      int n,
      int policies,
      Duration interval,
      Duration window,
      int creators)
      throws Exception {
    try (DriftSource source = new DriftSource()) {
      ExecutorService pool = Executors.newFixedThreadPool(creators);
      long t0 = System.nanoTime();
      List<Future<?>> creates = new ArrayList<>();
      // More policies than ModelDeployments share their targets: drift lag depends on policies.
      for (int i = 0; i < policies; i++) {
        RetrainPolicy policy =
            policy(namespace, "rtp-%05d".formatted(i), Convergence.name(i % n), interval);
        creates.add(pool.submit(() -> admin.resource(policy).create()));
      }
      for (Future<?> create : creates) {
        create.get();
      }
      pool.shutdown();
      Map<String, List<Long>> arrivals = source.arrivals();
      Duration bound = interval.multipliedBy(3).plusSeconds(60 + policies / 10);
      Awaitility.await("every policy evaluated once")
          .atMost(bound)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> arrivals.size() >= policies);
      double allEvaluated = (System.nanoTime() - t0) / 1e9;
      // The first round is a burst of N creations; steady state starts once every policy has been
      // measured twice.
      Awaitility.await("every policy evaluated twice")
          .atMost(bound)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> arrivals.values().stream().filter(a -> a.size() >= 2).count() >= policies);

      Map<String, Long> scaledAt = new ConcurrentHashMap<>();
      SharedIndexInformer<Deployment> deployments =
          admin
              .apps()
              .deployments()
              .inNamespace(namespace)
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Deployment d) {}

                    @Override
                    public void onUpdate(Deployment old, Deployment d) {
                      if (Integer.valueOf(2).equals(d.getSpec().getReplicas())) {
                        scaledAt.putIfAbsent(d.getMetadata().getName(), System.nanoTime());
                      }
                    }

                    @Override
                    public void onDelete(Deployment d, boolean unknown) {}
                  },
                  0);
      long windowStart = System.nanoTime();
      Map<String, Long> editedAt = new ConcurrentHashMap<>();
      int edits = (int) Math.max(1, window.toSeconds() / 2);
      try {
        for (int e = 0; e < edits; e++) {
          String name = Convergence.name((int) ((long) e * n / edits));
          editedAt.put(name, System.nanoTime());
          admin
              .resources(ModelDeployment.class)
              .inNamespace(namespace)
              .withName(name)
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":2}}");
          Thread.sleep(
              window.toMillis()
                  / edits); // spacing the edits over the window is the measurement itself
        }
        long windowEnd = System.nanoTime();
        Awaitility.await("edits applied to the Deployments")
            .atMost(Duration.ofSeconds(60))
            .until(() -> scaledAt.keySet().containsAll(editedAt.keySet()));

        List<Double> lags = new ArrayList<>();
        for (List<Long> times : arrivals.values()) {
          for (int i = 1; i < times.size(); i++) {
            if (times.get(i) >= windowStart && times.get(i) < windowEnd) {
              lags.add(
                  Math.max(
                      0, (times.get(i) - times.get(i - 1)) / 1e9 - interval.toMillis() / 1000.0));
            }
          }
        }
        List<Double> editLatencies =
            editedAt.entrySet().stream()
                .map(e -> (scaledAt.get(e.getKey()) - e.getValue()) / 1e9)
                .sorted()
                .toList();
        List<Double> sortedLags = lags.stream().sorted().toList();
        return new Result(
            policies,
            allEvaluated,
            sortedLags.size(),
            Stats.percentile(sortedLags, 50),
            Stats.percentile(sortedLags, 99),
            sortedLags.isEmpty() ? Double.NaN : sortedLags.get(sortedLags.size() - 1),
            edits,
            Stats.percentile(editLatencies, 50),
            editLatencies.get(editLatencies.size() - 1));
      } finally {
        deployments.close();
      }
    }
  }
}
