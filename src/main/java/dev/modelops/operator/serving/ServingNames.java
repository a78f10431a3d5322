package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.rollout.CanaryRollout;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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

  /** The canary Deployment of NAME is NAME-canary. */
  public static final String CANARY_SUFFIX = "-canary";

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

  /**
   * A serving Deployment name this ModelDeployment needs that another object holds: its stable
   * Deployment ({@code NAME}) and, under the Canary strategy, its canary ({@code NAME-canary}). The
   * canary of {@code X} and the stable Deployment of a ModelDeployment named {@code X-canary} share
   * a name; whichever exists first keeps it, and the other ModelDeployment touches nothing.
   *
   * @param byName a Deployment by name in the ModelDeployment's namespace, whoever owns it
   * @return the problem, for the NameConflict condition
   */
  public static Optional<String> conflict(
      ModelDeployment md, Function<String, Optional<Deployment>> byName) {
    String name = md.getMetadata().getName();
    Optional<String> stable =
        byName
            .apply(deploymentName(md))
            .flatMap(d -> foreignController(md, d))
            .map(
                owner ->
                    "Deployment "
                        + deploymentName(md)
                        + ", the stable Deployment of ModelDeployment "
                        + name
                        + ", belongs to "
                        + owner
                        + "; nothing is changed until one of them is renamed");
    if (stable.isPresent() || !CanaryRollout.isCanary(md)) {
      return stable;
    }
    String canary = name + CANARY_SUFFIX;
    return byName
        .apply(canary)
        .flatMap(d -> foreignController(md, d))
        .map(
            owner ->
                "Deployment "
                    + canary
                    + ", which the canary of ModelDeployment "
                    + name
                    + " needs, belongs to "
                    + owner
                    + "; no canary runs and nothing is changed until one of them is renamed");
  }

  /**
   * The Deployment's owner when it is not this ModelDeployment: another ModelDeployment (the
   * operator's dependents set a plain owner reference, not a controller one), or any controller.
   * Owners are compared by name, so a ModelDeployment deleted and created again is still the owner.
   */
  private static Optional<String> foreignController(ModelDeployment md, Deployment deployment) {
    List<OwnerReference> owners = deployment.getMetadata().getOwnerReferences();
    return owners == null
        ? Optional.empty()
        : owners.stream()
            .filter(o -> isModelDeployment(o) || Boolean.TRUE.equals(o.getController()))
            .filter(o -> !(isModelDeployment(o) && md.getMetadata().getName().equals(o.getName())))
            .map(o -> o.getKind() + " " + o.getName())
            .findFirst();
  }

  private static boolean isModelDeployment(OwnerReference owner) {
    return "ModelDeployment".equals(owner.getKind())
        && owner.getApiVersion() != null
        && owner.getApiVersion().startsWith(Keys.GROUP + "/");
  }
}
