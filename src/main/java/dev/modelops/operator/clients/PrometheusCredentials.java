package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.metrics.MetricSourceException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Resolves a PrometheusSource's authSecretRef and caSecretRef, shared by drift evaluation and
 * canary analysis. Only a Secret labelled modelops.dev/credential=prometheus is ever read for this,
 * and a refusal reads the same whether the Secret is missing, not labelled, a service-account token
 * or without the keys: a tenant learns nothing about Secrets it cannot read.
 */
public final class PrometheusCredentials {

  public record Resolved(HttpAuth auth, String caPem) {}

  private PrometheusCredentials() {}

  public static CompletableFuture<Resolved> resolve(
      PrometheusSource source, String namespace, ClusterReader cluster) {
    CompletableFuture<Optional<HttpAuth>> auth =
        source.authSecretRef == null
            ? CompletableFuture.completedFuture(Optional.empty())
            : cluster
                .credential(namespace, source.authSecretRef.name, Keys.CREDENTIAL_PROMETHEUS)
                .thenApply(data -> Optional.of(auth(source.authSecretRef.name, data)));
    CompletableFuture<Optional<String>> ca =
        source.caSecretRef == null
            ? CompletableFuture.completedFuture(Optional.empty())
            : cluster
                .credential(namespace, source.caSecretRef.name, Keys.CREDENTIAL_PROMETHEUS)
                .thenApply(
                    data ->
                        Optional.of(
                            data.map(d -> d.get("ca.crt"))
                                .orElseThrow(() -> refused(source.caSecretRef.name))));
    return auth.thenCombine(ca, (a, c) -> new Resolved(a.orElse(null), c.orElse(null)));
  }

  private static HttpAuth auth(String name, Optional<Map<String, String>> data) {
    return HttpAuth.fromSecret(data.orElseThrow(() -> refused(name)))
        .orElseThrow(() -> refused(name));
  }

  private static CompletionException refused(String name) {
    return new CompletionException(
        new MetricSourceException(
            "CredentialsNotUsable",
            "Secret "
                + name
                + " cannot be used for Prometheus: only a Secret labelled "
                + Keys.CREDENTIAL_LABEL
                + "="
                + Keys.CREDENTIAL_PROMETHEUS
                + " (not a service-account token) with a `token` key, or `username` and"
                + " `password` keys (`ca.crt` for caSecretRef), can be"));
  }
}
