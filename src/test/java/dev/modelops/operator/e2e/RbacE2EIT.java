package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator runs under its own ServiceAccount: a missing permission shows in status and Events,
 * and heals.
 */
class RbacE2EIT extends E2ESupport {
  static final String NS = "e2e-rbac";

  @AfterEach
  void restoreTheRole() {
    cluster()
        .kubectlOrFail(
            "apply", "--server-side", "--force-conflicts", "-f", "deploy/core/cluster-role.yaml");
  }

  @Test
  void withoutPermissionToCreateServicesTheModelDeploymentIsDegradedThenHeals() {
    restrictedNamespace(NS);
    ClusterRole role = api().rbac().clusterRoles().withName("modelops-operator").get();
    List<PolicyRule> rules = new ArrayList<>();
    for (PolicyRule rule : role.getRules()) {
      if (rule.getResources().contains("services")) {
        rule.setVerbs(rule.getVerbs().stream().filter(v -> !v.equals("create")).toList());
      }
      rules.add(rule);
    }
    role.setRules(rules);
    role.getMetadata().setManagedFields(null);
    api().resource(role).update();
    await("the API server enforces the smaller role")
        .atMost(CONVERGE)
        .until(
            () ->
                cluster()
                    .kubectl(
                        "auth",
                        "can-i",
                        "create",
                        "services",
                        "-n",
                        NS,
                        "--as=system:serviceaccount:modelops-system:modelops-operator")
                    .stdout()
                    .trim()
                    .equals("no"));

    cluster()
        .kubectlWithInput(
            """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: denied}
        spec:
          model: {name: denied, version: "1", uri: "s3://models/denied/1"}
          runtime: {image: "example.test/server:1"}
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
        """,
            "apply",
            "-n",
            NS,
            "-f",
            "-");

    ModelDeployment degraded =
        awaitMdep(
            NS,
            "denied",
            "Degraded PermissionDenied",
            md ->
                md.getStatus() != null
                    && "PermissionDenied"
                        .equals(
                            Conditions.reason(md.getStatus().conditions, "Degraded").orElse("")));
    String message =
        Conditions.find(degraded.getStatus().conditions, "Degraded").orElseThrow().getMessage();
    assertTrue(message.contains("services") && message.contains("forbidden"), message);
    assertEquals("Degraded", degraded.getStatus().phase.name());
    String described = cluster().kubectlOrFail("describe", "mdep", "denied", "-n", NS);
    assertTrue(described.contains("PermissionDenied"), described);

    restoreTheRole();
    awaitMdep(
        NS,
        "denied",
        "healed to Ready",
        md -> "Ready".equals(String.valueOf(md.getStatus().phase)));
    assertTrue(api().services().inNamespace(NS).withName("denied").get() != null);
  }
}
