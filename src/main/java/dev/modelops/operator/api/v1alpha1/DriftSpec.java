package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.modelops.operator.support.Durations;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

@ValidationRule(
    value =
        "(has(self.prometheus) ? 1 : 0) + (has(self.podMetrics) ? 1 : 0) + (has(self.distribution) ? 1 : 0) == 1",
    message = "drift needs exactly one source: prometheus, podMetrics or distribution")
public class DriftSpec {

  @JsonPropertyDescription("A PromQL instant query whose single value is the drift score.")
  public PrometheusSource prometheus;

  @JsonPropertyDescription(
      "A gauge scraped straight from the serving pods' metrics endpoint (needs nothing else"
          + " installed); the pods' values are aggregated into one score.")
  public PodMetricsSource podMetrics;

  @JsonPropertyDescription("Feature histograms compared with a baseline by a statistical distance.")
  public DistributionSource distribution;

  @Required
  @Min(0)
  @JsonPropertyDescription("Drift is real when the score is above this value.")
  public Double threshold;

  @Default(Defaults.FOR)
  @Size(max = 32)
  @ValidationRule(
      value = "self.matches('^([0-9]+(ms|s|m|h))+$')",
      message = "for must be a duration such as 0s, 10m or 1h")
  @JsonProperty("for")
  @JsonPropertyDescription(
      "How long the score must stay above the threshold before it triggers a retrain.")
  public String forDuration;

  @Default(Defaults.EVALUATION_INTERVAL)
  @Size(max = 32)
  @ValidationRule(
      value =
          "self.matches('^([0-9]+(ms|s|m|h))+$') && duration(self) >= duration('"
              + Defaults.MIN_EVALUATION_INTERVAL
              + "')",
      message =
          "evaluationInterval must be a duration of at least "
              + Defaults.MIN_EVALUATION_INTERVAL
              + ", such as 30s or 5m")
  @JsonPropertyDescription(
      "How often the score is measured (at least " + Defaults.MIN_EVALUATION_INTERVAL + ").")
  public String evaluationInterval;

  /** How long the breach must hold ({@code for}). */
  public Duration holdFor() {
    return Durations.parse(forDuration != null ? forDuration : Defaults.FOR);
  }

  /** Never under the floor, also for an object the API server did not validate. */
  public Duration evaluationIntervalOrDefault() {
    return Durations.atLeast(
        Durations.parse(
            evaluationInterval != null ? evaluationInterval : Defaults.EVALUATION_INTERVAL),
        Defaults.MIN_EVALUATION_INTERVAL);
  }
}
