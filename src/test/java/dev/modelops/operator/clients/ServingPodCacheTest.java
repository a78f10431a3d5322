package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.metrics.MetricSourceException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The serving pods a podMetrics policy scrapes: its model's ready, addressed pods in the policy's
 * namespace.
 */
@EnableKubernetesMockClient(crud = true)
class ServingPodCacheTest {
  static KubernetesClient client;

  @Test
  void listsTheModelsReadyAddressedPodsByName() throws MetricSourceException {
    create("ml", "churn-b", "churn", true, "127.1.0.2");
    create("ml", "churn-a", "churn", true, "127.1.0.1");
    create("ml", "churn-starting", "churn", false, "127.1.0.3");
    create("ml", "churn-unscheduled", "churn", false, null);
    create("ml", "pricing-a", "pricing", true, "127.1.0.4");
    create("other", "churn-elsewhere", "churn", true, "127.1.0.5");
    ServingPodCache cache = new ServingPodCache(client);

    assertEquals(List.of("churn-a", "churn-b"), names(cache.scrapable("ml", "churn").join()));
    assertEquals(List.of("pricing-a"), names(cache.scrapable("ml", "pricing").join()));
    assertEquals(List.of("churn-elsewhere"), names(cache.scrapable("other", "churn").join()));
    assertEquals(List.of(), names(cache.scrapable("ml", "absent").join()));
  }

  @Test
  void followsPodsAfterTheFirstList() throws MetricSourceException {
    ServingPodCache cache = new ServingPodCache(client);
    assertEquals(List.of(), names(cache.scrapable("live", "churn").join()));

    create("live", "churn-a", "churn", true, "127.1.0.6");

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> names(cache.scrapable("live", "churn").join()), List.of("churn-a")::equals);
  }

  @Test
  void retrainingAndForeignPodsAreNotServingPods() throws MetricSourceException {
    create("mixed", "churn-a", "churn", true, "127.1.0.9");
    Pod trainer = pod("mixed", "trainer", "churn", true, "127.1.0.7");
    trainer.getMetadata().getLabels().remove("modelops.dev/deployment");
    Pod foreign = pod("mixed", "foreign", "churn", true, "127.1.0.8");
    foreign.getMetadata().getLabels().put("app.kubernetes.io/managed-by", "someone-else");
    client.resource(trainer).create();
    client.resource(foreign).create();

    assertEquals(
        List.of("churn-a"), names(new ServingPodCache(client).scrapable("mixed", "churn").join()));
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  private static void create(
      String namespace, String name, String model, boolean ready, String ip) {
    client.resource(pod(namespace, name, model, ready, ip)).create();
  }

  private static Pod pod(String namespace, String name, String model, boolean ready, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(
            new java.util.HashMap<>(
                Map.of(
                    "app.kubernetes.io/managed-by",
                    "modelops-operator",
                    "modelops.dev/deployment",
                    model)))
        .endMetadata()
        .withNewStatus()
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }
}
