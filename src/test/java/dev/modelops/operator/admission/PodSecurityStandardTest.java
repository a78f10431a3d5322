package dev.modelops.operator.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.admission.PodSecurityStandard.Level;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Pod Security Standards as admission applies them, one rule at a time. */
class PodSecurityStandardTest {
  static final String AT = "jobTemplate.spec.template.spec";

  static final String RESTRICTED =
      """
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: train
        image: trainer:1
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      """;

  static PodSpec pod(String yaml) {
    return Serialization.unmarshal(yaml, PodSpec.class);
  }

  @Test
  void aRestrictedPodMeetsBothLevels() {
    assertEquals(List.of(), PodSecurityStandard.violations(pod(RESTRICTED), Level.restricted, AT));
    assertEquals(List.of(), PodSecurityStandard.violations(pod(RESTRICTED), Level.baseline, AT));
  }

  @Test
  void theEscapeHatchesOfTheIssueAreEachNamed() {
    String hostile =
        """
        hostPID: true
        securityContext: {runAsUser: 0}
        volumes: [{name: root, hostPath: {path: /}}]
        containers:
        - name: train
          image: trainer:1
          securityContext: {capabilities: {add: [SYS_ADMIN]}, privileged: true}
        """;
    List<String> found = PodSecurityStandard.violations(pod(hostile), Level.baseline, AT);
    assertTrue(found.contains(AT + ".hostPID: host namespaces are not allowed"), found.toString());
    assertTrue(
        found.contains(AT + ".volumes[0] (root).hostPath: host paths are not allowed"),
        found.toString());
    assertTrue(
        found.contains(
            AT
                + ".containers[0] (train).securityContext.capabilities.add: SYS_ADMIN is not allowed"),
        found.toString());
    assertTrue(
        found.contains(
            AT
                + ".containers[0] (train).securityContext.privileged: privileged containers are not"
                + " allowed"),
        found.toString());

    List<String> restricted = PodSecurityStandard.violations(pod(hostile), Level.restricted, AT);
    assertTrue(
        restricted.contains(AT + ".securityContext.runAsUser: 0 (root) is not allowed"),
        restricted.toString());
  }

  @Test
  void restrictedAsksForWhatBaselineLeavesOpen() {
    String baselineOnly =
        """
        volumes: [{name: data, nfs: {server: nfs.example, path: /data}}]
        containers:
        - name: train
          image: trainer:1
          securityContext: {capabilities: {add: [CHOWN]}}
        """;
    assertEquals(List.of(), PodSecurityStandard.violations(pod(baselineOnly), Level.baseline, AT));
    List<String> found = PodSecurityStandard.violations(pod(baselineOnly), Level.restricted, AT);
    String c = AT + ".containers[0] (train).securityContext";
    assertEquals(
        List.of(
            AT + ".volumes[0] (data).nfs: this volume type is not allowed (restricted)",
            c + ".capabilities.add: CHOWN is not allowed",
            c + ".allowPrivilegeEscalation: must be false",
            c + ".runAsNonRoot: must be true (here or in the pod's securityContext)",
            c + ".seccompProfile: must be RuntimeDefault or Localhost (here or in the pod)",
            c + ".capabilities.drop: must include ALL"),
        found);
  }

  @Test
  void hostPortsUnsafeSysctlsAndUnconfinedProfilesAreRefused() {
    String pod =
        """
        securityContext: {sysctls: [{name: kernel.msgmax, value: "1"}], seccompProfile: {type: Unconfined}}
        containers:
        - name: train
          image: trainer:1
          ports: [{containerPort: 80, hostPort: 80}]
        """;
    List<String> found = PodSecurityStandard.violations(pod(pod), Level.baseline, AT);
    assertEquals(
        List.of(
            AT + ".securityContext.seccompProfile: Unconfined is not allowed",
            AT + ".securityContext.sysctls: kernel.msgmax is not a safe sysctl",
            AT + ".containers[0] (train).ports.hostPort: host ports are not allowed"),
        found);
  }
}
