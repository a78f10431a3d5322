package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.modelops.operator.drift.Aggregation;
import dev.modelops.operator.drift.DriftMethod;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "(has(self.prometheus) ? 1 : 0) + (has(self.podMetrics) ? 1 : 0) == 1",
    message = "distribution reads its histograms from exactly one of prometheus or podMetrics")
public class DistributionSource {

  @JsonPropertyDescription(
      "Read the current histograms with a PromQL query returning cumulative buckets"
          + " (labels `le` and featureLabel).")
  public PrometheusSource prometheus;

  @JsonPropertyDescription(
      "Scrape the current histograms from the serving pods (metric is the histogram's base"
          + " name); the pods' buckets are summed.")
  public PodMetricsSource podMetrics;

  @Default(Defaults.FEATURE_LABEL)
  @Size(max = 128)
  @JsonPropertyDescription("Label that names the feature of each histogram series.")
  public String featureLabel;

  @Required
  @JsonPropertyDescription("The distribution the model was trained on, per feature.")
  public Baseline baseline;

  @Default(Defaults.METHOD)
  @JsonPropertyDescription(
      "psi (population stability index), ks (Kolmogorov-Smirnov), js (Jensen-Shannon"
          + " distance, base 2, in [0,1]) or wasserstein (Wasserstein-1 on the bucket edges).")
  public DriftMethod method;

  @Default(Defaults.AGGREGATION)
  @JsonPropertyDescription("How per-feature scores become the policy's score: max or mean.")
  public Aggregation aggregation;

  public String featureLabelOrDefault() {
    return featureLabel != null ? featureLabel : Defaults.FEATURE_LABEL;
  }

  public DriftMethod methodOrDefault() {
    return method != null ? method : DriftMethod.valueOf(Defaults.METHOD);
  }

  public Aggregation aggregationOrDefault() {
    return aggregation != null ? aggregation : Aggregation.valueOf(Defaults.AGGREGATION);
  }
}
