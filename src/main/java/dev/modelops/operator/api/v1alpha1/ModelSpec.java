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
  @Size(min = 1, max = ModelRules.VERSION_MAX)
  @ValidationRule(value = ModelRules.VERSION_RULE, message = ModelRules.VERSION_MESSAGE)
  @JsonPropertyDescription(
      "Version of the model. Changing it (with uri) rolls the serving pods to the new model.")
  public String version;

  @Required
  @Size(min = 1, max = ModelRules.URI_MAX)
  @ValidationRule(value = ModelRules.URI_RULE, message = ModelRules.URI_MESSAGE)
  @ValidationRule(value = ModelRules.PVC_RULE, message = ModelRules.PVC_MESSAGE)
  @ValidationRule(value = ModelRules.DOT_DOT_RULE, message = ModelRules.DOT_DOT_MESSAGE)
  @JsonPropertyDescription(
      "Where the model lives. s3://, gs://, https:// and oci:// are downloaded into the pod"
          + " by the model puller init container; pvc://CLAIM/PATH mounts that PersistentVolumeClaim read-only"
          + " at /mnt/models instead (CLAIM is a DNS-1123 subdomain). At most 2048 characters, no '..'"
          + " path segment. A retrained model's URI is checked by the same rules before it is promoted.")
  public String uri;

  @Size(max = 63)
  @JsonPropertyDescription(
      "Format of the model files (for example sklearn, onnx, pytorch, tensorflow, xgboost);"
          + " passed to the server as MODEL_FORMAT.")
  public String format;
}
