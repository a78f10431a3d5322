package dev.modelops.operator.clients;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What measuring drift or a canary reads from the cluster besides the metric source, without
 * blocking the caller: a credential Secret that opted in, a ConfigMap key, the serving pods.
 */
public interface ClusterReader {
  /**
   * The data of a Secret labelled {@code modelops.dev/credential=<use>} (never a service-account
   * token); empty when it is missing, not labelled so, or of another type: the caller cannot tell
   * which, so neither can a tenant.
   */
  CompletableFuture<Optional<Map<String, String>>> credential(
      String namespace, String name, String use);

  CompletableFuture<Optional<String>> configMapValue(String namespace, String name, String key);

  /** Running, ready serving pods of a ModelDeployment, with their IPs. */
  CompletableFuture<List<Pod>> servingPods(String namespace, String modelDeployment);
}
