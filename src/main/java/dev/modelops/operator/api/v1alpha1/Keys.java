package dev.modelops.operator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * Every label and annotation key the operator reads or writes, and the managed-by value. On the
 * lowest layer so that pure decisions (canary, retrain) and the cluster code name them the same
 * way.
 */
public final class Keys {
  public static final String GROUP = "modelops.dev";

  /** app.kubernetes.io/managed-by on every object the operator creates. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY = "modelops-operator";
  public static final String MANAGED_BY_SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";

  // Serving pods and their children.
  /** The ModelDeployment a serving object belongs to; the Service selects on it. */
  public static final String DEPLOYMENT_LABEL = GROUP + "/deployment";

  /** stable or canary. */
  public static final String TRACK_LABEL = GROUP + "/track";

  public static final String VERSION_LABEL = GROUP + "/model-version";

  /** On the pod template: the model version and URI the pods run. */
  public static final String VERSION_ANNOTATION = GROUP + "/model-version";

  public static final String URI_ANNOTATION = GROUP + "/model-uri";

  /** On a ModelDeployment: JSON lineage of the version a RetrainPolicy promoted. */
  public static final String PROMOTED_BY_ANNOTATION = GROUP + "/promoted-by";

  // Requests a person makes by annotation; the operator removes them once handled.
  /**
   * On a ModelDeployment: skip the remaining canary steps. The value names the canary's version (or
   * is `true`, which acts only on a rollout that started before it was set).
   */
  public static final String PROMOTE_ANNOTATION = GROUP + "/promote";

  /** On a ModelDeployment: roll the canary back now (the value as for promote). */
  public static final String ABORT_ANNOTATION = GROUP + "/abort";

  /** On a RetrainPolicy: retrain now (any value; each new value is one request). */
  public static final String RETRAIN_NOW_ANNOTATION = GROUP + "/retrain-now";

  /** On a RetrainPolicy: promote the candidate of this version (promotion: Manual). */
  public static final String APPROVE_ANNOTATION = GROUP + "/approve";

  // Retraining Jobs and their pods.
  public static final String POLICY_LABEL = GROUP + "/retrain-policy";
  public static final String TRIGGER_LABEL = GROUP + "/trigger";
  public static final String SEQUENCE_ANNOTATION = GROUP + "/retrain-sequence";
  public static final String SCORE_ANNOTATION = GROUP + "/drift-score";
  public static final String TRIGGER_ID_ANNOTATION = GROUP + "/trigger-id";

  // Opt-in labels: what a namespace's owner allows the operator to use on a tenant's behalf.
  /**
   * On a Secret: the one use it may be put to (prometheus, registry, workload). A Secret without
   * it, or a service-account token, is never used.
   */
  public static final String CREDENTIAL_LABEL = GROUP + "/credential";

  /** Credentials a metric query sends (prometheus.authSecretRef, caSecretRef). */
  public static final String CREDENTIAL_PROMETHEUS = "prometheus";

  /** Credentials sent to a model registry. */
  public static final String CREDENTIAL_REGISTRY = "registry";

  /** A Secret that pods the operator creates (trainers, serving pods) may mount or read. */
  public static final String CREDENTIAL_WORKLOAD = "workload";

  /** On a ServiceAccount: the pods the operator may run under it (trainer, serving). */
  public static final String IDENTITY_LABEL = GROUP + "/identity";

  public static final String IDENTITY_TRAINER = "trainer";
  public static final String IDENTITY_SERVING = "serving";

  /** The batch Job controller's label naming a pod's Job (both spellings Kubernetes has used). */
  public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

  public static final String LEGACY_JOB_NAME_LABEL = "job-name";

  private Keys() {}

  /** The value of an annotation, or null. */
  public static String annotation(HasMetadata resource, String key) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /** The value of a label, or null. */
  public static String label(HasMetadata resource, String key) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }
}
