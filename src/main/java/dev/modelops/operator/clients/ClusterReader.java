package dev.modelops.operator.clients;

import dev.modelops.operator.metrics.MetricSourceException;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * What measuring drift or a canary reads from the cluster besides the metric source: a key of a
 * Secret or ConfigMap the resource references, and the serving pods to scrape.
 */
public interface ClusterReader {
  Optional<String> secretValue(String namespace, String name, String key);

  Optional<String> configMapValue(String namespace, String name, String key);

  /** Running, ready serving pods of a ModelDeployment, with their IPs. */
  List<Pod> servingPods(String namespace, String modelDeployment) throws MetricSourceException;
}
