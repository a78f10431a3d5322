package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import jakarta.inject.Inject;

/**
 * The canary Deployment: the version under test, on its own track, only while a canary rollout
 * runs.
 */
public class CanaryDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {
  public static final String CANARY_TRACK = "canary";

  @Inject OperatorSettings settings;

  public CanaryDeploymentDependent() {
    super(Deployment.class);
  }

  public static String name(ModelDeployment md) {
    return md.getMetadata().getName() + ServingNames.CANARY_SUFFIX;
  }

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    return build(
        ServingDeploymentDependent.servingView(md, context),
        ServingDeploymentDependent.puller(settings, context));
  }

  public static Deployment build(ModelDeployment md, String pullerImage) {
    return build(md, new ServingDeploymentDependent.Puller(pullerImage, java.util.List.of()));
  }

  public static Deployment build(ModelDeployment md, ServingDeploymentDependent.Puller puller) {
    return ServingDeploymentDependent.build(
        md,
        name(md),
        CANARY_TRACK,
        ServingModels.canary(md),
        ServingModels.canaryReplicas(md),
        puller);
  }

  /** Found by name, so it can be deleted once the rollout (and its status) is gone. */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment md, Context<ModelDeployment> context) {
    return new ResourceID(name(md), md.getMetadata().getNamespace());
  }

  /** The canary exists exactly while status.rollout does. */
  public static class RolloutRunning implements Condition<Deployment, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<Deployment, ModelDeployment> dependent,
        ModelDeployment md,
        Context<ModelDeployment> context) {
      return ServingModels.canaryRunning(md);
    }
  }
}
