package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

public class AnalysisQuery {

  @Required
  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Name of the query, shown in status, e.g. error-rate.")
  public String name;

  @Required
  @JsonPropertyDescription(
      "Where and what to measure: a PromQL instant query returning one value. The query may name"
          + " {{canaryVersion}}, {{stableVersion}}, {{name}} and {{namespace}}, replaced before it"
          + " is sent, e.g. model_requests_total{namespace=\"{{namespace}}\",version=\"{{canaryVersion}}\"}:"
          + " a window (rate over 1m) then reads this canary's pods only, not those of one rolled"
          + " back a moment ago.")
  public PrometheusSource prometheus;

  @Required
  @Size(max = 64)
  @ValidationRule(
      value =
          "self.matches('^\\\\s*(<|<=|>|>=|==|!=)\\\\s*-?[0-9]+(\\\\.[0-9]+)?([eE]-?[0-9]+)?\\\\s*$')",
      message = "successCondition must be a comparison with a number, e.g. '< 0.05' or '>= 0.9'")
  @JsonPropertyDescription("When a value is good, e.g. '< 0.05'.")
  public String successCondition;

  @JsonPropertyDescription(
      "Values in this range (inclusive) are inconclusive: neither success nor failure. A step"
          + " whose measurements are all inconclusive pauses the rollout for a person to promote or abort.")
  public InconclusiveRange inconclusive;
}
