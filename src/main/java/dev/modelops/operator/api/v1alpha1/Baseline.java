package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

@ValidationRule(
    value = "has(self.histograms) != has(self.configMapRef)",
    message = "baseline is either inline histograms or a configMapRef, not both and not neither")
public class Baseline {

  @Size(max = 100)
  @JsonPropertyDescription("Per-feature histograms, inline: {age: {edges: [...], counts: [...]}}.")
  public Map<String, HistogramSpec> histograms;

  @JsonPropertyDescription(
      "A ConfigMap key holding the same JSON: {\"age\": {\"edges\": [...], \"counts\": [...]}}.")
  public ConfigMapKeyReference configMapRef;
}
