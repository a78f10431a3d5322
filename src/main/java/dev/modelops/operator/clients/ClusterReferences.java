package dev.modelops.operator.clients;

import dev.modelops.operator.metrics.MetricSourceException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one reader of what drift evaluation and canary analysis reference. Serving pods come from a
 * pod cache started for the namespaces that have podMetrics policies (no API call per evaluation);
 * a referenced Secret or ConfigMap is read by name (never listed) and kept for 30 seconds, so a
 * rotated credential is picked up quickly without a request per measurement.
 */
@ApplicationScoped
public class ClusterReferences implements ClusterReader {
  static final Duration CACHE_TTL = Duration.ofSeconds(30);

  private record Cached(Map<String, String> data, Instant readAt) {}

  private final KubernetesClient client;
  private final ServingPodCache pods;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public ClusterReferences(KubernetesClient client, ServingPodCache pods) {
    this.client = client;
    this.pods = pods;
  }

  @Override
  public Optional<String> secretValue(String namespace, String name, String key) {
    Map<String, String> data =
        cached(
            "secret/" + namespace + "/" + name,
            () -> {
              Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
              if (secret == null || secret.getData() == null) {
                return Map.of();
              }
              Map<String, String> decoded = new HashMap<>();
              secret
                  .getData()
                  .forEach(
                      (k, v) ->
                          decoded.put(
                              k,
                              new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
              return decoded;
            });
    return Optional.ofNullable(data.get(key));
  }

  @Override
  public Optional<String> configMapValue(String namespace, String name, String key) {
    Map<String, String> data =
        cached(
            "configmap/" + namespace + "/" + name,
            () -> {
              ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
              return map == null || map.getData() == null ? Map.of() : map.getData();
            });
    return Optional.ofNullable(data.get(key));
  }

  @Override
  public List<Pod> servingPods(String namespace, String modelDeployment)
      throws MetricSourceException {
    return pods.scrapable(namespace, modelDeployment);
  }

  private Map<String, String> cached(String key, Supplier<Map<String, String>> read) {
    Cached hit = cache.get(key);
    if (hit != null && hit.readAt().plus(CACHE_TTL).isAfter(Instant.now())) {
      return hit.data();
    }
    Map<String, String> data = read.get();
    cache.put(key, new Cached(data, Instant.now()));
    return data;
  }
}
