package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

@ValidationRule(
    value = "has(self.endpoint) != has(self.url)",
    message =
        "prometheus needs exactly one of endpoint (the name of a metric endpoint the administrator"
            + " declared) or url")
public class PrometheusSource {

  @Size(max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of a metric endpoint (a Prometheus HTTP API) that the operator's administrator"
          + " declared (operator setting modelops.metric-endpoints, chart value metricEndpoints),"
          + " e.g. default. The operator queries no other address; an unknown name is reported"
          + " with the declared ones.")
  public String endpoint;

  @Size(max = 2048)
  @ValidationRule(
      value = "isURL(self) && self.matches('^https?://[^/?#@]+[^?#@]*$')",
      message =
          "prometheus.url must be an http:// or https:// address without query or user info, e.g."
              + " http://prometheus.monitoring:9090")
  @JsonPropertyDescription(
      "Instead of endpoint: the exact base address of a declared metric endpoint, e.g."
          + " http://prometheus.monitoring:9090. Any other address is refused (SourceAvailable"
          + " False, EndpointNotAllowed).")
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
          + " `username` and `password` (basic). The Secret must opt in with the label"
          + " modelops.dev/credential=prometheus (and not be a service-account token); the"
          + " operator reads no other Secret for this.")
  public SecretReference authSecretRef;

  @JsonPropertyDescription(
      "A Secret in the policy's namespace whose key `ca.crt` is the CA bundle for an https://"
          + " endpoint; it must carry the label modelops.dev/credential=prometheus too.")
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
