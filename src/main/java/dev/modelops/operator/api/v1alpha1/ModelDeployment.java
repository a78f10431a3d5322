package dev.modelops.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A model served by a Deployment and a Service, rolled out version by version. */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@ShortNames("mdep")
@Categories("modelops")
// Children (Deployment, Service, HPA) take this name, and a Service name must be a DNS label.
@ValidationRule(
    value =
        "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$') && size(self.metadata.name) <= 63",
    message =
        "metadata.name must be a DNS label (lowercase letters, digits and '-', starting with a letter,"
            + " at most 63 characters): it names the model's Service")
@AdditionalPrinterColumn(
    name = "Model",
    jsonPath = ".spec.model.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Version",
    jsonPath = ".spec.model.version",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Serving",
    jsonPath = ".status.servingVersion",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Resolved",
    jsonPath = ".status.registry.version",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.ready",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Canary",
    jsonPath = ".status.rollout.weight",
    type = AdditionalPrinterColumn.Type.INTEGER)
// The generator orders columns by JSONPath; the bracket form puts Phase after Ready and Canary.
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status['phase']",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "URL",
    jsonPath = ".status.url",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ModelDeployment extends CustomResource<ModelDeploymentSpec, ModelDeploymentStatus>
    implements Namespaced {
  /**
   * The canary's version (or `true`, set after the rollout started) skips the remaining canary
   * steps and promotes; the operator removes it when done. See rollout.CanaryRequests.
   */
  public static final String PROMOTE_ANNOTATION = Keys.PROMOTE_ANNOTATION;

  /** The canary's version (or `true`, set after it started) rolls the canary back now. */
  public static final String ABORT_ANNOTATION = Keys.ABORT_ANNOTATION;

  public static final String GROUP = Keys.GROUP;
  public static final String VERSION = "v1alpha1";
}
