package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas with leader election: one holds the Lease and reconciles; kill -9 it and the other
 * takes over within the lease time and reconciles what changed meanwhile. The suite's own operator (no
 * leader election) is stopped during this test so that only the two replicas act.
 */
class LeaderElectionE2EIT extends E2ESupport {
  static final String NS = "e2e-leader";
  static final Duration LEASE = Duration.ofSeconds(15);

  @BeforeAll
  static void twoReplicasInsteadOfOne() {
    restrictedNamespace(NS);
    cluster().stopOperator();
  }

  @AfterAll
  static void backToTheSuitesOperator() {
    cluster().startOperator();
  }

  @Test
  void theStandbyTakesOverWhenTheLeaderIsKilled() throws Exception {
    Map<String, String> env = Map.of("MODELOPS_LEADER_ELECTION_ENABLED", "true",
        "MODELOPS_LEADER_ELECTION_LEASE_NAMESPACE", "modelops-system");
    Process first = cluster().launchOperator(LocalControlPlane.freePortForTests(),
        LocalControlPlane.LOGS.resolve("operator-replica-a.log"), merge(env, "MODELOPS_LEADER_ELECTION_IDENTITY", "replica-a"));
    Process second = cluster().launchOperator(LocalControlPlane.freePortForTests(),
        LocalControlPlane.LOGS.resolve("operator-replica-b.log"), merge(env, "MODELOPS_LEADER_ELECTION_IDENTITY", "replica-b"));
    try {
      String leader = await("a replica holds the Lease").atMost(Duration.ofSeconds(90)).until(LeaderElectionE2EIT::holder, h -> h != null);
      apply("before");
      cluster().kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/before", "--timeout=120s");

      Process leaderProcess = leader.equals("replica-a") ? first : second;
      leaderProcess.destroyForcibly();
      leaderProcess.waitFor();
      apply("after");
      long killedAt = System.nanoTime();
      String next = await("the standby takes the Lease").atMost(LEASE.multipliedBy(4)).until(LeaderElectionE2EIT::holder,
          h -> h != null && !h.equals(leader));
      assertNotEquals(leader, next);
      cluster().kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/after", "--timeout=120s");
      Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
      assertTrue(takeover.compareTo(LEASE.multipliedBy(4)) < 0, "took " + takeover);
      assertEquals("1/1", mdep(NS, "after").getStatus().ready);
    } finally {
      first.destroyForcibly();
      second.destroyForcibly();
      first.waitFor();
      second.waitFor();
    }
  }

  static String holder() {
    Lease lease = api().leases().inNamespace("modelops-system").withName("modelops-operator-leader").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  static void apply(String name) {
    applyModelDeployment(NS, name, "1.0.0", 1);
  }

  static Map<String, String> merge(Map<String, String> base, String key, String value) {
    var all = new java.util.HashMap<>(base);
    all.put(key, value);
    return all;
  }
}
