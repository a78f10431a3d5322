package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@ValidationRule(
    value = "size(self.edges) == size(self.counts)",
    message = "a histogram needs one count per bucket edge (edges and counts of equal length)")
public class HistogramSpec {
  @Required
  @Size(min = 1, max = 1000)
  @JsonPropertyDescription(
      "Upper bounds of the buckets (Prometheus `le`), increasing; \"+Inf\" may close the list.")
  public List<String> edges;

  @Required
  @Size(min = 1, max = 1000)
  @JsonPropertyDescription("Number of observations in each bucket (not cumulative).")
  public List<Double> counts;
}
