package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

public class ModelSpec {

  @Required
  @Size(min = 1, max = 63)
  @ValidationRule(
      value = "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
      message =
          "model.name must be a DNS label: lowercase letters, digits and '-', starting and ending"
              + " with a letter or digit, at most 63 characters")
  @JsonPropertyDescription(
      "Name of the model, a DNS label (it becomes the `app.kubernetes.io/name` label).")
  public String name;

  @Required
  @Size(min = 1, max = 63)
  @ValidationRule(
      value = "self.matches('^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$')",
      message =
          "model.version must be usable as a label value: letters, digits, '-', '_' and '.',"
              + " starting and ending with a letter or digit, at most 63 characters (e.g. 1.4.0 or 2026-11-27)")
  @JsonPropertyDescription(
      "Version of the model. Changing it (with uri) rolls the serving pods to the new model.")
  public String version;

  @Required
  @Size(min = 1, max = 2048)
  @ValidationRule(
      value = "self.matches('^(s3|gs|https|pvc|oci)://[^/].*$')",
      message =
          "model.uri must start with s3://, gs://, https://, pvc:// or oci:// followed by a location,"
              + " e.g. s3://models/churn/1.4.0 or pvc://model-store/churn/1.4.0")
  @JsonPropertyDescription(
      "Where the model lives. s3://, gs://, https:// and oci:// are downloaded into the pod"
          + " by the model puller init container; pvc://CLAIM/PATH mounts that PersistentVolumeClaim read-only"
          + " at /mnt/models instead.")
  public String uri;

  @Size(max = 63)
  @JsonPropertyDescription(
      "Format of the model files (for example sklearn, onnx, pytorch, tensorflow, xgboost);"
          + " passed to the server as MODEL_FORMAT.")
  public String format;
}
