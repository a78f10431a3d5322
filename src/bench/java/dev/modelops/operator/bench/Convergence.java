package dev.modelops.operator.bench;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Applies N ModelDeployments at once (as fast as `creators` threads can POST them) and clocks,
 * through a watch, when each one first reports Ready=True.
 */
final class Convergence {
  /**
   * Seconds from the first create to each ModelDeployment's Ready, sorted; and to the last create.
   */
  record Result(double seconds, double createSeconds, List<Double> readyAt) {
    double perSecond(int n) {
      return n / seconds;
    }
  }

  private Convergence() {}

  static String name(int i) {
    return "md-%05d".formatted(i);
  }

  static ModelDeployment modelDeployment(String namespace, String name) {
    return Serialization.unmarshal(
        """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s, namespace: %s}
        spec:
          model: {name: %s, version: "1.0.0", uri: "s3://models/%s/1.0.0"}
          runtime: {image: "example.test/server:1"}
          replicas: 1
        """
            .formatted(name, namespace, name, name),
        ModelDeployment.class);
  }

  static boolean ready(ModelDeployment md) {
    return md.getStatus() != null
        && md.getStatus().conditions != null
        && md.getStatus().conditions.stream()
            .anyMatch((Condition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static Result run(KubernetesClient admin, String namespace, int n, int creators, Duration timeout)
      throws Exception {
    Map<String, Long> readyNanos = new ConcurrentHashMap<>();
    SharedIndexInformer<ModelDeployment> informer =
        admin
            .resources(ModelDeployment.class)
            .inNamespace(namespace)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ModelDeployment md) {
                    seen(md);
                  }

                  @Override
                  public void onUpdate(ModelDeployment old, ModelDeployment md) {
                    seen(md);
                  }

                  @Override
                  public void onDelete(ModelDeployment md, boolean unknown) {}

                  private void seen(ModelDeployment md) {
                    if (ready(md)) {
                      readyNanos.putIfAbsent(md.getMetadata().getName(), System.nanoTime());
                    }
                  }
                },
                0);
    try {
      ExecutorService pool = Executors.newFixedThreadPool(creators);
      long t0 = System.nanoTime();
      List<Future<?>> creates = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = name(i);
        creates.add(pool.submit(() -> admin.resource(modelDeployment(namespace, name)).create()));
      }
      for (Future<?> create : creates) {
        create.get();
      }
      double createSeconds = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      Awaitility.await(n + " ModelDeployments Ready")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> readyNanos.size() >= n);
      List<Double> readyAt =
          readyNanos.values().stream().map(t -> (t - t0) / 1e9).sorted().toList();
      return new Result(readyAt.get(readyAt.size() - 1), createSeconds, readyAt);
    } finally {
      informer.close();
    }
  }
}
