package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.modelops.operator.support.Durations;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;
import java.util.List;

public class AnalysisSpec {

  @Required
  @Size(min = 1, max = 10)
  @JsonPropertyDescription(
      "Queries measured together; a measurement succeeds when every query meets its successCondition.")
  public List<AnalysisQuery> queries;

  @Default(Defaults.ANALYSIS_INTERVAL)
  @Size(max = 32)
  @ValidationRule(
      value =
          "self.matches('^([0-9]+(ms|s|m|h))+$') && duration(self) >= duration('"
              + Defaults.MIN_ANALYSIS_INTERVAL
              + "')",
      message =
          "analysis.interval must be a duration of at least "
              + Defaults.MIN_ANALYSIS_INTERVAL
              + ", such as 30s")
  @JsonPropertyDescription(
      "Time between measurements, and from the start of an analysis step to its first"
          + " measurement, so the canary serves (and is scraped) for one interval before it is"
          + " judged (at least "
          + Defaults.MIN_ANALYSIS_INTERVAL
          + ").")
  public String interval;

  @Default("" + Defaults.ANALYSIS_COUNT)
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Measurements per analysis step.")
  public Integer count;

  @Default("" + Defaults.ANALYSIS_FAILURE_LIMIT)
  @Min(0)
  @JsonPropertyDescription(
      "Failed measurements tolerated; one more rolls the canary back. A query that cannot be"
          + " measured (Prometheus down, no data) counts as a failure.")
  public Integer failureLimit;

  public Duration intervalOrDefault() {
    return Durations.atLeast(
        Durations.parse(interval != null ? interval : Defaults.ANALYSIS_INTERVAL),
        Defaults.MIN_ANALYSIS_INTERVAL);
  }

  public int countOrDefault() {
    return count != null ? count : Defaults.ANALYSIS_COUNT;
  }

  public int failureLimitOrDefault() {
    return failureLimit != null ? failureLimit : Defaults.ANALYSIS_FAILURE_LIMIT;
  }
}
