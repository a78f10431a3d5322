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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The serving pods that `podMetrics` policies scrape, watched per namespace from the first
 * evaluation that needs them and no longer once the last such policy there is gone. Serving pods
 * change on every rollout and scale: an operator whose policies read Prometheus keeps no pod cache
 * at all, however many models it serves.
 */
@ApplicationScoped
public class ServingPodCache {
  static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final String BY_MODEL = "modelDeployment";

  private record Watch(SharedIndexInformer<Pod> informer, CompletableFuture<Void> synced) {}

  private final KubernetesClient client;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> users = new ConcurrentHashMap<>();

  public ServingPodCache(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The model's pods that can be scraped now, by name, once the namespace's first list is in (never
   * blocking the caller).
   */
  public CompletableFuture<List<Pod>> scrapable(String namespace, String modelDeployment) {
    Watch watch = watch(namespace);
    return watch
        .synced()
        .copy()
        .orTimeout(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (ignored, error) -> {
              if (error != null) {
                throw new CompletionException(notListed(namespace, watch, error));
              }
              return watch.informer().getIndexer().byIndex(BY_MODEL, modelDeployment).stream()
                  .filter(ServingPodCache::scrapable)
                  .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                  .toList();
            });
  }

  /** Records that {@code user} (a policy) scrapes pods of the namespace. */
  public void use(String namespace, String user) {
    users.computeIfAbsent(namespace, ns -> ConcurrentHashMap.newKeySet()).add(user);
  }

  /** The policy no longer scrapes there; the last one to go stops the namespace's pod watch. */
  public void release(String namespace, String user) {
    Set<String> left =
        users.computeIfPresent(
            namespace,
            (ns, set) -> {
              set.remove(user);
              return set.isEmpty() ? null : set;
            });
    if (left == null) {
      Watch watch = watches.remove(namespace);
      if (watch != null) {
        watch.informer().close();
      }
    }
  }

  /** Namespaces whose serving pods are watched now (for tests and metrics). */
  public Set<String> watchedNamespaces() {
    return Set.copyOf(watches.keySet());
  }

  private MetricSourceException notListed(String namespace, Watch watch, Throwable error) {
    if (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    if (error instanceof TimeoutException) {
      return new MetricSourceException(
          "PodsNotListed",
          "the serving pods of namespace "
              + namespace
              + " were not listed within "
              + SYNC_TIMEOUT.toSeconds()
              + " s");
    }
    // Forget the failed watch so that the next evaluation tries again (e.g. once RBAC allows it).
    watches.remove(namespace, watch);
    watch.informer().close();
    return new MetricSourceException(
        "PodsNotListed", "cannot watch the serving pods of namespace " + namespace);
  }

  /**
   * Ready, addressed, not terminating and on the pod network: a pod that would answer a scrape. A
   * host-network pod's address is its node's, which the operator never scrapes.
   */
  static boolean scrapable(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && (pod.getSpec() == null || !Boolean.TRUE.equals(pod.getSpec().getHostNetwork()))
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
              Map.of(BY_MODEL, pod -> List.of(Keys.label(pod, Keys.DEPLOYMENT_LABEL))));
          return new Watch(informer, informer.start().toCompletableFuture());
        });
  }
}
