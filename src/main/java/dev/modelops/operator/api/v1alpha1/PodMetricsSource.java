package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.modelops.operator.drift.Aggregation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

public class PodMetricsSource {

  @Default("" + Defaults.METRICS_PORT)
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the serving pods' metrics endpoint.")
  public Integer port;

  @Default(Defaults.METRICS_PATH)
  @Size(max = 512)
  @ValidationRule(
      value = "self.startsWith('/')",
      message = "podMetrics.path must start with '/', e.g. /metrics")
  @JsonPropertyDescription("Path of the metrics endpoint, in the Prometheus text format.")
  public String path;

  @Required
  @Size(min = 1, max = 253)
  @ValidationRule(
      value = "self.matches('^[a-zA-Z_:][a-zA-Z0-9_:]*$')",
      message = "podMetrics.metric must be a Prometheus metric name such as model_drift_score")
  @JsonPropertyDescription(
      "Metric name. For a score source: a gauge; for a distribution: the histogram's base"
          + " name (its _bucket series are read).")
  public String metric;

  @Default(Defaults.AGGREGATION)
  @JsonPropertyDescription("How the pods' values become one score: max or mean.")
  public Aggregation aggregation;

  public int portOrDefault() {
    return port != null ? port : Defaults.METRICS_PORT;
  }

  public String pathOrDefault() {
    return path != null ? path : Defaults.METRICS_PATH;
  }

  public Aggregation aggregationOrDefault() {
    return aggregation != null ? aggregation : Aggregation.valueOf(Defaults.AGGREGATION);
  }
}
