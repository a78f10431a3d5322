package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * `kubectl apply -k deploy/` installs the operator as a user would, client-side and server-side,
 * and the operator's own pod passes the `restricted` profile of its namespace. (kwok runs that pod;
 * the operator process under test is the local one.)
 */
class DeployKustomizationE2EIT extends E2ESupport {

  @AfterAll
  static void removeTheInClusterOperator() {
    cluster()
        .kubectl(
            "delete", "deployment", "modelops-operator", "-n", "modelops-system", "--wait=true");
  }

  @Test
  void appliesClientSideAndServerSideAndTheOperatorPodIsAdmitted() {
    var clientSide = cluster().kubectl("apply", "-k", "deploy/");
    assertEquals(0, clientSide.exitCode(), clientSide.output());
    var serverSide =
        cluster().kubectl("apply", "--server-side", "--force-conflicts", "-k", "deploy/");
    assertEquals(0, serverSide.exitCode(), serverSide.output());
    assertTrue(
        serverSide
            .stdout()
            .contains("clusterrole.rbac.authorization.k8s.io/modelops-operator serverside-applied"),
        serverSide.stdout());

    await("both operator pods (leader and standby) are admitted under `restricted` and run")
        .atMost(CONVERGE)
        .until(
            () -> {
              var deployment =
                  api()
                      .apps()
                      .deployments()
                      .inNamespace("modelops-system")
                      .withName("modelops-operator")
                      .get();
              return deployment.getStatus() != null
                  && Integer.valueOf(2).equals(deployment.getStatus().getAvailableReplicas());
            });
    assertEquals(
        "restricted",
        api()
            .namespaces()
            .withName("modelops-system")
            .get()
            .getMetadata()
            .getLabels()
            .get("pod-security.kubernetes.io/enforce"));
  }
}
