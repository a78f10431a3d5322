package dev.modelops.operator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API server restarts under a running operator: its watches recover and later changes are
 * reconciled.
 */
class ApiServerRestartE2EIT extends E2ESupport {
  static final String NS = "e2e-apiserver-restart";

  @Test
  void watchesRecoverAndNothingIsLost() {
    restrictedNamespace(NS);
    apply("survivor", "1.0.0");
    cluster()
        .kubectlOrFail(
            "wait", "-n", NS, "--for=condition=Ready", "mdep/survivor", "--timeout=120s");

    var restart =
        Processes.run(
            LocalControlPlane.ROOT,
            Map.of(),
            null,
            120,
            List.of("hack/restart-component.sh", "kube-apiserver"));
    assertEquals(0, restart.exitCode(), restart.output());

    // A change to an existing resource and a new resource, both after the restart.
    cluster()
        .kubectlOrFail(
            "patch",
            "mdep",
            "survivor",
            "-n",
            NS,
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"model\":{\"version\":\"1.1.0\",\"uri\":\"s3://models/survivor/1.1.0\"}}}");
    apply("newcomer", "1.0.0");
    awaitMdep(
        NS,
        "survivor",
        "serving 1.1.0 after the restart",
        md -> "1.1.0".equals(md.getStatus().servingVersion));
    cluster()
        .kubectlOrFail(
            "wait", "-n", NS, "--for=condition=Ready", "mdep/newcomer", "--timeout=120s");
  }

  static void apply(String name, String version) {
    applyModelDeployment(NS, name, version, 1);
  }
}
