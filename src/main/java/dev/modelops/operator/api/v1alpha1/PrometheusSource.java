package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

public class PrometheusSource {

  @Required
  @Size(max = 2048)
  @ValidationRule(
      value = "self.matches('^https?://[^/]+.*$')",
      message =
          "prometheus.url must be an http:// or https:// address, e.g. http://prometheus.monitoring:9090")
  @JsonPropertyDescription(
      "Base address of the Prometheus HTTP API, e.g. http://prometheus.monitoring:9090.")
  public String url;

  @Required
  @Size(min = 1, max = 4096)
  @JsonPropertyDescription(
      "PromQL instant query. For a score source it must return one sample; for a"
          + " distribution it returns histogram buckets with the `le` and feature labels, e.g."
          + " sum by (feature, le) (increase(model_feature_bucket[1h])).")
  public String query;

  @JsonPropertyDescription(
      "Credentials from a Secret in the policy's namespace: key `token` (bearer) or keys"
          + " `username` and `password` (basic). The operator reads only this Secret.")
  public SecretReference authSecretRef;

  @JsonPropertyDescription(
      "A Secret in the policy's namespace whose key `ca.crt` is the CA bundle for an https:// url.")
  public SecretReference caSecretRef;

  @Default("" + Defaults.TIMEOUT_SECONDS)
  @Min(1)
  @Max(60)
  @JsonPropertyDescription("Seconds to wait for an answer before the source counts as unavailable.")
  public Integer timeoutSeconds;

  public Duration timeoutOrDefault() {
    return Duration.ofSeconds(timeoutSeconds != null ? timeoutSeconds : Defaults.TIMEOUT_SECONDS);
  }
}
