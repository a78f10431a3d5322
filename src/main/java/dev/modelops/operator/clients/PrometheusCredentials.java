package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.metrics.MetricSourceException;
import java.util.Optional;

/**
 * Resolves a PrometheusSource's authSecretRef and caSecretRef; shared by drift evaluation and
 * canary analysis.
 */
public final class PrometheusCredentials {

  /** Reads one key of a Secret in the resource's namespace. */
  public interface SecretKeys {
    Optional<String> get(String secret, String key);
  }

  public record Resolved(PrometheusClient.Auth auth, String caPem) {}

  private PrometheusCredentials() {}

  public static Resolved resolve(PrometheusSource source, SecretKeys secrets)
      throws MetricSourceException {
    PrometheusClient.Auth auth = null;
    if (source.authSecretRef != null) {
      String name = source.authSecretRef.name;
      Optional<String> token = secrets.get(name, "token");
      Optional<String> user = secrets.get(name, "username");
      if (token.isPresent()) {
        auth = PrometheusClient.Auth.bearer(token.get());
      } else if (user.isPresent()) {
        auth = PrometheusClient.Auth.basic(user.get(), secrets.get(name, "password").orElse(""));
      } else {
        throw new MetricSourceException(
            "SecretNotUsable",
            "Secret " + name + " is missing or has neither a `token` key nor a `username` key");
      }
    }
    String ca = null;
    if (source.caSecretRef != null) {
      ca =
          secrets
              .get(source.caSecretRef.name, "ca.crt")
              .orElseThrow(
                  () ->
                      new MetricSourceException(
                          "SecretNotUsable",
                          "Secret "
                              + source.caSecretRef.name
                              + " is missing or has no `ca.crt` key"));
    }
    return new Resolved(auth, ca);
  }
}
