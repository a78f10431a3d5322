package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.modelops.operator.support.Durations;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/** Where and how a registry reference in spec.model.uri is resolved. */
public class ModelRegistrySpec {

  @Size(max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of a model registry (an MLflow tracking server) that the operator's administrator"
          + " declared (operator setting modelops.model-registries, chart value modelRegistries),"
          + " e.g. mlflow. May be left out when exactly one registry is declared. The operator asks"
          + " no other address; an unknown name is reported with the declared ones.")
  public String endpoint;

  @JsonPropertyDescription(
      "Credentials for the registry from a Secret in this namespace: key `token` (sent as a"
          + " bearer token) or keys `username` and `password` (basic, as MLflow's basic-auth app"
          + " wants). The Secret must opt in with the label modelops.dev/credential=registry (and"
          + " not be a service-account token); the operator reads no other Secret for this.")
  public SecretReference authSecretRef;

  @Default(Defaults.RESOLVE_INTERVAL)
  @Size(max = 32)
  @ValidationRule(
      value =
          "self.matches('^([0-9]+(ms|s|m|h))+$') && duration(self) >= duration('"
              + Defaults.MIN_RESOLVE_INTERVAL
              + "')",
      message =
          "registry.resolveInterval must be a duration of at least "
              + Defaults.MIN_RESOLVE_INTERVAL
              + ", such as 30s or 5m")
  @JsonPropertyDescription(
      "How often the registry is asked again what the reference names (at least "
          + Defaults.MIN_RESOLVE_INTERVAL
          + "; spread out, so many ModelDeployments do not ask at once). A moved alias rolls out"
          + " through spec.rollout; a pinned version is only checked to still exist.")
  public String resolveInterval;

  /**
   * As written (admission keeps it at or above its floor); the operator clamps it again to the
   * administrator's floor (modelops.registry.min-resolve-interval, 10s unless set).
   */
  public Duration resolveIntervalOrDefault() {
    return Durations.parseOr(resolveInterval, Durations.parse(Defaults.RESOLVE_INTERVAL));
  }
}
