package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.metrics.MetricSourceException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The serving pods that `podMetrics` policies scrape, watched per namespace from the first
 * evaluation that needs them. Serving pods change on every rollout and scale: an operator whose
 * policies read Prometheus or histograms keeps no pod cache at all, however many models it serves.
 */
@ApplicationScoped
public class ServingPodCache {
  static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final String BY_MODEL = "modelDeployment";

  private record Watch(SharedIndexInformer<Pod> informer, CompletableFuture<Void> synced) {}

  private final KubernetesClient client;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  public ServingPodCache(KubernetesClient client) {
    this.client = client;
  }

  /** The model's pods that can be scraped now, by name; waits for the namespace's first list. */
  List<Pod> scrapable(String namespace, String modelDeployment) throws MetricSourceException {
    Watch watch = watch(namespace);
    try {
      watch.synced().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new MetricSourceException(
          "PodsNotListed",
          "the serving pods of namespace "
              + namespace
              + " were not listed within "
              + SYNC_TIMEOUT.toSeconds()
              + " s");
    } catch (ExecutionException e) {
      // Forget the failed watch so that the next evaluation tries again (e.g. once RBAC allows it).
      watches.remove(namespace, watch);
      watch.informer().close();
      throw new MetricSourceException(
          "PodsNotListed",
          "cannot watch the serving pods of namespace "
              + namespace
              + ": "
              + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetricSourceException("PodsNotListed", "interrupted while listing pods");
    }
    return watch.informer().getIndexer().byIndex(BY_MODEL, modelDeployment).stream()
        .filter(ServingPodCache::scrapable)
        .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
        .toList();
  }

  /** Ready, addressed and not terminating: a pod that would answer a scrape. */
  static boolean scrapable(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getPodIP() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private Watch watch(String namespace) {
    // Starting an informer only schedules its list and watch, so it is cheap enough inside
    // computeIfAbsent.
    return watches.computeIfAbsent(
        namespace,
        ns -> {
          SharedIndexInformer<Pod> informer =
              client
                  .pods()
                  .inNamespace(ns)
                  .withLabel(Keys.MANAGED_BY_LABEL, Keys.MANAGED_BY)
                  .withLabel(Keys.DEPLOYMENT_LABEL)
                  .runnableInformer(0);
          informer.addIndexers(
              Map.of(
                  BY_MODEL,
                  pod -> List.of(pod.getMetadata().getLabels().get(Keys.DEPLOYMENT_LABEL))));
          return new Watch(informer, informer.start().toCompletableFuture());
        });
  }
}
