package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelops.operator.api.v1alpha1.AutoscalingSpec;
import dev.modelops.operator.api.v1alpha1.CustomMetricSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingServiceAndAutoscalerTest {

  @Test
  void theServiceSpansEveryTrackOfTheModel() {
    Service s = ServingServiceDependent.build(ModelDeployments.churn("1.0.0"));
    assertEquals("churn", s.getMetadata().getName());
    assertEquals(Map.of("modelops.dev/deployment", "churn"), s.getSpec().getSelector());
    assertEquals(80, s.getSpec().getPorts().get(0).getPort());
    assertEquals("http", s.getSpec().getPorts().get(0).getTargetPort().getStrVal());
  }

  @Test
  void theAutoscalerScalesTheModelDeploymentOnCpu() {
    ModelDeployment md = withAutoscaling(2, 6);
    md.getSpec().autoscaling.targetCPUUtilizationPercentage = 70;
    HorizontalPodAutoscaler hpa = AutoscalerDependent.build(md);
    assertEquals("ModelDeployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals("modelops.dev/v1alpha1", hpa.getSpec().getScaleTargetRef().getApiVersion());
    assertEquals("churn", hpa.getSpec().getScaleTargetRef().getName());
    assertEquals(2, hpa.getSpec().getMinReplicas());
    assertEquals(6, hpa.getSpec().getMaxReplicas());
    assertEquals(1, hpa.getSpec().getMetrics().size());
    assertEquals(
        70, hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization());
  }

  @Test
  void aCustomMetricBecomesAPodsMetric() {
    ModelDeployment md = withAutoscaling(1, 3);
    md.getSpec().autoscaling.metric = new CustomMetricSpec();
    md.getSpec().autoscaling.metric.name = "inference_requests_per_second";
    md.getSpec().autoscaling.metric.targetAverageValue = "50";
    var metric = AutoscalerDependent.build(md).getSpec().getMetrics().get(0);
    assertEquals("Pods", metric.getType());
    assertEquals("inference_requests_per_second", metric.getPods().getMetric().getName());
    assertEquals(new Quantity("50"), metric.getPods().getTarget().getAverageValue());
    assertNull(metric.getResource());
  }

  @Test
  void theAutoscalerExistsOnlyWhileRequested() {
    var condition = new AutoscalerDependent.AutoscalingRequested();
    assertEquals(false, condition.isMet(null, ModelDeployments.churn("1"), null));
    assertEquals(true, condition.isMet(null, withAutoscaling(1, 2), null));
  }

  private static ModelDeployment withAutoscaling(int min, int max) {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getSpec().autoscaling = new AutoscalingSpec();
    md.getSpec().autoscaling.minReplicas = min;
    md.getSpec().autoscaling.maxReplicas = max;
    return md;
  }
}
