package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

public class SchedulingSpec {

  @JsonPropertyDescription("Node labels the serving pods require, e.g. {accelerator: nvidia-l4}.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the serving pods, e.g. for tainted GPU nodes.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("Node and pod affinity of the serving pods.")
  public Affinity affinity;
}
