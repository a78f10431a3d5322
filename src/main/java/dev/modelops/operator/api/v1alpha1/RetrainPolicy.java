package dev.modelops.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Watches a ModelDeployment for drift, retrains its model with a Job, promotes the result. */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@ShortNames("rtp")
@Categories("modelops")
// The name is the value of the modelops.dev/retrain-policy label on its Jobs and their pods.
@ValidationRule(
    value = "size(self.metadata.name) <= 63",
    message =
        "metadata.name must be at most 63 characters: it labels the policy's retraining Jobs and"
            + " their pods (modelops.dev/retrain-policy), and a label value is at most 63 characters")
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".spec.modelDeploymentRef.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Score",
    jsonPath = ".status.score",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Threshold",
    jsonPath = ".spec.drift.threshold",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Last Retrain",
    jsonPath = ".status.lastRetrainTime",
    type = AdditionalPrinterColumn.Type.DATE)
// A string, not a date: kubectl shows a date in the future as <invalid>.
@AdditionalPrinterColumn(
    name = "Next Eligible",
    jsonPath = ".status.nextEligibleTime",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Job",
    jsonPath = ".status.activeJob",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class RetrainPolicy extends CustomResource<RetrainPolicySpec, RetrainPolicyStatus>
    implements Namespaced {
  /** Annotate with any value to retrain now; the operator removes it once the Job exists. */
  public static final String RETRAIN_NOW_ANNOTATION = Keys.RETRAIN_NOW_ANNOTATION;

  /** Annotate with the candidate's version to promote it under `promotion: Manual`. */
  public static final String APPROVE_ANNOTATION = Keys.APPROVE_ANNOTATION;
}
