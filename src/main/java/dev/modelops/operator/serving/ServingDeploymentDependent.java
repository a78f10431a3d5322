package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Deployment that runs the model server: model puller init container, then the server. */
@KubernetesDependent(informer = @Informer(labelSelector = ServingNames.MANAGED_BY_SELECTOR))
public class ServingDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {
  public static final String MODEL_DIR = "/mnt/models";
  static final String MODEL_VOLUME = "model-store";
  static final String TMP_VOLUME = "tmp";
  /** Non-root identity of the serving pods; fsGroup lets the puller write into the shared volume. */
  static final long POD_UID = 1000L;

  @Inject OperatorSettings settings;

  public ServingDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    return build(md, settings.modelPuller().image());
  }

  @Override
  protected io.javaoperatorsdk.operator.processing.event.ResourceID targetSecondaryResourceID(ModelDeployment md,
      Context<ModelDeployment> context) {
    return new io.javaoperatorsdk.operator.processing.event.ResourceID(ServingNames.deploymentName(md),
        md.getMetadata().getNamespace());
  }

  /** Pure: the stable Deployment. Under a canary it keeps the serving version until the canary is promoted. */
  public static Deployment build(ModelDeployment md, String pullerImage) {
    return build(md, ServingNames.deploymentName(md), ServingNames.STABLE_TRACK, ServingModels.stable(md),
        ServingModels.stableReplicas(md), pullerImage);
  }

  /** Pure: a serving Deployment of one track (stable or canary) running one model version. */
  public static Deployment build(ModelDeployment md, String name, String track, ServingModels.Model model, int replicas,
      String pullerImage) {
    ModelDeploymentSpec spec = md.getSpec();
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(ServingNames.commonLabels(md));
    podLabels.put(ServingNames.TRACK_LABEL, track);
    podLabels.put(ServingNames.VERSION_LABEL, model.version());
    int deadline = spec.rollout != null && spec.rollout.progressDeadlineSeconds != null
        ? spec.rollout.progressDeadlineSeconds : 600;

    return new DeploymentBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(md.getMetadata().getNamespace())
          .withLabels(ServingNames.commonLabels(md))
        .endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withProgressDeadlineSeconds(deadline)
          .withRevisionHistoryLimit(3)
          .withNewSelector().withMatchLabels(ServingNames.trackSelector(md, track)).endSelector()
          .withNewStrategy()
            .withType("RollingUpdate")
            // Never take a serving pod away before its replacement is ready.
            .withNewRollingUpdate().withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString("25%")).endRollingUpdate()
          .endStrategy()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(podLabels)
              .withAnnotations(Map.of(ServingNames.VERSION_ANNOTATION, model.version(),
                  ServingNames.URI_ANNOTATION, model.uri()))
            .endMetadata()
            .withSpec(podSpec(md, model, pullerImage))
          .endTemplate()
        .endSpec()
        .build();
  }

  static io.fabric8.kubernetes.api.model.PodSpec podSpec(ModelDeployment md, ServingModels.Model model, String pullerImage) {
    ModelDeploymentSpec spec = md.getSpec();
    ModelLocation location = ModelLocation.parse(model.uri());
    List<Volume> volumes = new ArrayList<>();
    List<Container> initContainers = new ArrayList<>();
    VolumeMountBuilder modelMount = new VolumeMountBuilder().withName(MODEL_VOLUME).withMountPath(MODEL_DIR).withReadOnly(true);
    if (location.isVolumeClaim()) {
      volumes.add(new VolumeBuilder().withName(MODEL_VOLUME)
          .withNewPersistentVolumeClaim(location.claimName(), true).build());
      if (!location.subPath().isEmpty()) {
        modelMount.withSubPath(location.subPath());
      }
    } else {
      volumes.add(new VolumeBuilder().withName(MODEL_VOLUME).withNewEmptyDir().endEmptyDir().build());
      initContainers.add(new ContainerBuilder()
          .withName("model-puller")
          .withImage(pullerImage)
          .withArgs(model.uri(), MODEL_DIR)
          .withVolumeMounts(
              new VolumeMountBuilder().withName(MODEL_VOLUME).withMountPath(MODEL_DIR).build(),
              new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build())
          .withResources(new ResourceRequirementsBuilder()
              .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")))
              .withLimits(Map.of("memory", new Quantity("1Gi")))
              .build())
          .withSecurityContext(restrictedContainer())
          .build());
    }
    volumes.add(new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build());

    RuntimeSpec runtime = spec.runtime;
    int port = runtime.port != null ? runtime.port : 8080;
    Container server = new ContainerBuilder()
        .withName("server")
        .withImage(runtime.image)
        .withArgs(runtime.args)
        .addNewPort().withName(ServingNames.HTTP_PORT_NAME).withContainerPort(port).withProtocol("TCP").endPort()
        .withEnv(serverEnv(md, model))
        .withResources(runtime.resources)
        .withVolumeMounts(modelMount.build(),
            new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build())
        .withReadinessProbe(new ProbeBuilder()
            .withNewHttpGet().withPath(readinessPath(md)).withPort(new IntOrString(ServingNames.HTTP_PORT_NAME)).endHttpGet()
            .withPeriodSeconds(5).withFailureThreshold(3)
            .build())
        .withSecurityContext(restrictedContainer())
        .build();

    PodSpecBuilder pod = new PodSpecBuilder()
        .withServiceAccountName(spec.serviceAccountName)
        // Model servers do not talk to the API server; no token in the pod.
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
          .withRunAsNonRoot(true).withRunAsUser(POD_UID).withRunAsGroup(POD_UID).withFsGroup(POD_UID)
          .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withInitContainers(initContainers)
        .withContainers(server)
        .withVolumes(volumes);
    if (spec.scheduling != null) {
      pod.withNodeSelector(spec.scheduling.nodeSelector)
          .withTolerations(spec.scheduling.tolerations)
          .withAffinity(spec.scheduling.affinity);
    }
    return pod.build();
  }

  static String readinessPath(ModelDeployment md) {
    RuntimeSpec.Protocol protocol = md.getSpec().runtime.protocol;
    return protocol == RuntimeSpec.Protocol.v1 ? "/v1/models/" + md.getSpec().model.name : "/v2/health/ready";
  }

  static List<EnvVar> serverEnv(ModelDeployment md, ServingModels.Model model) {
    ModelDeploymentSpec spec = md.getSpec();
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("MODEL_NAME").withValue(spec.model.name).build());
    env.add(new EnvVarBuilder().withName("MODEL_VERSION").withValue(model.version()).build());
    env.add(new EnvVarBuilder().withName("MODEL_DIR").withValue(MODEL_DIR).build());
    if (spec.model.format != null) {
      env.add(new EnvVarBuilder().withName("MODEL_FORMAT").withValue(spec.model.format).build());
    }
    if (spec.runtime.env != null) {
      // User entries come last so that they are the ones a reader sees; names we set are not repeated.
      spec.runtime.env.stream().filter(e -> env.stream().noneMatch(o -> o.getName().equals(e.getName()))).forEach(env::add);
    }
    return env;
  }

  /** What the `restricted` Pod Security profile asks of every container. */
  static SecurityContext restrictedContainer() {
    Capabilities dropAll = new CapabilitiesBuilder().withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withCapabilities(dropAll)
        .build();
  }
}
