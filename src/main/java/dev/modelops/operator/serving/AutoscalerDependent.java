package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.AutoscalingSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.ArrayList;
import java.util.List;

/**
 * The HorizontalPodAutoscaler of a ModelDeployment. It scales the ModelDeployment itself through
 * its scale subresource (as Argo Rollouts does), so a canary split is computed from one replica
 * count.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ServingNames.MANAGED_BY_SELECTOR))
public class AutoscalerDependent
    extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, ModelDeployment> {

  public AutoscalerDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  protected HorizontalPodAutoscaler desired(ModelDeployment md, Context<ModelDeployment> context) {
    return build(md);
  }

  /**
   * The HPA's name does not depend on spec.autoscaling, so it can be found (and deleted) once that
   * is gone.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(
      ModelDeployment md, Context<ModelDeployment> context) {
    return new ResourceID(ServingNames.autoscalerName(md), md.getMetadata().getNamespace());
  }

  public static HorizontalPodAutoscaler build(ModelDeployment md) {
    AutoscalingSpec autoscaling = md.getSpec().autoscaling;
    List<MetricSpec> metrics = new ArrayList<>();
    if (autoscaling.targetCPUUtilizationPercentage != null) {
      metrics.add(
          new MetricSpecBuilder()
              .withType("Resource")
              .withNewResource()
              .withName("cpu")
              .withNewTarget()
              .withType("Utilization")
              .withAverageUtilization(autoscaling.targetCPUUtilizationPercentage)
              .endTarget()
              .endResource()
              .build());
    }
    if (autoscaling.metric != null) {
      metrics.add(
          new MetricSpecBuilder()
              .withType("Pods")
              .withNewPods()
              .withNewMetric()
              .withName(autoscaling.metric.name)
              .endMetric()
              .withNewTarget()
              .withType("AverageValue")
              .withAverageValue(new Quantity(autoscaling.metric.targetAverageValue))
              .endTarget()
              .endPods()
              .build());
    }
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName(ServingNames.autoscalerName(md))
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(ServingNames.commonLabels(md))
        .endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion(md.getApiVersion())
        .withKind(md.getKind())
        .withName(md.getMetadata().getName())
        .endScaleTargetRef()
        .withMinReplicas(autoscaling.minReplicasOrDefault())
        .withMaxReplicas(autoscaling.maxReplicas)
        .withMetrics(metrics)
        .endSpec()
        .build();
  }

  /**
   * The HPA exists only while spec.autoscaling is set; JOSDK deletes it when this stops holding.
   */
  public static class AutoscalingRequested
      implements Condition<HorizontalPodAutoscaler, ModelDeployment> {
    @Override
    public boolean isMet(
        DependentResource<HorizontalPodAutoscaler, ModelDeployment> dependent,
        ModelDeployment md,
        Context<ModelDeployment> context) {
      return md.getSpec().autoscaling != null;
    }
  }
}
