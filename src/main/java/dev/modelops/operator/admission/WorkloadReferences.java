package dev.modelops.operator.admission;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: which Secrets and ServiceAccounts a pod the operator would create on a tenant's behalf
 * uses, and whether each opted in. A Secret a pod mounts, reads into its environment or pulls
 * images with must be labelled modelops.dev/credential=workload; a ServiceAccount other than the
 * namespace's default, or any whose token the pod gets, must be labelled modelops.dev/identity with
 * the pod's use (trainer, serving). So creating a RetrainPolicy or a ModelDeployment never hands a
 * tenant a Secret or an identity the namespace's owner did not offer.
 */
public final class WorkloadReferences {

  /** What the namespace's owner offered; answers the same whether the object exists or not. */
  public interface Access {
    boolean secretUsable(String name);

    boolean serviceAccountUsable(String name);
  }

  private WorkloadReferences() {}

  /**
   * @param at the path of the pod spec in the user's object
   * @param use the identity the pod needs (trainer, serving)
   */
  public static List<String> refusals(PodSpec pod, String at, String use, Access access) {
    List<String> refused = new ArrayList<>();
    String account = pod.getServiceAccountName();
    boolean token =
        Boolean.TRUE.equals(pod.getAutomountServiceAccountToken()) || projectsToken(pod);
    if ((account != null && !account.equals("default")) || token) {
      String name = account == null ? "default" : account;
      if (!access.serviceAccountUsable(name)) {
        refused.add(
            at
                + (account != null ? ".serviceAccountName" : ".automountServiceAccountToken")
                + ": ServiceAccount "
                + name
                + " cannot be used"
                + (token ? " with a token" : "")
                + ": only a ServiceAccount labelled "
                + Keys.IDENTITY_LABEL
                + "="
                + use
                + " can");
      }
    }
    if (pod.getImagePullSecrets() != null) {
      for (LocalObjectReference ref : pod.getImagePullSecrets()) {
        secret(refused, at + ".imagePullSecrets", ref.getName(), access);
      }
    }
    if (pod.getVolumes() != null) {
      for (int i = 0; i < pod.getVolumes().size(); i++) {
        volume(refused, at + ".volumes[" + i + "]", pod.getVolumes().get(i), access);
      }
    }
    List<Container> containers = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      containers.addAll(pod.getInitContainers());
    }
    for (Container c : containers) {
      String where = at + ".containers (" + c.getName() + ")";
      env(refused, where, c.getEnv(), access);
      if (c.getEnvFrom() != null) {
        for (EnvFromSource from : c.getEnvFrom()) {
          if (from.getSecretRef() != null) {
            secret(refused, where + ".envFrom.secretRef", from.getSecretRef().getName(), access);
          }
        }
      }
    }
    return refused;
  }

  /** What a ModelDeployment's serving pods use that its spec chose. */
  public static List<String> servingRefusals(ModelDeploymentSpec spec, Access access) {
    List<String> refused = new ArrayList<>();
    if (spec.serviceAccountName != null
        && !spec.serviceAccountName.equals("default")
        && !access.serviceAccountUsable(spec.serviceAccountName)) {
      refused.add(
          "spec.serviceAccountName: ServiceAccount "
              + spec.serviceAccountName
              + " cannot be used: only a ServiceAccount labelled "
              + Keys.IDENTITY_LABEL
              + "="
              + Keys.IDENTITY_SERVING
              + " can");
    }
    env(refused, "spec.runtime", spec.runtime.env, access);
    return refused;
  }

  private static boolean projectsToken(PodSpec pod) {
    return pod.getVolumes() != null
        && pod.getVolumes().stream()
            .filter(v -> v.getProjected() != null && v.getProjected().getSources() != null)
            .flatMap(v -> v.getProjected().getSources().stream())
            .anyMatch(p -> p.getServiceAccountToken() != null);
  }

  private static void volume(List<String> refused, String at, Volume volume, Access access) {
    if (volume.getSecret() != null) {
      secret(refused, at + ".secret", volume.getSecret().getSecretName(), access);
    }
    if (volume.getProjected() != null && volume.getProjected().getSources() != null) {
      for (VolumeProjection source : volume.getProjected().getSources()) {
        if (source.getSecret() != null) {
          secret(refused, at + ".projected.secret", source.getSecret().getName(), access);
        }
      }
    }
    if (volume.getCsi() != null && volume.getCsi().getNodePublishSecretRef() != null) {
      secret(
          refused,
          at + ".csi.nodePublishSecretRef",
          volume.getCsi().getNodePublishSecretRef().getName(),
          access);
    }
  }

  private static void env(List<String> refused, String at, List<EnvVar> env, Access access) {
    if (env == null) {
      return;
    }
    for (EnvVar var : env) {
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        secret(
            refused,
            at + ".env (" + var.getName() + ").valueFrom.secretKeyRef",
            var.getValueFrom().getSecretKeyRef().getName(),
            access);
      }
    }
  }

  private static void secret(List<String> refused, String at, String name, Access access) {
    if (name == null || !access.secretUsable(name)) {
      refused.add(
          at
              + ": Secret "
              + name
              + " cannot be used: only Secrets labelled "
              + Keys.CREDENTIAL_LABEL
              + "="
              + Keys.CREDENTIAL_WORKLOAD
              + " can be given to pods the operator creates");
    }
  }
}
