package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

public class RuntimeSpec {

  /** The inference protocol the server speaks; it decides the readiness probe path. */
  public enum Protocol {
    v1,
    v2
  }

  @Required
  @Size(min = 1, max = 512)
  @JsonPropertyDescription(
      "Container image of the model server, e.g. ghcr.io/example/sklearn-server:1.2.")
  public String image;

  @JsonPropertyDescription(
      "Arguments passed to the server container. The model files are in /mnt/models"
          + " (also given as MODEL_DIR).")
  public List<String> args;

  @Default("" + Defaults.SERVER_PORT)
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "Port the server listens on for HTTP inference and health requests (1-65535).")
  public Integer port;

  @Default(Defaults.PROTOCOL)
  @JsonPropertyDescription(
      "Inference protocol: v1 (readiness at /v1/models/NAME) or v2, the Open Inference"
          + " Protocol (readiness at /v2/health/ready).")
  public Protocol protocol;

  @ValidationRule(
      value = "self.all(e, has(e.name) && size(e.name) > 0)",
      message = "every runtime.env entry needs a name")
  @JsonPropertyDescription(
      "Extra environment variables for the server container. MODEL_NAME, MODEL_VERSION,"
          + " MODEL_DIR and MODEL_FORMAT are always set by the operator.")
  public List<EnvVar> env;

  @JsonPropertyDescription(
      "CPU, memory and accelerator requests and limits of the server container, e.g."
          + " limits: {nvidia.com/gpu: 1}.")
  public ResourceRequirements resources;

  public int portOrDefault() {
    return port != null ? port : Defaults.SERVER_PORT;
  }

  public Protocol protocolOrDefault() {
    return protocol != null ? protocol : Protocol.valueOf(Defaults.PROTOCOL);
  }
}
