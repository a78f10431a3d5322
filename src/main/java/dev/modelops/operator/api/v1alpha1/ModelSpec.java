package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = ModelRules.VERSION_REQUIRED_RULE,
    message = ModelRules.VERSION_REQUIRED_MESSAGE)
@ValidationRule(
    value = ModelRules.REGISTRY_VERSION_RULE,
    message = ModelRules.REGISTRY_VERSION_MESSAGE)
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

  @Size(min = 1, max = ModelRules.VERSION_MAX)
  @ValidationRule(value = ModelRules.VERSION_RULE, message = ModelRules.VERSION_MESSAGE)
  @JsonPropertyDescription(
      "Version of the model. Changing it (with uri) rolls the serving pods to the new model."
          + " Required, except with a registry reference: for models:/NAME/VERSION it may be left"
          + " out or must be VERSION, for models:/NAME@ALIAS it must be left out (the version the"
          + " alias names is resolved, shown in status.registry.version and rolled out).")
  public String version;

  @Required
  @Size(min = 1, max = ModelRules.URI_MAX)
  @ValidationRule(value = ModelRules.URI_RULE, message = ModelRules.URI_MESSAGE)
  @ValidationRule(value = ModelRules.REGISTRY_URI_RULE, message = ModelRules.REGISTRY_URI_MESSAGE)
  @ValidationRule(
      value = ModelRules.RESERVED_ALIAS_RULE,
      message = ModelRules.RESERVED_ALIAS_MESSAGE)
  @ValidationRule(value = ModelRules.PVC_RULE, message = ModelRules.PVC_MESSAGE)
  @ValidationRule(value = ModelRules.DOT_DOT_RULE, message = ModelRules.DOT_DOT_MESSAGE)
  @JsonPropertyDescription(
      "Where the model lives. s3://, gs://, https:// and oci:// are downloaded into the pod"
          + " by the model puller init container; pvc://CLAIM/PATH mounts that PersistentVolumeClaim read-only"
          + " at /mnt/models instead (CLAIM is a DNS-1123 subdomain). At most 2048 characters, no '..'"
          + " path segment. Or a model registry reference (MLflow): models:/NAME/VERSION or"
          + " models:/NAME@ALIAS, resolved through the registry named by `registry` to an immutable"
          + " version and its storage location (s3://, gs:// or https://), which is what the pods"
          + " pull; an alias is looked up again every registry.resolveInterval and a move rolls"
          + " out. A retrained model's URI is checked by the same rules before it is promoted.")
  public String uri;

  @Size(max = 63)
  @JsonPropertyDescription(
      "Format of the model files (for example sklearn, onnx, pytorch, tensorflow, xgboost);"
          + " passed to the server as MODEL_FORMAT.")
  public String format;

  @JsonPropertyDescription(
      "For a registry reference (models:/...): which declared registry to ask, credentials and"
          + " how often an alias is looked up. Ignored for storage URIs.")
  public ModelRegistrySpec registry;

  /** The registry reference uri makes, if it is one. */
  public java.util.Optional<RegistryReference> registryReference() {
    return RegistryReference.parse(uri);
  }
}
