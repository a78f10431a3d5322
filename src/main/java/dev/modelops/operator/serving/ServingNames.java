package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one place that names the serving children of a ModelDeployment and labels them. */
public final class ServingNames {
  public static final String MANAGED_BY = "modelops-operator";
  public static final String MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=" + MANAGED_BY;
  public static final String DEPLOYMENT_LABEL = "modelops.dev/deployment";
  public static final String TRACK_LABEL = "modelops.dev/track";
  public static final String VERSION_LABEL = "modelops.dev/model-version";
  public static final String VERSION_ANNOTATION = "modelops.dev/model-version";
  public static final String URI_ANNOTATION = "modelops.dev/model-uri";
  public static final String STABLE_TRACK = "stable";
  public static final String HTTP_PORT_NAME = "http";
  public static final String CLUSTER_DOMAIN = "cluster.local";

  private ServingNames() {}

  public static String deploymentName(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  public static String serviceName(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  public static String autoscalerName(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  public static String url(ModelDeployment md) {
    return "http://"
        + serviceName(md)
        + "."
        + md.getMetadata().getNamespace()
        + ".svc."
        + CLUSTER_DOMAIN;
  }

  /** Labels on every child object; the informers of the children select on managed-by. */
  public static Map<String, String> commonLabels(ModelDeployment md) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", md.getSpec().model.name);
    labels.put("app.kubernetes.io/instance", md.getMetadata().getName());
    labels.put("app.kubernetes.io/component", "model-server");
    labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
    labels.put(DEPLOYMENT_LABEL, md.getMetadata().getName());
    return labels;
  }

  /**
   * Selects every serving pod of the model, whatever its track: the Service and the scale selector
   * use it.
   */
  public static Map<String, String> servingSelector(ModelDeployment md) {
    return Map.of(DEPLOYMENT_LABEL, md.getMetadata().getName());
  }

  public static String servingSelectorString(ModelDeployment md) {
    return DEPLOYMENT_LABEL + "=" + md.getMetadata().getName();
  }

  /**
   * Selects the pods of one track; immutable once a Deployment exists, so it never holds the
   * version.
   */
  public static Map<String, String> trackSelector(ModelDeployment md, String track) {
    Map<String, String> selector = new LinkedHashMap<>(servingSelector(md));
    selector.put(TRACK_LABEL, track);
    return selector;
  }
}
