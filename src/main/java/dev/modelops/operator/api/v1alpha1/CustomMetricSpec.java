package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class CustomMetricSpec {

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Name of the pods metric, e.g. inference_requests_per_second.")
  public String name;

  @Required
  @Pattern("^[0-9]+(\\.[0-9]+)?(m|k|M|G)?$")
  @JsonPropertyDescription(
      "Target average value per pod, as a Kubernetes quantity, e.g. 50 or 500m.")
  public String targetAverageValue;
}
