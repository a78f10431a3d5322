package dev.modelops.operator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.status.Conditions;
import org.junit.jupiter.api.Test;

/**
 * A new version whose pods can never run is reported as Degraded, and the version already serving
 * keeps serving.
 */
class FailedRolloutE2EIT extends E2ESupport {
  static final String NS = "e2e-failed-rollout";

  @Test
  void aStuckRolloutIsDegradedWhileTheOldPodsKeepServing() {
    restrictedNamespace(NS);
    cluster()
        .kubectlWithInput(
            """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: pricing}
        spec:
          model: {name: pricing, version: "1.0.0", uri: "s3://models/pricing/1.0.0"}
          runtime: {image: "example.test/server:1"}
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
          replicas: 2
          rollout: {progressDeadlineSeconds: 10}
        """,
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    cluster()
        .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/pricing", "--timeout=120s");

    // Version 2 asks for a node that does not exist: its pods stay Pending forever.
    cluster()
        .kubectlOrFail(
            "patch",
            "mdep",
            "pricing",
            "-n",
            NS,
            "--type",
            "merge",
            "-p",
            """
        {"spec": {"model": {"version": "2.0.0", "uri": "s3://models/pricing/2.0.0"},
                  "scheduling": {"nodeSelector": {"accelerator": "does-not-exist"}}}}""");

    ModelDeployment degraded =
        awaitMdep(
            NS,
            "pricing",
            "Degraded ProgressDeadlineExceeded",
            md ->
                "ProgressDeadlineExceeded"
                    .equals(Conditions.reason(md.getStatus().conditions, "Degraded").orElse("")));
    String message =
        Conditions.find(degraded.getStatus().conditions, "Degraded").orElseThrow().getMessage();
    assertTrue(message.contains("version 1.0.0 keeps serving"), message);
    assertEquals("1.0.0", degraded.getStatus().servingVersion);
    assertEquals(Outcome.Failed, degraded.getStatus().history.get(0).outcome);
    assertEquals(
        "True",
        Conditions.find(degraded.getStatus().conditions, "Ready").orElseThrow().getStatus(),
        "the old pods still serve");
    long oldRunning =
        servingPods(NS, "pricing").stream()
            .filter(E2ESupport::running)
            .filter(
                p -> "1.0.0".equals(p.getMetadata().getLabels().get("modelops.dev/model-version")))
            .count();
    assertEquals(2, oldRunning, "maxUnavailable 0: no serving pod was taken away");
    assertTrue(
        api().v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(e -> "RolloutFailed".equals(e.getReason()) && "Warning".equals(e.getType())));
    assertTrue(
        cluster()
            .kubectlOrFail("describe", "mdep", "pricing", "-n", NS)
            .contains("ProgressDeadlineExceeded"));
  }
}
