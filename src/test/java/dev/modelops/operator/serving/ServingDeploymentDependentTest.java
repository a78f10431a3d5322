package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.AutoscalingSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.api.v1alpha1.SchedulingSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingDeploymentDependentTest {
  static final String PULLER = "example.test/puller:1";

  @Test
  void namesLabelsAndSelectsTheStableTrackOfTheModel() {
    Deployment d = ServingDeploymentDependent.build(ModelDeployments.churn("1.0.0"), PULLER);
    assertEquals("churn", d.getMetadata().getName());
    assertEquals("ml", d.getMetadata().getNamespace());
    assertEquals(
        "modelops-operator", d.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    assertEquals(
        Map.of("modelops.dev/deployment", "churn", "modelops.dev/track", "stable"),
        d.getSpec().getSelector().getMatchLabels());
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(
        podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
        "pod labels must match the selector");
    assertEquals("churn-model", podLabels.get("app.kubernetes.io/name"));
  }

  @Test
  void neverTakesAServingPodAwayDuringARollout() {
    Deployment d = ServingDeploymentDependent.build(ModelDeployments.churn("1.0.0"), PULLER);
    assertEquals("RollingUpdate", d.getSpec().getStrategy().getType());
    assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
    assertEquals(600, d.getSpec().getProgressDeadlineSeconds());
  }

  @Test
  void aVersionChangeChangesThePodTemplate() {
    Deployment v1 = ServingDeploymentDependent.build(ModelDeployments.churn("1.0.0"), PULLER);
    Deployment v2 = ServingDeploymentDependent.build(ModelDeployments.churn("2.0.0"), PULLER);
    assertEquals(
        "1.0.0",
        v1.getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get("modelops.dev/model-version"));
    assertEquals(
        "2.0.0",
        v2.getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get("modelops.dev/model-version"));
    assertFalse(v1.getSpec().getTemplate().equals(v2.getSpec().getTemplate()));
    assertEquals(
        v1.getSpec().getSelector(),
        v2.getSpec().getSelector(),
        "the selector is immutable, it must not move");
  }

  @Test
  void aRemoteModelIsPulledIntoASharedVolumeBeforeTheServerStarts() {
    PodSpec pod =
        ServingDeploymentDependent.build(ModelDeployments.churn("1.0.0"), PULLER)
            .getSpec()
            .getTemplate()
            .getSpec();
    Container puller = pod.getInitContainers().get(0);
    assertEquals(PULLER, puller.getImage());
    assertEquals(List.of("s3://models/churn/1.0.0", "/mnt/models"), puller.getArgs());
    assertNotNullEmptyDir(pod, "model-store");
    Container server = pod.getContainers().get(0);
    assertTrue(
        server.getVolumeMounts().stream()
            .anyMatch(m -> m.getMountPath().equals("/mnt/models") && m.getReadOnly()));
  }

  @Test
  void aVolumeClaimIsMountedReadOnlyWithoutAPuller() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getSpec().model.uri = "pvc://model-store/churn/1.0.0/";
    PodSpec pod = ServingDeploymentDependent.build(md, PULLER).getSpec().getTemplate().getSpec();
    assertTrue(pod.getInitContainers().isEmpty());
    var volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("model-store"))
            .findFirst()
            .orElseThrow();
    assertEquals("model-store", volume.getPersistentVolumeClaim().getClaimName());
    assertTrue(volume.getPersistentVolumeClaim().getReadOnly());
    var mount =
        pod.getContainers().get(0).getVolumeMounts().stream()
            .filter(m -> m.getName().equals("model-store"))
            .findFirst()
            .orElseThrow();
    assertEquals("churn/1.0.0", mount.getSubPath());
  }

  @Test
  void everyContainerMeetsTheRestrictedPodSecurityProfile() {
    PodSpec pod =
        ServingDeploymentDependent.build(ModelDeployments.churn("1.0.0"), PULLER)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertFalse(pod.getAutomountServiceAccountToken());
    for (Container c : concat(pod.getInitContainers(), pod.getContainers())) {
      SecurityContext sc = c.getSecurityContext();
      assertFalse(sc.getAllowPrivilegeEscalation(), c.getName());
      assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), c.getName());
      assertTrue(sc.getReadOnlyRootFilesystem(), c.getName());
    }
  }

  @Test
  void theReadinessProbeFollowsTheProtocol() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    assertEquals("/v2/health/ready", readinessPath(md));
    md.getSpec().runtime.protocol = RuntimeSpec.Protocol.v1;
    assertEquals("/v1/models/churn-model", readinessPath(md));
  }

  @Test
  void serverGetsTheModelEnvironmentAndUserEnvCannotShadowIt() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getSpec().runtime.env =
        List.of(new EnvVar("MODEL_VERSION", "spoofed", null), new EnvVar("WORKERS", "4", null));
    List<EnvVar> env =
        ServingDeploymentDependent.build(md, PULLER)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getEnv();
    assertEquals("1.0.0", value(env, "MODEL_VERSION"));
    assertEquals("churn-model", value(env, "MODEL_NAME"));
    assertEquals("/mnt/models", value(env, "MODEL_DIR"));
    assertEquals("sklearn", value(env, "MODEL_FORMAT"));
    assertEquals("4", value(env, "WORKERS"));
    assertEquals(1, env.stream().filter(e -> e.getName().equals("MODEL_VERSION")).count());
  }

  @Test
  void portResourcesAndSchedulingReachThePod() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getSpec().runtime.port = 9000;
    md.getSpec().runtime.resources =
        new ResourceRequirementsBuilder()
            .withLimits(Map.of("nvidia.com/gpu", new Quantity("1")))
            .build();
    md.getSpec().scheduling = new SchedulingSpec();
    md.getSpec().scheduling.nodeSelector = Map.of("accelerator", "l4");
    md.getSpec().scheduling.tolerations =
        List.of(new TolerationBuilder().withKey("gpu").withOperator("Exists").build());
    md.getSpec().serviceAccountName = "model-reader";
    PodSpec pod = ServingDeploymentDependent.build(md, PULLER).getSpec().getTemplate().getSpec();
    Container server = pod.getContainers().get(0);
    assertEquals(9000, server.getPorts().get(0).getContainerPort());
    assertEquals(new Quantity("1"), server.getResources().getLimits().get("nvidia.com/gpu"));
    assertEquals(Map.of("accelerator", "l4"), pod.getNodeSelector());
    assertEquals("gpu", pod.getTolerations().get(0).getKey());
    assertEquals("model-reader", pod.getServiceAccountName());
  }

  @Test
  void replicasComeFromTheSpecOrTheAutoscalerMinimum() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    assertEquals(2, ServingDeploymentDependent.build(md, PULLER).getSpec().getReplicas());
    md.getSpec().replicas = null;
    assertEquals(1, ServingDeploymentDependent.build(md, PULLER).getSpec().getReplicas());
    md.getSpec().autoscaling = new AutoscalingSpec();
    md.getSpec().autoscaling.minReplicas = 3;
    md.getSpec().autoscaling.maxReplicas = 5;
    assertEquals(3, ServingDeploymentDependent.build(md, PULLER).getSpec().getReplicas());
    md.getSpec().replicas = 0;
    assertEquals(0, ServingDeploymentDependent.build(md, PULLER).getSpec().getReplicas());
  }

  @Test
  void progressDeadlineComesFromTheRolloutBlock() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    md.getSpec().rollout = new RolloutSpec();
    md.getSpec().rollout.progressDeadlineSeconds = 30;
    assertEquals(
        30, ServingDeploymentDependent.build(md, PULLER).getSpec().getProgressDeadlineSeconds());
    assertNull(ServingDeploymentDependent.build(md, PULLER).getSpec().getPaused());
  }

  private static String readinessPath(ModelDeployment md) {
    return ServingDeploymentDependent.build(md, PULLER)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getReadinessProbe()
        .getHttpGet()
        .getPath();
  }

  private static String value(List<EnvVar> env, String name) {
    return env.stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  private static void assertNotNullEmptyDir(PodSpec pod, String volume) {
    assertTrue(
        pod.getVolumes().stream()
            .anyMatch(v -> v.getName().equals(volume) && v.getEmptyDir() != null));
  }

  private static List<Container> concat(List<Container> a, List<Container> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
