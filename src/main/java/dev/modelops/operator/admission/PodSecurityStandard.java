package dev.modelops.operator.admission;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pure: checks a pod spec against a Kubernetes Pod Security Standard (baseline or restricted), as
 * Pod Security admission would, and names each field that breaks it. The operator applies it to the
 * pods it creates for a tenant, so that creating a RetrainPolicy never lets a tenant run a pod
 * wider than the profile the administrator chose, whatever the namespace enforces.
 */
public final class PodSecurityStandard {

  public enum Level {
    baseline,
    restricted;

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Level parse(String text) {
      for (Level level : values()) {
        if (level.name().equals(text)) {
          return level;
        }
      }
      throw new IllegalArgumentException(
          "pod security level '" + text + "' is neither baseline nor restricted");
    }
  }

  static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");
  static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");
  static final Set<String> SELINUX_TYPES =
      Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");
  static final Set<String> RESTRICTED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "image",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private PodSecurityStandard() {}

  /**
   * @param at the path of the pod spec in the user's object, e.g. jobTemplate.spec.template.spec
   * @return one message per violation, each naming the field; empty when the pod meets the level
   */
  public static List<String> violations(PodSpec pod, Level level, String at) {
    List<String> found = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getHostNetwork())) {
      found.add(at + ".hostNetwork: host namespaces are not allowed");
    }
    if (Boolean.TRUE.equals(pod.getHostPID())) {
      found.add(at + ".hostPID: host namespaces are not allowed");
    }
    if (Boolean.TRUE.equals(pod.getHostIPC())) {
      found.add(at + ".hostIPC: host namespaces are not allowed");
    }
    PodSecurityContext podContext = pod.getSecurityContext();
    if (podContext != null) {
      common(
          found,
          at + ".securityContext",
          podContext.getSeccompProfile(),
          podContext.getSeLinuxOptions(),
          podContext.getAppArmorProfile(),
          podContext.getWindowsOptions());
      if (podContext.getSysctls() != null) {
        for (Sysctl sysctl : podContext.getSysctls()) {
          if (!SAFE_SYSCTLS.contains(sysctl.getName())) {
            found.add(
                at + ".securityContext.sysctls: " + sysctl.getName() + " is not a safe sysctl");
          }
        }
      }
      if (level == Level.restricted && Long.valueOf(0).equals(podContext.getRunAsUser())) {
        found.add(at + ".securityContext.runAsUser: 0 (root) is not allowed");
      }
    }
    volumes(found, pod.getVolumes(), level, at);
    boolean podNonRoot = podContext != null && Boolean.TRUE.equals(podContext.getRunAsNonRoot());
    boolean podSeccomp = podContext != null && confined(podContext.getSeccompProfile());
    containers(found, pod.getInitContainers(), "initContainers", level, at, podNonRoot, podSeccomp);
    containers(found, pod.getContainers(), "containers", level, at, podNonRoot, podSeccomp);
    if (pod.getEphemeralContainers() != null && !pod.getEphemeralContainers().isEmpty()) {
      found.add(at + ".ephemeralContainers: not allowed in a template");
    }
    return found;
  }

  private static void volumes(List<String> found, List<Volume> volumes, Level level, String at) {
    if (volumes == null) {
      return;
    }
    for (int i = 0; i < volumes.size(); i++) {
      Volume volume = volumes.get(i);
      String where = at + ".volumes[" + i + "] (" + volume.getName() + ")";
      if (volume.getHostPath() != null) {
        found.add(where + ".hostPath: host paths are not allowed");
        continue;
      }
      if (level == Level.restricted) {
        String type = VolumeTypes.of(volume);
        if (type != null && !RESTRICTED_VOLUMES.contains(type)) {
          found.add(where + "." + type + ": this volume type is not allowed (restricted)");
        }
      }
    }
  }

  private static void containers(
      List<String> found,
      List<Container> containers,
      String kind,
      Level level,
      String at,
      boolean podNonRoot,
      boolean podSeccomp) {
    if (containers == null) {
      return;
    }
    for (int i = 0; i < containers.size(); i++) {
      Container c = containers.get(i);
      String where = at + "." + kind + "[" + i + "] (" + c.getName() + ")";
      if (c.getPorts() != null) {
        for (ContainerPort port : c.getPorts()) {
          if (port.getHostPort() != null && port.getHostPort() != 0) {
            found.add(where + ".ports.hostPort: host ports are not allowed");
          }
        }
      }
      SecurityContext sc = c.getSecurityContext();
      String scAt = where + ".securityContext";
      if (sc != null) {
        if (Boolean.TRUE.equals(sc.getPrivileged())) {
          found.add(scAt + ".privileged: privileged containers are not allowed");
        }
        if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
          found.add(scAt + ".procMount: only Default is allowed");
        }
        common(
            found,
            scAt,
            sc.getSeccompProfile(),
            sc.getSeLinuxOptions(),
            sc.getAppArmorProfile(),
            sc.getWindowsOptions());
        capabilities(found, sc.getCapabilities(), level, scAt);
      }
      if (level == Level.baseline) {
        continue;
      }
      if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        found.add(scAt + ".allowPrivilegeEscalation: must be false");
      }
      Boolean nonRoot = sc == null ? null : sc.getRunAsNonRoot();
      if (Boolean.FALSE.equals(nonRoot) || (nonRoot == null && !podNonRoot)) {
        found.add(scAt + ".runAsNonRoot: must be true (here or in the pod's securityContext)");
      }
      if (sc != null && Long.valueOf(0).equals(sc.getRunAsUser())) {
        found.add(scAt + ".runAsUser: 0 (root) is not allowed");
      }
      if (!podSeccomp && (sc == null || !confined(sc.getSeccompProfile()))) {
        found.add(
            scAt + ".seccompProfile: must be RuntimeDefault or Localhost (here or in the pod)");
      }
      if (sc == null
          || sc.getCapabilities() == null
          || sc.getCapabilities().getDrop() == null
          || !sc.getCapabilities().getDrop().contains("ALL")) {
        found.add(scAt + ".capabilities.drop: must include ALL");
      }
    }
  }

  private static void capabilities(
      List<String> found, Capabilities capabilities, Level level, String at) {
    if (capabilities == null || capabilities.getAdd() == null) {
      return;
    }
    for (String added : capabilities.getAdd()) {
      boolean allowed =
          level == Level.restricted
              ? "NET_BIND_SERVICE".equals(added)
              : BASELINE_CAPABILITIES.contains(added);
      if (!allowed) {
        found.add(at + ".capabilities.add: " + added + " is not allowed");
      }
    }
  }

  private static void common(
      List<String> found,
      String at,
      SeccompProfile seccomp,
      io.fabric8.kubernetes.api.model.SELinuxOptions selinux,
      io.fabric8.kubernetes.api.model.AppArmorProfile appArmor,
      io.fabric8.kubernetes.api.model.WindowsSecurityContextOptions windows) {
    if (seccomp != null && "Unconfined".equals(seccomp.getType())) {
      found.add(at + ".seccompProfile: Unconfined is not allowed");
    }
    if (selinux != null) {
      if (!SELINUX_TYPES.contains(selinux.getType() == null ? "" : selinux.getType())) {
        found.add(at + ".seLinuxOptions.type: " + selinux.getType() + " is not allowed");
      }
      if (selinux.getUser() != null || selinux.getRole() != null) {
        found.add(at + ".seLinuxOptions: user and role must not be set");
      }
    }
    if (appArmor != null && "Unconfined".equals(appArmor.getType())) {
      found.add(at + ".appArmorProfile: Unconfined is not allowed");
    }
    if (windows != null && Boolean.TRUE.equals(windows.getHostProcess())) {
      found.add(at + ".windowsOptions.hostProcess: not allowed");
    }
  }

  private static boolean confined(SeccompProfile profile) {
    return profile != null
        && ("RuntimeDefault".equals(profile.getType()) || "Localhost".equals(profile.getType()));
  }
}
