package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two operator replicas with leader election: one holds the Lease and reconciles; kill -9 it and
 * the other takes over within the lease time and reconciles what changed meanwhile. The suite's own
 * operator (no leader election) is stopped during this test so that only the two replicas act.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderElectionE2EIT extends E2ESupport {
  static final String NS = "e2e-leader";
  static final Duration LEASE = Duration.ofSeconds(15);
  static final String CANARY_PAUSED = "strategy: Canary\nsteps: [{setWeight: 50}, {pause: {}}]";

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
  @Order(1)
  void theStandbyTakesOverWhenTheLeaderIsKilled() throws Exception {
    try (Replicas replicas = new Replicas()) {
      String leader = replicas.awaitLeader();
      apply("before");
      cluster()
          .kubectlOrFail(
              "wait", "-n", NS, "--for=condition=Ready", "mdep/before", "--timeout=120s");
      assertTrue(replicas.health(leader).contains("\"leading\": true"), replicas.health(leader));
      assertTrue(
          replicas.health(replicas.standby(leader)).contains("\"leading\": false"),
          "a standby says so in /q/health/ready");

      replicas.kill(leader);
      apply("after");
      long killedAt = System.nanoTime();
      String next =
          await("the standby takes the Lease")
              .atMost(LEASE.multipliedBy(4))
              .until(LeaderElectionE2EIT::holder, h -> h != null && !h.equals(leader));
      assertNotEquals(leader, next);
      cluster()
          .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/after", "--timeout=120s");
      Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
      assertTrue(takeover.compareTo(LEASE.multipliedBy(4)) < 0, "took " + takeover);
      assertEquals("1/1", mdep(NS, "after").getStatus().ready);

      // kubectl delete pod / a rolling update sends SIGTERM: the leader must shut down, not hang
      // until SIGKILL.
      assertTrue(
          replicas.terminate(next, Duration.ofSeconds(20)),
          "the leader did not exit within 20 s of SIGTERM");
    }
  }

  /**
   * The leader dies mid-canary (paused at step 2) and with a retraining Job running; while no one
   * leads, the user promotes the canary and the trainer finishes. The new leader finishes both
   * exactly once.
   */
  @Test
  @Order(2)
  void killingTheLeaderDuringARolloutAndARetrainDuplicatesNothing() throws Exception {
    try (Replicas replicas = new Replicas()) {
      replicas.awaitLeader();
      applyModelDeployment(NS, "canaried", "1.0.0", 2, CANARY_PAUSED);
      applyModelDeployment(NS, "trained", "1.0.0", 1);
      cluster()
          .kubectlWithInput(
              manualRetrainPolicy("trained-retrain", "trained", ""), "apply", "-n", NS, "-f", "-");
      cluster()
          .kubectlOrFail(
              "wait",
              "-n",
              NS,
              "--for=condition=Ready",
              "mdep/canaried",
              "mdep/trained",
              "--timeout=120s");

      applyModelDeployment(NS, "canaried", "2.0.0", 2, CANARY_PAUSED);
      awaitMdep(
          NS,
          "canaried",
          "paused at the pause step",
          md -> md.getStatus().rollout != null && md.getStatus().rollout.pausedReason != null);
      cluster()
          .kubectlOrFail(
              "annotate", "rtp", "trained-retrain", "-n", NS, "modelops.dev/retrain-now=failover");
      Job job =
          await("the retraining Job")
              .atMost(CONVERGE)
              .until(() -> retrainJobs(), jobs -> jobs.size() == 1)
              .get(0);

      String leader = holder();
      replicas.kill(leader);
      cluster()
          .kubectlOrFail("annotate", "mdep", "canaried", "-n", NS, "modelops.dev/promote=true");
      writeTerminationMessage(
          NS, job, "{\"version\": \"1.1.0\", \"uri\": \"s3://models/trained/1.1.0\"}");

      await("the standby takes the Lease")
          .atMost(LEASE.multipliedBy(4))
          .until(LeaderElectionE2EIT::holder, h -> h != null && !h.equals(leader));
      ModelDeployment canaried =
          awaitMdep(
              NS,
              "canaried",
              "2.0.0 promoted by the new leader",
              md ->
                  "2.0.0".equals(md.getStatus().servingVersion) && md.getStatus().rollout == null);
      assertEquals(
          List.of("2.0.0", "1.0.0"),
          canaried.getStatus().history.stream().map(h -> h.version).toList(),
          "one rollout of 2.0.0, not two");
      ModelDeployment trained =
          awaitMdep(
              NS,
              "trained",
              "the retrained model served",
              md -> "1.1.0".equals(md.getStatus().servingVersion));
      assertEquals("trained-retrain-retrain-1", trained.getStatus().history.get(0).source.job);
      assertEquals(1, retrainJobs().size(), "no second Job for the one trigger");
      RetrainPolicy policy =
          api().resources(RetrainPolicy.class).inNamespace(NS).withName("trained-retrain").get();
      assertEquals(1L, policy.getStatus().retrainCount);
      assertEquals(1, policy.getStatus().history.size());
      assertEquals(
          1L,
          rolloutStartedEvents("canaried", "2.0.0"),
          "the new leader did not start the rollout again");
    }
  }

  /** Two operator processes under the operator's ServiceAccount, sharing the Lease. */
  static final class Replicas implements AutoCloseable {
    final Map<String, Process> processes = new HashMap<>();
    final Map<String, Integer> ports = new HashMap<>();

    Replicas() {
      for (String identity : List.of("replica-a", "replica-b")) {
        int port = LocalControlPlane.freePortForTests();
        ports.put(identity, port);
        processes.put(
            identity,
            cluster()
                .launchOperator(
                    port,
                    LocalControlPlane.LOGS.resolve("operator-" + identity + ".log"),
                    Map.of(
                        "MODELOPS_LEADER_ELECTION_ENABLED",
                        "true",
                        "MODELOPS_LEADER_ELECTION_LEASE_NAMESPACE",
                        "modelops-system",
                        "MODELOPS_LEADER_ELECTION_IDENTITY",
                        identity)));
      }
    }

    /** The Lease names one of these processes and that process says it leads. */
    String awaitLeader() {
      return await("a replica holds the Lease")
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              LeaderElectionE2EIT::holder,
              h ->
                  h != null && processes.containsKey(h) && health(h).contains("\"leading\": true"));
    }

    String standby(String leader) {
      return leader.equals("replica-a") ? "replica-b" : "replica-a";
    }

    String health(String identity) {
      return await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      "http://127.0.0.1:"
                                          + ports.get(identity)
                                          + "/q/health/ready"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body(),
              body -> body.contains("leading"));
    }

    boolean terminate(String identity, Duration within) throws InterruptedException {
      processes.get(identity).destroy();
      return processes
          .get(identity)
          .waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void kill(String identity) throws InterruptedException {
      processes.get(identity).destroyForcibly();
      processes.get(identity).waitFor();
    }

    @Override
    public void close() throws InterruptedException {
      for (Process process : processes.values()) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }

  static List<Job> retrainJobs() {
    return api()
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .withLabel("modelops.dev/retrain-policy", "trained-retrain")
        .list()
        .getItems();
  }

  static long rolloutStartedEvents(String name, String version) {
    return api().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(
            e ->
                name.equals(e.getInvolvedObject().getName())
                    && "RolloutStarted".equals(e.getReason())
                    && e.getMessage().contains(version))
        .mapToLong(e -> e.getCount() == null ? 1 : e.getCount())
        .sum();
  }

  static String holder() {
    Lease lease =
        api().leases().inNamespace("modelops-system").withName("modelops-operator-leader").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  static void apply(String name) {
    applyModelDeployment(NS, name, "1.0.0", 1);
  }
}
