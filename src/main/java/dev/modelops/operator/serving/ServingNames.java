package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one place that names the serving children of a ModelDeployment and labels them. */
public final class ServingNames {
  public static final String MANAGED_BY = Keys.MANAGED_BY;
  public static final String MANAGED_BY_SELECTOR = Keys.MANAGED_BY_SELECTOR;
  public static final String DEPLOYMENT_LABEL = Keys.DEPLOYMENT_LABEL;
  public static final String TRACK_LABEL = Keys.TRACK_LABEL;
  public static final String VERSION_LABEL = Keys.VERSION_LABEL;
  public static final String VERSION_ANNOTATION = Keys.VERSION_ANNOTATION;
  public static final String URI_ANNOTATION = Keys.URI_ANNOTATION;
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
    labels.put(Keys.NAME_LABEL, md.getSpec().model.name);
    labels.put(Keys.INSTANCE_LABEL, md.getMetadata().getName());
    labels.put(Keys.COMPONENT_LABEL, "model-server");
    labels.put(Keys.MANAGED_BY_LABEL, Keys.MANAGED_BY);
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
