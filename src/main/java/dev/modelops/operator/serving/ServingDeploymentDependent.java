package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Defaults;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Deployment that runs the model server: model puller init container, then the server. Built
 * from the model classes directly: JOSDK asks for the desired Deployment on every reconcile, and
 * Fabric8's fluent builders copy each nested object several times (≈ 20× slower here).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ServingNames.MANAGED_BY_SELECTOR))
public class ServingDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {
  public static final String MODEL_DIR = "/mnt/models";
  static final String MODEL_VOLUME = "model-store";
  static final String TMP_VOLUME = "tmp";

  /**
   * Non-root identity of the serving pods; fsGroup lets the puller write into the shared volume.
   */
  static final long POD_UID = 1000L;

  @Inject OperatorSettings settings;

  public ServingDeploymentDependent() {
    super(Deployment.class);
  }

  /** The model puller init container: its image and environment (storage settings). */
  public record Puller(String image, List<EnvVar> env) {}

  /** Key of the puller's environment in the workflow context (the reconciler computes it). */
  static final String PULLER_ENV = "pullerEnv";

  /**
   * Key of the ModelDeployment the children are rendered from, in the workflow context: for a
   * registry reference its spec.model is the pinned version at its storage location.
   */
  static final String SERVING_VIEW = "servingView";

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    return build(servingView(md, context), puller(settings, context));
  }

  /** What the reconciler put in the workflow context as the ModelDeployment to render. */
  static ModelDeployment servingView(ModelDeployment md, Context<ModelDeployment> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(SERVING_VIEW, ModelDeployment.class)
        .orElse(md);
  }

  @SuppressWarnings("unchecked")
  static Puller puller(OperatorSettings settings, Context<ModelDeployment> context) {
    List<EnvVar> env =
        context
            .managedWorkflowAndDependentResourceContext()
            .get(PULLER_ENV, List.class)
            .orElse(List.of());
    return new Puller(settings.modelPuller().image(), env);
  }

  @Override
  protected io.javaoperatorsdk.operator.processing.event.ResourceID targetSecondaryResourceID(
      ModelDeployment md, Context<ModelDeployment> context) {
    return new io.javaoperatorsdk.operator.processing.event.ResourceID(
        ServingNames.deploymentName(md), md.getMetadata().getNamespace());
  }

  /**
   * Pure: the stable Deployment. Under a canary it keeps the serving version until the canary is
   * promoted.
   */
  public static Deployment build(ModelDeployment md, String pullerImage) {
    return build(md, new Puller(pullerImage, List.of()));
  }

  public static Deployment build(ModelDeployment md, Puller puller) {
    return build(
        md,
        ServingNames.deploymentName(md),
        ServingNames.STABLE_TRACK,
        ServingModels.stable(md),
        ServingModels.stableReplicas(md),
        puller);
  }

  /** Pure: a serving Deployment of one track (stable or canary) running one model version. */
  public static Deployment build(
      ModelDeployment md,
      String name,
      String track,
      ServingModels.Model model,
      int replicas,
      Puller puller) {
    ModelDeploymentSpec spec = md.getSpec();
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(ServingNames.commonLabels(md));
    podLabels.put(ServingNames.TRACK_LABEL, track);
    podLabels.put(ServingNames.VERSION_LABEL, model.version());
    int deadline =
        spec.rollout != null
            ? spec.rollout.progressDeadlineSecondsOrDefault()
            : Defaults.PROGRESS_DEADLINE_SECONDS;

    ObjectMeta podMeta = new ObjectMeta();
    podMeta.setLabels(podLabels);
    podMeta.setAnnotations(
        Map.of(
            ServingNames.VERSION_ANNOTATION,
            model.version(),
            ServingNames.URI_ANNOTATION,
            model.uri()));

    // Never take a serving pod away before its replacement is ready.
    RollingUpdateDeployment rollingUpdate = new RollingUpdateDeployment();
    rollingUpdate.setMaxUnavailable(new IntOrString(0));
    rollingUpdate.setMaxSurge(new IntOrString("25%"));
    DeploymentStrategy strategy = new DeploymentStrategy();
    strategy.setType("RollingUpdate");
    strategy.setRollingUpdate(rollingUpdate);

    DeploymentSpec deploymentSpec = new DeploymentSpec();
    deploymentSpec.setReplicas(replicas);
    deploymentSpec.setProgressDeadlineSeconds(deadline);
    deploymentSpec.setRevisionHistoryLimit(3);
    deploymentSpec.setSelector(new LabelSelector(null, ServingNames.trackSelector(md, track)));
    deploymentSpec.setStrategy(strategy);
    deploymentSpec.setTemplate(new PodTemplateSpec(podMeta, podSpec(md, model, puller)));

    Deployment deployment = new Deployment();
    deployment.setMetadata(new ObjectMeta());
    deployment.getMetadata().setName(name);
    deployment.getMetadata().setNamespace(md.getMetadata().getNamespace());
    deployment.getMetadata().setLabels(ServingNames.commonLabels(md));
    deployment.setSpec(deploymentSpec);
    return deployment;
  }

  /**
   * A puller or server that fails without a termination message reports its last log lines: the
   * rollout's condition then says why (PodTrouble).
   */
  static final String LAST_LOG_LINES_ON_ERROR = "FallbackToLogsOnError";

  static PodSpec podSpec(ModelDeployment md, ServingModels.Model model, Puller puller) {
    ModelDeploymentSpec spec = md.getSpec();
    ModelLocation location = ModelLocation.parse(model.uri());
    List<Volume> volumes = new ArrayList<>();
    List<Container> initContainers = new ArrayList<>();
    VolumeMount modelMount = mount(MODEL_VOLUME, MODEL_DIR);
    modelMount.setReadOnly(true);
    Volume modelVolume = new Volume();
    modelVolume.setName(MODEL_VOLUME);
    if (location.isVolumeClaim()) {
      modelVolume.setPersistentVolumeClaim(
          new PersistentVolumeClaimVolumeSource(location.claimName(), true));
      if (!location.subPath().isEmpty()) {
        modelMount.setSubPath(location.subPath());
      }
    } else {
      modelVolume.setEmptyDir(new EmptyDirVolumeSource());
      Container pullerContainer = new Container();
      pullerContainer.setName("model-puller");
      pullerContainer.setImage(puller.image());
      pullerContainer.setArgs(List.of(model.uri(), MODEL_DIR));
      if (!puller.env().isEmpty()) {
        pullerContainer.setEnv(puller.env());
      }
      pullerContainer.setVolumeMounts(
          List.of(mount(MODEL_VOLUME, MODEL_DIR), mount(TMP_VOLUME, "/tmp")));
      ResourceRequirements resources = new ResourceRequirements();
      resources.setRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")));
      resources.setLimits(Map.of("memory", new Quantity("1Gi")));
      pullerContainer.setResources(resources);
      pullerContainer.setSecurityContext(restrictedContainer());
      pullerContainer.setTerminationMessagePolicy(LAST_LOG_LINES_ON_ERROR);
      initContainers.add(pullerContainer);
    }
    volumes.add(modelVolume);
    Volume tmp = new Volume();
    tmp.setName(TMP_VOLUME);
    tmp.setEmptyDir(new EmptyDirVolumeSource());
    volumes.add(tmp);

    RuntimeSpec runtime = spec.runtime;
    ContainerPort http = new ContainerPort();
    http.setName(ServingNames.HTTP_PORT_NAME);
    http.setContainerPort(runtime.portOrDefault());
    http.setProtocol("TCP");
    HTTPGetAction readinessGet = new HTTPGetAction();
    readinessGet.setPath(readinessPath(md));
    readinessGet.setPort(new IntOrString(ServingNames.HTTP_PORT_NAME));
    Probe readiness = new Probe();
    readiness.setHttpGet(readinessGet);
    readiness.setPeriodSeconds(5);
    readiness.setFailureThreshold(3);
    Container server = new Container();
    server.setName("server");
    server.setImage(runtime.image);
    server.setArgs(runtime.args);
    server.setPorts(List.of(http));
    server.setEnv(serverEnv(md, model));
    server.setResources(runtime.resources);
    server.setVolumeMounts(List.of(modelMount, mount(TMP_VOLUME, "/tmp")));
    server.setReadinessProbe(readiness);
    server.setSecurityContext(restrictedContainer());
    server.setTerminationMessagePolicy(LAST_LOG_LINES_ON_ERROR);

    PodSecurityContext podSecurity = new PodSecurityContext();
    podSecurity.setRunAsNonRoot(true);
    podSecurity.setRunAsUser(POD_UID);
    podSecurity.setRunAsGroup(POD_UID);
    podSecurity.setFsGroup(POD_UID);
    podSecurity.setSeccompProfile(new SeccompProfile(null, "RuntimeDefault"));
    PodSpec pod = new PodSpec();
    pod.setServiceAccountName(spec.serviceAccountName);
    // Model servers do not talk to the API server; no token in the pod.
    pod.setAutomountServiceAccountToken(false);
    pod.setSecurityContext(podSecurity);
    pod.setInitContainers(initContainers);
    pod.setContainers(List.of(server));
    pod.setVolumes(volumes);
    if (spec.scheduling != null) {
      pod.setNodeSelector(spec.scheduling.nodeSelector);
      pod.setTolerations(spec.scheduling.tolerations);
      pod.setAffinity(spec.scheduling.affinity);
    }
    return pod;
  }

  private static VolumeMount mount(String volume, String path) {
    VolumeMount mount = new VolumeMount();
    mount.setName(volume);
    mount.setMountPath(path);
    return mount;
  }

  static String readinessPath(ModelDeployment md) {
    RuntimeSpec.Protocol protocol = md.getSpec().runtime.protocolOrDefault();
    return protocol == RuntimeSpec.Protocol.v1
        ? "/v1/models/" + md.getSpec().model.name
        : "/v2/health/ready";
  }

  static List<EnvVar> serverEnv(ModelDeployment md, ServingModels.Model model) {
    ModelDeploymentSpec spec = md.getSpec();
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar("MODEL_NAME", spec.model.name, null));
    env.add(new EnvVar("MODEL_VERSION", model.version(), null));
    env.add(new EnvVar("MODEL_DIR", MODEL_DIR, null));
    if (spec.model.format != null) {
      env.add(new EnvVar("MODEL_FORMAT", spec.model.format, null));
    }
    if (spec.runtime.env != null) {
      // User entries come last so that they are the ones a reader sees; names we set are not
      // repeated.
      spec.runtime.env.stream()
          .filter(e -> env.stream().noneMatch(o -> o.getName().equals(e.getName())))
          .forEach(env::add);
    }
    return env;
  }

  /** What the `restricted` Pod Security profile asks of every container. */
  static SecurityContext restrictedContainer() {
    SecurityContext context = new SecurityContext();
    context.setAllowPrivilegeEscalation(false);
    context.setReadOnlyRootFilesystem(true);
    context.setRunAsNonRoot(true);
    context.setCapabilities(new Capabilities(null, List.of("ALL")));
    return context;
  }
}
