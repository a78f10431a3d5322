package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the operator at random points while users edit versions, retrains are triggered and
 * their models promoted (some through canaries). Seeded: a failure prints its seed; replay with
 * -De2e.chaos.seed=N. Afterwards every resource converges, each trigger made exactly one Job, and
 * every promotion is in the ModelDeployment's history.
 */
class ChaosE2EIT extends E2ESupport {
  static final String NS = "e2e-chaos";
  static final List<String> EDITED = List.of("u0", "u1", "u2");
  static final List<String> RETRAINED = List.of("p0", "p1");
  static final long SEED = Long.getLong("e2e.chaos.seed", System.nanoTime() % 100_000);
  static final int ROUNDS = Integer.getInteger("e2e.chaos.rounds", 10);

  /** Seconds: a kill can wait for the restart, a canary's pause and the Job controller. */
  static final Duration ROUND = Duration.ofSeconds(90);

  final Map<String, String> expectedVersion = new ConcurrentHashMap<>();
  final Map<String, Integer> triggers = new ConcurrentHashMap<>();
  final Map<String, String> promotedVersionOfJob = new ConcurrentHashMap<>();
  int kills;
  int edits;

  @BeforeAll
  static void models() {
    restrictedNamespace(NS);
    for (String name : List.of("u0", "u1", "u2", "p0", "p1")) {
      boolean canary = name.equals("u2") || name.equals("p1");
      applyModelDeployment(
          NS,
          name,
          "1.0.0",
          1,
          canary ? "strategy: Canary\nsteps: [{setWeight: 50}, {pause: {duration: 1s}}]" : "");
    }
    for (String target : RETRAINED) {
      // Keep every Job, so that the test can count them (the default keeps the last 3).
      cluster()
          .kubectlWithInput(
              manualRetrainPolicy(
                  target + "-retrain", target, "cooldown: 1m\nsuccessfulJobsHistoryLimit: 100"),
              "apply",
              "-n",
              NS,
              "-f",
              "-");
    }
    cluster()
        .kubectlOrFail(
            "wait", "-n", NS, "--for=condition=Ready", "mdep", "--all", "--timeout=120s");
  }

  @Test
  void everythingConvergesAndNothingIsDuplicatedOrLost() throws Exception {
    System.out.printf(
        "ChaosE2EIT seed=%d rounds=%d (replay: -De2e.chaos.seed=%d)%n", SEED, ROUNDS, SEED);
    Random random = new Random(SEED);
    EDITED.forEach(name -> expectedVersion.put(name, "1.0.0"));
    RETRAINED.forEach(name -> expectedVersion.put(name, "1.0.0"));
    ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor();
    kubelet.scheduleWithFixedDelay(this::trainersReportTheirModels, 0, 300, TimeUnit.MILLISECONDS);
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        act(random, round);
        // The kill point: a random moment while the operator works on what was just changed.
        Thread.sleep(random.nextInt(2500));
        cluster().killOperator();
        kills++;
        cluster().startOperator();
      }
      for (String target : RETRAINED) {
        try {
          await(target + ": every trigger's Job reported a model (seed " + SEED + ")")
              .atMost(ROUND)
              .until(
                  () ->
                      jobs(target).size() == triggers.getOrDefault(target, 0)
                          && jobs(target).stream()
                              .allMatch(
                                  job ->
                                      promotedVersionOfJob.containsKey(
                                          job.getMetadata().getName())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          System.out.printf(
              "ChaosE2EIT %s: triggers=%s reported=%s jobs=%s%n%s%n",
              target,
              triggers,
              promotedVersionOfJob.keySet(),
              jobs(target).stream().map(j -> j.getMetadata().getName()).toList(),
              cluster()
                  .kubectl("get", "rtp", target + "-retrain", "-n", NS, "-o", "yaml")
                  .stdout());
          throw e;
        }
      }
    } finally {
      kubelet.shutdownNow();
    }

    await("every resource converged (seed " + SEED + ")")
        .atMost(ROUND)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(this::converged);
    int promotions = promotedVersionOfJob.size();
    System.out.printf(
        "ChaosE2EIT seed=%d: %d kills, %d version edits, %d retrain triggers, %d promotions — all converged%n",
        SEED,
        kills,
        edits,
        triggers.values().stream().mapToInt(Integer::intValue).sum(),
        promotions);
  }

  void act(Random random, int round) {
    switch (random.nextInt(2)) {
      case 0 -> {
        String name = EDITED.get(random.nextInt(EDITED.size()));
        String version = "1." + round + ".0";
        cluster()
            .kubectlOrFail(
                "patch",
                "mdep",
                name,
                "-n",
                NS,
                "--type",
                "merge",
                "-p",
                "{\"spec\":{\"model\":{\"version\":\""
                    + version
                    + "\",\"uri\":\"s3://models/"
                    + name
                    + "/"
                    + version
                    + "\"}}}");
        expectedVersion.put(name, version);
        edits++;
      }
      default -> {
        // One model change at a time per target, so that each promotion is a whole rollout of its
        // own.
        String target = RETRAINED.get(random.nextInt(RETRAINED.size()));
        if (idle(target)) {
          cluster()
              .kubectlOrFail(
                  "annotate",
                  "rtp",
                  target + "-retrain",
                  "-n",
                  NS,
                  "modelops.dev/retrain-now=round-" + round);
          triggers.merge(target, 1, Integer::sum);
        }
      }
    }
  }

