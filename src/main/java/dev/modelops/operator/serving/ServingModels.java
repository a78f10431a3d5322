package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ServingModel;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.CanaryStateMachine;
import dev.modelops.operator.rollout.ServingState;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: which model each track runs and how many pods it gets. Under RollingUpdate the stable track
 * simply follows spec.model. Under Canary it runs status.servingModel, the model that serves, until
 * a canary is promoted: a spec change alone never touches the stable pods, and neither does a
 * history that has grown past its limit. Only a ModelDeployment that has never served takes its
 * first version from spec.model straight away (there is nothing to compare a canary with).
 */
public final class ServingModels {
  public record Model(String version, String uri) {}

  /** What the stable Deployment runs, resolved before any child is applied. */
  public sealed interface Stable permits Known, Recovered, Unknown {}

  /** From spec.model (RollingUpdate, or a first version), the rollout, or status.servingModel. */
  public record Known(Model model) implements Stable {}

  /** status.servingModel was lost; the stable Deployment's pod template says what it runs. */
  public record Recovered(Model model, String from) implements Stable {}

  /** Served before, but neither the status nor the stable Deployment tells what: touch nothing. */
  public record Unknown(String message) implements Stable {}

  private ServingModels() {}

  public static boolean isCanary(ModelDeployment md) {
    return CanaryRollout.isCanary(md);
  }

  /**
   * @param stableDeployment the stable Deployment this ModelDeployment owns, as the cache has it
   */
  public static Stable resolve(ModelDeployment md, Optional<Deployment> stableDeployment) {
    Model wanted = new Model(md.getSpec().model.version, md.getSpec().model.uri);
    if (!isCanary(md)) {
      return new Known(wanted);
    }
    ModelDeploymentStatus status = md.getStatus();
    if (status != null
        && status.rollout != null
        && status.rollout.stableVersion != null
        && status.rollout.stableUri != null) {
      return new Known(new Model(status.rollout.stableVersion, status.rollout.stableUri));
    }
    Optional<ServingModel> served = ServingState.served(status);
    if (served.isPresent()) {
      return new Known(new Model(served.get().version, served.get().uri));
    }
    boolean statusLost = status == null || status.history == null || status.history.isEmpty();
    boolean servedBefore = ServingState.servedBefore(status);
    if (!servedBefore && !(statusLost && stableDeployment.isPresent())) {
      // Nothing served yet: the first version goes straight to the stable pods.
      return new Known(wanted);
    }
    String name = ServingNames.deploymentName(md);
    if (stableDeployment.isPresent()) {
      Optional<Model> running = templateModel(stableDeployment.get());
      if (running.isPresent() && !servedBefore && running.get().equals(wanted)) {
        // The status is empty and the pods run spec.model: a first version (or a status not seen
        // yet); rendering spec.model changes nothing.
        return new Known(wanted);
      }
      if (running.isPresent()) {
        return new Recovered(
            running.get(),
            "the pod template of Deployment "
                + name
                + " ("
                + Keys.VERSION_ANNOTATION
                + ", "
                + Keys.URI_ANNOTATION
                + ")");
      }
      return new Unknown(
          "the model the stable pods serve is not known: status.servingModel is missing and the"
              + " pod template of Deployment "
              + name
              + " has no "
              + Keys.VERSION_ANNOTATION
              + "/"
              + Keys.URI_ANNOTATION
              + " annotations; nothing is changed until it is known. Restore the annotations, or"
              + " start over with spec.model as a first version: delete Deployment "
              + name
              + " and clear the status ("
              + clearStatus(md)
              + ")");
    }
    return new Unknown(
        "the model the stable pods serve is not known: the status says version "
            + (status.servingVersion != null ? status.servingVersion : "(unrecorded)")
            + " served, but status.servingModel and Deployment "
            + name
            + " are gone; spec.model is not rolled out without its canary. To start over with"
            + " spec.model as a first version, clear the status: "
            + clearStatus(md));
  }

  private static String clearStatus(ModelDeployment md) {
    return "kubectl patch mdep "
        + md.getMetadata().getName()
        + " -n "
        + md.getMetadata().getNamespace()
        + " --subresource=status --type=merge -p '{\"status\":null}'";
  }

  /** The model a serving Deployment's pod template names, if it names one. */
  static Optional<Model> templateModel(Deployment deployment) {
    Map<String, String> template =
        deployment.getSpec() == null
                || deployment.getSpec().getTemplate() == null
                || deployment.getSpec().getTemplate().getMetadata() == null
            ? null
            : deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    String version = template == null ? null : template.get(Keys.VERSION_ANNOTATION);
    String uri = template == null ? null : template.get(Keys.URI_ANNOTATION);
    return version == null || version.isBlank() || uri == null || uri.isBlank()
        ? Optional.empty()
        : Optional.of(new Model(version, uri));
  }

  /**
   * The model of the stable Deployment. The reconciler resolves it first and applies no child while
   * it is {@link Unknown} or being {@link Recovered}, so this never guesses.
   *
   * @throws IllegalStateException when the model is not known
   */
  public static Model stable(ModelDeployment md) {
    Stable stable = resolve(md, Optional.empty());
    if (stable instanceof Known known) {
      return known.model();
    }
    throw new IllegalStateException(
        "the stable model of " + md.getMetadata().getName() + " is not known: " + stable);
  }

  public static Model canary(ModelDeployment md) {
    var rollout = md.getStatus().rollout;
    return new Model(rollout.canaryVersion, rollout.canaryUri);
  }

  public static boolean canaryRunning(ModelDeployment md) {
    return isCanary(md) && md.getStatus() != null && md.getStatus().rollout != null;
  }

  public static int stableReplicas(ModelDeployment md) {
    int total = ServingReplicas.desired(md.getSpec());
    if (!canaryRunning(md)) {
      return total;
    }
    boolean surge = md.getSpec().rollout.surgeOrDefault();
    return CanaryStateMachine.stableReplicas(total, weight(md), surge);
  }

  public static int canaryReplicas(ModelDeployment md) {
    return canaryRunning(md)
        ? CanaryStateMachine.canaryReplicas(ServingReplicas.desired(md.getSpec()), weight(md))
        : 0;
  }

  private static int weight(ModelDeployment md) {
    Integer weight = md.getStatus().rollout.weight;
    return weight == null ? 0 : weight;
  }
}
