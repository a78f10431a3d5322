package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The one reader of what a tenant's resources reference: Secrets, ServiceAccounts and ConfigMaps,
 * read by name (never listed or watched) and kept for 30 seconds in a bounded cache, and the
 * serving pods (ServingPodCache). A Secret's data is kept only when it opted in (label
 * modelops.dev/credential); a ServiceAccount is usable only when it opted in (label
 * modelops.dev/identity). Reads for metric sources run on a small pool of their own.
 */
@ApplicationScoped
public class ClusterReferences implements ClusterReader {
  static final Duration CACHE_TTL = Duration.ofSeconds(30);
  static final int CACHE_ENTRIES = 4096;
  static final String SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";

  /**
   * What is kept of a Secret: its use (the opt-in label) and, only if it has one, its data and
   * annotations.
   */
  private record SecretView(
      String use, Map<String, String> data, Map<String, String> annotations) {}

  /** A Secret listed on a ServiceAccount that opted in for workloads: its settings, not values. */
  public record WorkloadSecret(String name, Map<String, String> annotations, Set<String> keys) {}

  private record Cached(Object value, Instant readAt) {}

  static final int PODS_LISTED = 50;
  private final KubernetesClient client;
  private final ServingPodCache pods;
  private final ExecutorService reads =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "reference-reads");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Cached> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  public ClusterReferences(KubernetesClient client, ServingPodCache pods) {
    this.client = client;
    this.pods = pods;
  }

  @PreDestroy
  void close() {
    reads.shutdownNow();
  }

  @Override
  public CompletableFuture<Optional<Map<String, String>>> credential(
      String namespace, String name, String use) {
    return CompletableFuture.supplyAsync(
        () -> {
          SecretView secret = secret(namespace, name);
          return use.equals(secret.use()) ? Optional.of(secret.data()) : Optional.empty();
        },
        reads);
  }

  @Override
  public CompletableFuture<Optional<String>> configMapValue(
      String namespace, String name, String key) {
    return CompletableFuture.supplyAsync(
        () -> {
          @SuppressWarnings("unchecked")
          Map<String, String> data =
              (Map<String, String>)
                  cached(
                      "configmap/" + namespace + "/" + name,
                      () -> {
                        ConfigMap map =
                            client.configMaps().inNamespace(namespace).withName(name).get();
                        return map == null || map.getData() == null ? Map.of() : map.getData();
                      });
          return Optional.ofNullable(data.get(key));
        },
        reads);
  }

  @Override
  public CompletableFuture<List<Pod>> servingPods(String namespace, String modelDeployment) {
    return pods.scrapable(namespace, modelDeployment);
  }

  /** Whether pods the operator creates may use this Secret (label modelops.dev/credential=use). */
  public boolean secretUsable(String namespace, String name, String use) {
    return use.equals(secret(namespace, name).use());
  }

  /** Whether pods the operator creates may run as this ServiceAccount (modelops.dev/identity). */
  public boolean serviceAccountUsable(String namespace, String name, String use) {
    Object identity =
        cached(
            "serviceaccount/" + namespace + "/" + name,
            () -> {
              ServiceAccount sa =
                  client.serviceAccounts().inNamespace(namespace).withName(name).get();
              String label = sa == null ? null : Keys.label(sa, Keys.IDENTITY_LABEL);
              return label == null ? "" : label;
            });
    return use.equals(identity);
  }

  /**
   * The Secrets listed on a ServiceAccount (its `secrets`) that opted in for workloads, in order:
   * where KServe users keep storage credentials.
   */
  public List<WorkloadSecret> workloadSecrets(String namespace, String serviceAccount) {
    @SuppressWarnings("unchecked")
    List<String> listed =
        (List<String>)
            cached(
                "serviceaccount-secrets/" + namespace + "/" + serviceAccount,
                () -> {
                  ServiceAccount sa =
                      client
                          .serviceAccounts()
                          .inNamespace(namespace)
                          .withName(serviceAccount)
                          .get();
                  return sa == null || sa.getSecrets() == null
                      ? List.of()
                      : sa.getSecrets().stream().map(r -> r.getName()).toList();
                });
    return listed.stream()
        .map(name -> new Object[] {name, secret(namespace, name)})
        .filter(pair -> Keys.CREDENTIAL_WORKLOAD.equals(((SecretView) pair[1]).use()))
        .map(
            pair -> {
              SecretView view = (SecretView) pair[1];
              return new WorkloadSecret(
                  (String) pair[0], view.annotations(), Set.copyOf(view.data().keySet()));
            })
        .toList();
  }

  private SecretView secret(String namespace, String name) {
    return (SecretView)
        cached(
            "secret/" + namespace + "/" + name,
            () -> {
              Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
              String use = secret == null ? null : Keys.label(secret, Keys.CREDENTIAL_LABEL);
              if (use == null || SERVICE_ACCOUNT_TOKEN.equals(secret.getType())) {
                return new SecretView("", Map.of(), Map.of());
              }
              Map<String, String> decoded = new HashMap<>();
              if (secret.getData() != null) {
                secret
                    .getData()
                    .forEach(
                        (k, v) ->
                            decoded.put(
                                k,
                                new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
              }
              Map<String, String> annotations =
                  secret.getMetadata().getAnnotations() == null
                      ? Map.of()
                      : Map.copyOf(secret.getMetadata().getAnnotations());
              return new SecretView(use, Map.copyOf(decoded), annotations);
            });
  }

  /**
   * The pods of a Deployment's current pod template, at most {@link #PODS_LISTED}: read only while
   * a rollout waits for them, to say why they are not ready.
   */
  public List<Pod> currentPods(Deployment deployment) {
    var selector = deployment.getSpec().getSelector().getMatchLabels();
    var template = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    return client
        .pods()
        .inNamespace(deployment.getMetadata().getNamespace())
        .withLabels(selector)
        .list(new ListOptionsBuilder().withLimit((long) PODS_LISTED).build())
        .getItems()
        .stream()
        .filter(
            pod ->
                template == null
                    || pod.getMetadata().getAnnotations() != null
                        && template.entrySet().stream()
                            .allMatch(
                                e ->
                                    e.getValue()
                                        .equals(
                                            pod.getMetadata().getAnnotations().get(e.getKey()))))
        .toList();
  }

  private Object cached(String key, Supplier<Object> read) {
    synchronized (cache) {
      Cached hit = cache.get(key);
      if (hit != null && hit.readAt().plus(CACHE_TTL).isAfter(Instant.now())) {
        return hit.value();
      }
    }
    Object value = read.get();
    synchronized (cache) {
      cache.put(key, new Cached(value, Instant.now()));
    }
    return value;
  }
}