  /**
   * The kubelet's part: when a trainer's pod has succeeded (kwok), its termination message carries
   * the model, named after the Job. Runs beside the kills, as trainers finish whenever they finish.
   */
  void trainersReportTheirModels() {
    try {
      for (String target : RETRAINED) {
        for (Job job : jobs(target)) {
          String name = job.getMetadata().getName();
          boolean succeeded =
              api().pods().inNamespace(NS).withLabel("job-name", name).list().getItems().stream()
                  .anyMatch(pod -> "Succeeded".equals(pod.getStatus().getPhase()));
          if (succeeded && !promotedVersionOfJob.containsKey(name)) {
            String version = "2." + name.substring(name.lastIndexOf('-') + 1) + ".0";
            writeTerminationMessage(
                NS,
                job,
                "{\"version\": \""
                    + version
                    + "\", \"uri\": \"s3://models/"
                    + target
                    + "/"
                    + version
                    + "\"}");
            promotedVersionOfJob.put(name, version);
            expectedVersion.put(target, version);
          }
        }
      }
    } catch (RuntimeException e) {
      System.out.println("ChaosE2EIT trainer: " + e); // the next tick tries again
    }
  }

  /** No request pending, every Job reported, and the target serves the last promoted model. */
  boolean idle(String target) {
    RetrainPolicy policy =
        api().resources(RetrainPolicy.class).inNamespace(NS).withName(target + "-retrain").get();
    boolean requested =
        policy.getMetadata().getAnnotations() != null
            && policy
                .getMetadata()
                .getAnnotations()
                .containsKey(RetrainPolicy.RETRAIN_NOW_ANNOTATION);
    ModelDeployment md = mdep(NS, target);
    boolean serving =
        md.getStatus() != null
            && md.getStatus().rollout == null
            && expectedVersion.get(target).equals(md.getSpec().model.version)
            && expectedVersion.get(target).equals(md.getStatus().servingVersion);
    return !requested
        && serving
        && policy.getStatus() != null
        && policy.getStatus().activeJob == null
        && jobs(target).size() == triggers.getOrDefault(target, 0)
        && jobs(target).stream()
            .allMatch(job -> promotedVersionOfJob.containsKey(job.getMetadata().getName()));
  }

  void converged() {
    for (String name : expectedVersion.keySet()) {
      ModelDeployment md = mdep(NS, name);
      assertNotNull(md.getStatus(), name);
      assertEquals(
          expectedVersion.get(name),
          md.getSpec().model.version,
          name + ": a promotion or an edit was lost");
      assertEquals(
          expectedVersion.get(name),
          md.getStatus().servingVersion,
          name + " serves what its spec says");
      assertEquals(null, md.getStatus().rollout, name + ": no rollout left running");
      assertEquals(md.getMetadata().getGeneration(), md.getStatus().observedGeneration, name);
      List<String> children =
          api()
              .apps()
              .deployments()
              .inNamespace(NS)
              .withLabel("modelops.dev/deployment", name)
              .list()
              .getItems()
              .stream()
              .map(Deployment::getMetadata)
              .map(m -> m.getName())
              .toList();
      assertEquals(List.of(name), children, name + ": only the stable Deployment stays");
    }
    for (String target : RETRAINED) {
      List<String> names =
          jobs(target).stream().map(job -> job.getMetadata().getName()).sorted().toList();
      List<String> expected =
          IntStream.rangeClosed(1, triggers.getOrDefault(target, 0))
              .mapToObj(n -> target + "-retrain-retrain-" + n)
              .sorted()
              .toList();
      assertEquals(expected, names, target + ": exactly one Job per trigger");
      RetrainPolicy policy =
          api().resources(RetrainPolicy.class).inNamespace(NS).withName(target + "-retrain").get();
      assertEquals(null, policy.getStatus().activeJob, target);
      assertEquals(
          Long.valueOf(triggers.getOrDefault(target, 0)),
          policy.getStatus().retrainCount == null ? 0L : policy.getStatus().retrainCount,
          target + ": the policy counted one retrain per trigger");
      var history = mdep(NS, target).getStatus().history;
      for (String job : names) {
        String version = promotedVersionOfJob.get(job);
        RetrainRecord record =
            policy.getStatus().history.stream()
                .filter(r -> job.equals(r.job))
                .findFirst()
                .orElseThrow(
                    () -> new AssertionError(job + " is missing from the policy's history"));
        assertEquals(RetrainRecord.Promotion.Promoted, record.promotion, job);
        assertTrue(
            history.stream()
                .anyMatch(
                    entry ->
                        version.equals(entry.version)
                            && entry.source != null
                            && job.equals(entry.source.job)),
            target + "'s history lacks the promotion of " + version + " by " + job);
      }
    }
  }

  static List<Job> jobs(String target) {
    List<Job> jobs =
        new ArrayList<>(
            api()
                .batch()
                .v1()
                .jobs()
                .inNamespace(NS)
                .withLabel("modelops.dev/retrain-policy", target + "-retrain")
                .list()
                .getItems());
    jobs.sort(Comparator.comparing(job -> job.getMetadata().getCreationTimestamp()));
    return jobs;
  }
}
