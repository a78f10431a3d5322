package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

public class AnalysisSpec {

  @Required
  @Size(min = 1, max = 10)
  @JsonPropertyDescription(
      "Queries measured together; a measurement succeeds when every query meets its successCondition.")
  public List<AnalysisQuery> queries;

  @Default("30s")
  @Size(max = 32)
  @ValidationRule(
      value = "self.matches('^([0-9]+(ms|s|m|h))+$')",
      message = "analysis.interval must be a duration such as 30s")
  @JsonPropertyDescription("Time between measurements.")
  public String interval;

  @Default("3")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Measurements per analysis step.")
  public Integer count;

  @Default("0")
  @Min(0)
  @JsonPropertyDescription(
      "Failed measurements tolerated; one more rolls the canary back. A query that cannot be"
          + " measured (Prometheus down, no data) counts as a failure.")
  public Integer failureLimit;
}
