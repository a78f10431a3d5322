package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.admission.PodSecurityStandard;
import dev.modelops.operator.admission.WorkloadReferences;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentRef;
import dev.modelops.operator.api.v1alpha1.PodMetricsSource;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import dev.modelops.operator.serving.ModelDeployments;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The planner as the reconciler drives it, against simulated Jobs and a clock: what a policy does
 * over hours with trainers that exit at once without a result, that fail, and that succeed.
 */
class RetrainPlannerTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final Duration TICK = Duration.ofSeconds(5);
  static final WorkloadReferences.Access NONE =
      new WorkloadReferences.Access() {
        @Override
        public boolean secretUsable(String name) {
          return false;
        }

        @Override
        public boolean serviceAccountUsable(String name) {
          return false;
        }
      };

  /** What a trainer does: how long it runs and what it leaves. */
  enum Trainer {
    NO_RESULT,
    FAILS,
    SUCCEEDS
  }

  /** The cluster as the planner sees it: Jobs that the plans created, finishing on their own. */
  static final class Simulation {
    final RetrainPolicy policy = policy();
    final ModelDeployment target = ModelDeployments.churn("1.4.0");
    final List<RetrainJobView> jobs = new ArrayList<>();
    final List<Instant> created = new ArrayList<>();
    final Map<String, Instant> ends = new HashMap<>();
    Trainer trainer = Trainer.NO_RESULT;
    double score = 0.7;
    Instant now = T0;

    RetrainPlan step() {
      // Jobs end one second after they start.
      for (int i = 0; i < jobs.size(); i++) {
        RetrainJobView j = jobs.get(i);
        Instant end = ends.get(j.name());
        if (!j.finished() && !now.isBefore(end)) {
          jobs.set(i, finish(j, end));
        }
      }
      RetrainPlan plan =
          RetrainPlanner.plan(
              new RetrainPlanner.Inputs(
                  policy,
                  Optional.of(target),
                  List.copyOf(jobs),
                  Optional.of(DriftEvaluation.of(score, Map.of())),
                  PodSecurityStandard.Level.restricted,
                  NONE,
                  now));
      plan.jobToCreate().ifPresent(this::created);
      policy.setStatus(plan.status());
      return plan;
    }

    void created(Job job) {
      Map<String, String> annotations = job.getMetadata().getAnnotations();
      jobs.add(
          new RetrainJobView(
              job.getMetadata().getName(),
              Long.parseLong(annotations.get(Keys.SEQUENCE_ANNOTATION)),
              Trigger.valueOf(job.getMetadata().getLabels().get(Keys.TRIGGER_LABEL)),
              TriggerId.parse(annotations.get(Keys.TRIGGER_ID_ANNOTATION)),
              null,
              RetrainJobView.State.Running,
              null,
              null,
              null));
      created.add(now);
      ends.put(job.getMetadata().getName(), now.plusSeconds(1));
    }

    RetrainJobView finish(RetrainJobView j, Instant end) {
      return new RetrainJobView(
          j.name(),
          j.sequence(),
          j.trigger(),
          j.triggerId(),
          j.score(),
          trainer == Trainer.FAILS ? RetrainJobView.State.Failed : RetrainJobView.State.Succeeded,
          end,
          trainer == Trainer.SUCCEEDS
              ? "{\"version\": \"1."
                  + (4 + j.sequence())
                  + ".0\", \"uri\": \"s3://models/churn/1."
                  + (4 + j.sequence())
                  + ".0\"}"
              : null,
          trainer == Trainer.FAILS ? "BackoffLimitExceeded: exit 1" : null);
    }

    void runFor(Duration duration) {
      Instant until = now.plus(duration);
      while (now.isBefore(until)) {
        step();
        now = now.plus(TICK);
      }
    }

    String retraining() {
      return Conditions.find(policy.getStatus().conditions, RetrainConditions.RETRAINING)
          .orElseThrow()
          .getMessage();
    }
  }

  static RetrainPolicy policy() {
    RetrainPolicy policy = new RetrainPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder()
            .withName("churn-drift")
            .withNamespace("ml")
            .withUid("p-uid")
            .withGeneration(1L)
            .withCreationTimestamp(T0.toString())
            .build());
    RetrainPolicySpec spec = new RetrainPolicySpec();
    spec.modelDeploymentRef = new ModelDeploymentRef();
    spec.modelDeploymentRef.name = "churn";
    spec.drift = new DriftSpec();
    spec.drift.podMetrics = new PodMetricsSource();
    spec.drift.podMetrics.metric = "model_drift_score";
    spec.drift.threshold = 0.3;
    spec.drift.forDuration = "4s";
    spec.cooldown = "1h";
    spec.promotion = RetrainPolicySpec.Promotion.Automatic;
    try {
      spec.jobTemplate =
          new ObjectMapper()
              .readTree(
                  "{\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"train\","
                      + " \"image\": \"example.test/trainer:1\"}]}}}}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    policy.setSpec(spec);
    return policy;
  }

  @Test
  void trainersThatExitWithoutAResultStartOneJobPerBackedOffCooldownNeverAStorm() {
    Simulation sim = new Simulation();
    sim.runFor(Duration.ofMinutes(2));
    assertEquals(1, sim.created.size(), "one Job, then nothing: " + sim.created);
    RetrainRecord first = sim.policy.getStatus().history.get(0);
    assertEquals(RetrainRecord.Outcome.Failed, first.outcome, "no result within RESULT_GRACE");
    assertEquals(RetrainHistory.UNREADABLE_RESULT, first.reason);
    Instant firstEnd = sim.created.get(0).plusSeconds(1);
    assertEquals(Conditions.timestamp(firstEnd), sim.policy.getStatus().lastRetrainFinishedTime);
    assertEquals(
        Conditions.timestamp(firstEnd.plus(Duration.ofHours(1))),
        sim.policy.getStatus().nextEligibleTime);
    assertTrue(
        sim.retraining().contains("drift may start the next retrain from "), sim.retraining());

    sim.runFor(Duration.ofHours(8));
    // 1h after the first ended, 2h after the second, 4h after the third; the next is 8h away.
    assertEquals(4, sim.created.size(), sim.created.toString());
    for (int i = 1; i < sim.created.size(); i++) {
      Duration gap = Duration.between(sim.created.get(i - 1).plusSeconds(1), sim.created.get(i));
      Duration cooldown = Duration.ofHours(1L << (i - 1));
      assertTrue(
          gap.compareTo(cooldown) >= 0 && gap.compareTo(cooldown.plus(TICK)) <= 0,
          "Job " + (i + 1) + " came " + gap + " after the previous ended, cooldown " + cooldown);
    }
    assertEquals(4, sim.policy.getStatus().consecutiveFailures);
    assertTrue(sim.retraining().contains("4 failures in a row"), sim.retraining());
    assertTrue(sim.retraining().contains("backed off to 8h"), sim.retraining());
  }

  @Test
  void failingJobsBackOffAndASuccessResetsTheCooldown() {
    Simulation sim = new Simulation();
    sim.trainer = Trainer.FAILS;
    sim.runFor(Duration.ofHours(3).plusMinutes(1));
    assertEquals(3, sim.created.size(), sim.created.toString());
    assertEquals(RetrainHistory.JOB_FAILED, sim.policy.getStatus().history.get(0).reason);

    sim.trainer = Trainer.SUCCEEDS;
    sim.runFor(Duration.ofHours(4).plusMinutes(1));
    assertEquals(4, sim.created.size());
    assertEquals(0, sim.policy.getStatus().consecutiveFailures, "the success ends the run");
    Instant end = sim.created.get(3).plusSeconds(1);
    assertEquals(
        Conditions.timestamp(end.plus(Duration.ofHours(1))),
        sim.policy.getStatus().nextEligibleTime,
        "back to the configured cooldown");
    sim.runFor(Duration.ofHours(1).plusMinutes(1));
    assertEquals(5, sim.created.size(), "drift still holds: the next retrain after 1h");
  }

  @Test
  void aManualRequestOverridesTheBackoffOncePerValue() {
    Simulation sim = new Simulation();
    sim.trainer = Trainer.FAILS;
    sim.runFor(Duration.ofMinutes(1));
    assertEquals(1, sim.created.size());
    sim.policy
        .getMetadata()
        .setAnnotations(new HashMap<>(Map.of(Keys.RETRAIN_NOW_ANNOTATION, "please")));
    sim.runFor(Duration.ofMinutes(10));
    assertEquals(2, sim.created.size(), "at once, and only once for that value");
    assertEquals(Trigger.manual, sim.jobs.get(1).trigger());
    sim.policy.getMetadata().getAnnotations().put(Keys.RETRAIN_NOW_ANNOTATION, "again");
    sim.runFor(Duration.ofMinutes(10));
    assertEquals(3, sim.created.size(), "a new value is a new request");
  }

  @Test
  void aScheduleSlotIsNotHeldByTheBackoff() {
    Simulation sim = new Simulation();
    sim.policy.getSpec().schedule = "30 * * * *";
    sim.trainer = Trainer.FAILS;
    sim.runFor(Duration.ofMinutes(20));
    assertEquals(1, sim.created.size(), "drift, once");
    sim.runFor(Duration.ofMinutes(15));
    assertEquals(2, sim.created.size(), "the 10:30 slot starts its Job despite the cooldown");
    assertEquals(Trigger.schedule, sim.jobs.get(1).trigger());
  }

  @Test
  void underReplaceADueSlotWhoseJobExistsIsNotRunAgain() {
    // A run created the Job for the 11:00 slot and died before recording it: the stored status has
    // neither the slot nor the Job.
    Simulation sim = new Simulation();
    sim.score = 0.0;
    sim.policy.getSpec().schedule = "0 * * * *";
    sim.policy.getSpec().concurrency = RetrainPolicySpec.Concurrency.Replace;
    sim.now = Instant.parse("2026-11-27T10:59:58Z");
    sim.step();
    assertTrue(sim.created.isEmpty());
    sim.now = Instant.parse("2026-11-27T11:00:01Z");
    sim.step();
    assertEquals(1, sim.created.size());
    // Forget what that reconcile recorded (the status still has the previous slot), keep its Job.
    sim.policy.getStatus().lastScheduleTime = "2026-11-27T10:00:00Z";
    sim.policy.getStatus().history.clear();
    sim.policy.getStatus().retrainCount = 0L;
    sim.policy.getStatus().activeJob = null;
    sim.ends.put(sim.jobs.get(0).name(), Instant.parse("2026-11-27T12:00:00Z"));

    sim.now = Instant.parse("2026-11-27T11:00:03Z");
    RetrainPlan plan = sim.step();
    assertTrue(plan.jobToCreate().isEmpty(), "the slot's Job exists: nothing new");
    assertTrue(plan.jobsToReplace().isEmpty(), "and the Job it just adopted is not replaced");
    assertEquals("2026-11-27T11:00:00Z", plan.status().lastScheduleTime);
    assertEquals(
        "churn-drift-retrain-1", plan.status().activeJob, "the adopted Job is the slot's answer");
  }

  @Test
  void withAnyMixOfTrainersDriftNeverStartsInsideTheCooldownNorTwoJobsAtOnce() {
    java.util.Random r = new java.util.Random(2026);
    for (int run = 0; run < 5; run++) {
      Simulation sim = new Simulation();
      Instant lastEnd = null;
      int started = 0;
      for (int tick = 0; tick < 1000; tick++) {
        sim.trainer = Trainer.values()[r.nextInt(3)];
        sim.score = r.nextInt(10) == 0 ? 0.1 : 0.7;
        var before = sim.policy.getStatus();
        Instant eligible =
            before == null || before.nextEligibleTime == null
                ? null
                : Instant.parse(before.nextEligibleTime);
        RetrainPlan plan = sim.step();
        if (plan.jobToCreate().isPresent()) {
          started++;
          String where = "run " + run + " tick " + tick + " at " + sim.now;
          assertTrue(
              sim.jobs.stream().filter(j -> !j.finished()).count() == 1,
              where + ": one Job at a time (Forbid)");
          if (eligible != null) {
            assertTrue(!sim.now.isBefore(eligible), where + ": not before " + eligible);
          }
          if (lastEnd != null) {
            assertTrue(
                !sim.now.isBefore(lastEnd.plus(Duration.ofHours(1))),
                where + ": the cooldown counts from the end of every retrain");
          }
        }
        if (plan.status().lastRetrainFinishedTime != null) {
          lastEnd = Instant.parse(plan.status().lastRetrainFinishedTime);
        }
        sim.now = sim.now.plus(Duration.ofSeconds(1 + r.nextInt(120)));
      }
      assertEquals(
          java.util.stream.LongStream.rangeClosed(1, started).boxed().toList(),
          sim.jobs.stream().map(RetrainJobView::sequence).toList(),
          "run " + run + ": Jobs named 1..n, none twice");
    }
  }

  @Test
  void aLostStatusDoesNotRunTheLastScheduleSlotAgain() {
    Simulation sim = new Simulation();
    sim.score = 0.0;
    sim.trainer = Trainer.SUCCEEDS;
    sim.policy.getSpec().schedule = "0 * * * *";
    sim.policy.getSpec().promotion = RetrainPolicySpec.Promotion.Manual;
    sim.runFor(Duration.ofMinutes(70));
    assertEquals(1, sim.created.size(), "the 11:00 slot");
    assertEquals(Trigger.schedule, sim.jobs.get(0).trigger());

    sim.policy.setStatus(null); // kubectl patch rtp --subresource=status -p '{"status":null}'
    sim.runFor(Duration.ofMinutes(30));
    assertEquals(1, sim.created.size(), "11:00 answered already; 12:00 is not due yet");
    assertEquals(1L, sim.policy.getStatus().retrainCount);
    assertEquals("2026-11-27T11:00:00Z", sim.policy.getStatus().lastScheduleTime);
    assertTrue(
        sim.policy.getStatus().candidate == null,
        "the model of a Job found after the fact is no candidate: the target runs it or not, who"
            + " can tell");
    sim.runFor(Duration.ofMinutes(30));
    assertEquals(2, sim.created.size(), "the 12:00 slot");
  }
}
