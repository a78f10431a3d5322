package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec.Promotion;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Outcome;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.observability.Event;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetrainHistoryTest {
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  static final Instant DONE = NOW.minusSeconds(60);
  static final String GOOD = "{\"version\": \"2.0.0\", \"uri\": \"s3://m/2.0.0\"}";

  static RetrainPolicyStatus running(String job) {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.retrainCount = 1L;
    status.history.add(RetrainHistory.started(job, Trigger.drift, 0.4, NOW.minusSeconds(600)));
    status.activeJob = job;
    return status;
  }

  static RetrainJobView job(String name, long seq, RetrainJobView.State state, String message) {
    return new RetrainJobView(
        name,
        seq,
        Trigger.drift,
        TriggerId.parse("drift:x"),
        0.4,
        state,
        state == RetrainJobView.State.Running ? null : DONE,
        message,
        state == RetrainJobView.State.Failed ? "BackoffLimitExceeded: boom" : null);
  }

  @Test
  void aSucceededJobUnderAutomaticIsPromotedOnce() {
    RetrainPolicyStatus status = running("p-retrain-1");
    var result =
        RetrainHistory.observe(
            status,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
            Promotion.Automatic,
            NOW);
    assertEquals(1, result.promotions().size());
    assertEquals("2.0.0", result.promotions().get(0).version());
    RetrainRecord record = status.history.get(0);
    assertEquals(Outcome.Succeeded, record.outcome);
    assertEquals(RetrainRecord.Promotion.Promoted, record.promotion);
    assertEquals(
        "2026-11-27T11:59:00Z",
        status.lastRetrainFinishedTime,
        "cooldown counts from the Job's end");
    assertNull(status.activeJob);
    var again =
        RetrainHistory.observe(
            status,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
            Promotion.Automatic,
            NOW);
    assertTrue(
        again.promotions().isEmpty() && again.events().isEmpty(),
        "a recorded outcome is not acted on twice");
  }

  @Test
  void underManualTheModelBecomesACandidateUntilApproved() {
    RetrainPolicyStatus status = running("p-retrain-1");
    var result =
        RetrainHistory.observe(
            status,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
            Promotion.Manual,
            NOW);
    assertTrue(result.promotions().isEmpty());
    assertEquals("2.0.0", status.candidate.version);
    assertEquals(RetrainRecord.Promotion.AwaitingApproval, status.history.get(0).promotion);
    assertTrue(
        RetrainHistory.approve(status, "1.9.9").isEmpty(), "another version is not approved");
    var approved = RetrainHistory.approve(status, "2.0.0").orElseThrow();
    assertEquals("s3://m/2.0.0", approved.uri());
    assertNull(status.candidate);
    assertEquals(RetrainRecord.Promotion.Promoted, status.history.get(0).promotion);
  }

  @Test
  void underManualACandidateCommittedToTheSpecNeedsNoApproval() {
    RetrainPolicyStatus status = running("p-retrain-1");
    RetrainHistory.observe(
        status,
        List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
        Promotion.Manual,
        NOW);
    assertTrue(
        RetrainHistory.candidateInSpec(status, "2.0.0", "s3://m/other").isEmpty(),
        "the URI must match too");
    assertTrue(RetrainHistory.candidateInSpec(status, "1.0.0", "s3://m/2.0.0").isEmpty());
    Event event = RetrainHistory.candidateInSpec(status, "2.0.0", "s3://m/2.0.0").orElseThrow();
    assertEquals("CandidateDeployed", event.reason());
    assertNull(status.candidate);
    assertEquals(RetrainRecord.Promotion.Promoted, status.history.get(0).promotion);
    assertTrue(RetrainHistory.candidateInSpec(status, "2.0.0", "s3://m/2.0.0").isEmpty(), "once");
  }

  @Test
  void failedJobsAndUnreadableResultsPromoteNothingAndWarn() {
    RetrainPolicyStatus failed = running("p-retrain-1");
    var f =
        RetrainHistory.observe(
            failed,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Failed, null)),
            Promotion.Automatic,
            NOW);
    assertTrue(f.promotions().isEmpty());
    assertEquals(Outcome.Failed, failed.history.get(0).outcome);
    assertEquals(List.of("RetrainFailed"), f.events().stream().map(Event::reason).toList());
    assertEquals(Event.Type.Warning, f.events().get(0).type());

    RetrainPolicyStatus garbage = running("p-retrain-1");
    var g =
        RetrainHistory.observe(
            garbage,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, "ok!")),
            Promotion.Automatic,
            NOW);
    assertTrue(g.promotions().isEmpty());
    assertEquals(Outcome.Failed, garbage.history.get(0).outcome);
    assertEquals("UnreadableResult", g.events().get(0).reason());
  }

  @Test
  void aMissingTerminationMessageIsAwaitedBrieflyThenReported() {
    RetrainPolicyStatus status = running("p-retrain-1");
    var justDone =
        new RetrainJobView(
            "p-retrain-1",
            1,
            Trigger.drift,
            TriggerId.parse("drift:x"),
            0.4,
            RetrainJobView.State.Succeeded,
            NOW.minusSeconds(5),
            null,
            null);
    var waiting = RetrainHistory.observe(status, List.of(justDone), Promotion.Automatic, NOW);
    assertTrue(waiting.awaitingResult());
    assertEquals(Outcome.Running, status.history.get(0).outcome);
    var late =
        RetrainHistory.observe(
            status, List.of(justDone), Promotion.Automatic, NOW.plus(RetrainHistory.RESULT_GRACE));
    assertEquals(Outcome.Failed, status.history.get(0).outcome);
    assertEquals("UnreadableResult", late.events().get(0).reason());
  }

  @Test
  void aJobDeletedBeforeItFinishedIsAFailure() {
    RetrainPolicyStatus status = running("p-retrain-1");
    var result = RetrainHistory.observe(status, List.of(), Promotion.Automatic, NOW);
    assertEquals(Outcome.Failed, status.history.get(0).outcome);
    assertTrue(status.history.get(0).message.contains("deleted"));
    assertEquals("RetrainFailed", result.events().get(0).reason());
  }

  @Test
  void aJobUnknownToStatusIsAdoptedAndCountsAsTheTrigger() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    var result =
        RetrainHistory.observe(
            status,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Running, null)),
            Promotion.Automatic,
            NOW);
    assertEquals(1L, status.retrainCount);
    assertEquals("p-retrain-1", status.activeJob);
    assertEquals("RetrainAdopted", result.events().get(0).reason());
  }

  @Test
  void aPromotedModelThatTheCanaryRejectedIsMarkedRolledBack() {
    RetrainPolicyStatus status = running("p-retrain-1");
    RetrainHistory.observe(
        status,
        List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
        Promotion.Automatic,
        NOW);
    VersionHistoryEntry rejected =
        new VersionHistoryEntry(
            "2.0.0", "s3://m/2.0.0", NOW.toString(), VersionHistoryEntry.Outcome.RolledBack);
    rejected.reason = "AnalysisFailed";
    rejected.message = "2 failed measurements";
    rejected.source = new ModelSource();
    rejected.source.policy = "p";
    rejected.source.job = "p-retrain-1";
    assertEquals(0, status.consecutiveFailures, "the Job itself succeeded");
    var events = RetrainHistory.reflectRollbacks(status, "p", List.of(rejected));
    assertEquals(RetrainRecord.Promotion.RolledBack, status.history.get(0).promotion);
    assertEquals("ModelRolledBack", events.get(0).reason());
    assertEquals(1, status.consecutiveFailures, "a rolled-back model is a failure in a row");
    assertTrue(
        RetrainHistory.reflectRollbacks(status, "p", List.of(rejected)).isEmpty(), "reported once");
    assertTrue(
        RetrainHistory.reflectRollbacks(running("q-retrain-1"), "q", List.of(rejected)).isEmpty(),
        "other policies' models are not ours");
  }

  @Test
  void aRegisteredModelsRunAndAliasAreReadBackFromTheModelDeployment() {
    RetrainPolicyStatus status = running("p-retrain-1");
    status.history.get(0).promotion = RetrainRecord.Promotion.Promoted;
    var serving =
        new VersionHistoryEntry("4", "s3://mlflow/4", "t", VersionHistoryEntry.Outcome.Serving);
    serving.source = new ModelSource();
    serving.source.policy = "p";
    serving.source.job = "p-retrain-1";
    serving.registry = new dev.modelops.operator.api.v1alpha1.RegistryModel();
    serving.registry.runId = "0a1b";
    serving.aliasUpdate = new dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate();
    serving.aliasUpdate.alias = "champion";
    serving.aliasUpdate.state =
        dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate.State.Pending;

    RetrainHistory.reflectRegistry(status, "p", List.of(serving));
    assertEquals("0a1b", status.history.get(0).runId);
    assertEquals(null, status.history.get(0).registryAlias, "not until it is set");

    serving.aliasUpdate.state = dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate.State.Set;
    RetrainHistory.reflectRegistry(status, "p", List.of(serving));
    assertEquals("champion", status.history.get(0).registryAlias);
    RetrainPolicyStatus other = running("q-retrain-1");
    RetrainHistory.reflectRegistry(other, "q", List.of(serving));
    assertEquals(null, other.history.get(0).runId, "other policies' models are not ours");
  }

  // --- every ending moves the cooldown; failures in a row back it off ---

  static RetrainJobView finishedAt(String name, long seq, RetrainJobView.State state, Instant at) {
    return new RetrainJobView(
        name,
        seq,
        Trigger.drift,
        TriggerId.parse("drift:x"),
        0.4,
        state,
        at,
        state == RetrainJobView.State.Succeeded ? GOOD : null,
        state == RetrainJobView.State.Failed ? "BackoffLimitExceeded: boom" : null);
  }

  @Test
  void everyWayARetrainEndsStampsTheEndAndCountsTheFailure() {
    // A failed Job.
    RetrainPolicyStatus failed = running("p-retrain-1");
    RetrainHistory.observe(
        failed,
        List.of(job("p-retrain-1", 1, RetrainJobView.State.Failed, null)),
        Promotion.Automatic,
        NOW);
    assertEquals("2026-11-27T11:59:00Z", failed.lastRetrainFinishedTime);
    assertEquals(1, failed.consecutiveFailures);
    assertEquals(RetrainHistory.JOB_FAILED, failed.history.get(0).reason);

    // A Complete Job whose result is not JSON.
    RetrainPolicyStatus garbage = running("p-retrain-1");
    RetrainHistory.observe(
        garbage,
        List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, "done")),
        Promotion.Automatic,
        NOW);
    assertEquals("2026-11-27T11:59:00Z", garbage.lastRetrainFinishedTime);
    assertEquals(1, garbage.consecutiveFailures);
    assertEquals(RetrainHistory.UNREADABLE_RESULT, garbage.history.get(0).reason);

    // A Complete Job with no termination message at all, once RESULT_GRACE has passed.
    RetrainPolicyStatus silent = running("p-retrain-1");
    RetrainJobView noMessage =
        new RetrainJobView(
            "p-retrain-1",
            1,
            Trigger.drift,
            TriggerId.parse("drift:x"),
            0.4,
            RetrainJobView.State.Succeeded,
            NOW.minusSeconds(5),
            null,
            null);
    RetrainHistory.observe(silent, List.of(noMessage), Promotion.Automatic, NOW);
    assertNull(silent.lastRetrainFinishedTime, "still reading the result");
    RetrainHistory.observe(
        silent, List.of(noMessage), Promotion.Automatic, NOW.plus(RetrainHistory.RESULT_GRACE));
    assertEquals("2026-11-27T11:59:55Z", silent.lastRetrainFinishedTime, "the Job's own end");
    assertEquals(1, silent.consecutiveFailures);
    assertEquals(RetrainHistory.UNREADABLE_RESULT, silent.history.get(0).reason);

    // A Job deleted before it finished.
    RetrainPolicyStatus deleted = running("p-retrain-1");
    RetrainHistory.observe(deleted, List.of(), Promotion.Automatic, NOW);
    assertEquals("2026-11-27T12:00:00Z", deleted.lastRetrainFinishedTime);
    assertEquals(1, deleted.consecutiveFailures);
    assertEquals(RetrainHistory.JOB_DELETED, deleted.history.get(0).reason);

    // A success ends the run.
    RetrainPolicyStatus succeeded = running("p-retrain-1");
    succeeded.consecutiveFailures = 4;
    RetrainHistory.observe(
        succeeded,
        List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
        Promotion.Automatic,
        NOW);
    assertEquals("2026-11-27T11:59:00Z", succeeded.lastRetrainFinishedTime);
    assertEquals(0, succeeded.consecutiveFailures);
    assertNull(succeeded.history.get(0).reason);
  }

  @Test
  void failuresInARowAreCountedInTheOrderTheRetrainsEnded() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    status.retrainCount = 2L;
    status.history.add(RetrainHistory.started("p-retrain-1", Trigger.drift, 0.4, NOW));
    status.history.add(0, RetrainHistory.started("p-retrain-2", Trigger.manual, null, NOW));
    RetrainHistory.observe(
        status,
        List.of(
            finishedAt("p-retrain-1", 1, RetrainJobView.State.Failed, DONE),
            finishedAt("p-retrain-2", 2, RetrainJobView.State.Succeeded, NOW)),
        Promotion.Automatic,
        NOW);
    assertEquals(0, status.consecutiveFailures, "the later success ends the run");
    assertEquals("2026-11-27T12:00:00Z", status.lastRetrainFinishedTime, "the latest end");
  }

  @Test
  void aRejectedPromotionIsAFailureOfItsRetrainRecordedOnce() {
    RetrainPolicyStatus status = running("p-retrain-1");
    var result =
        RetrainHistory.observe(
            status,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
            Promotion.Automatic,
            NOW);
    Event event =
        RetrainHistory.promotionRejected(
            status,
            result.promotions().get(0),
            "spec.model.uri: Invalid value",
            2,
            java.time.Duration.ofHours(1),
            NOW);
    RetrainRecord record = status.history.get(0);
    assertEquals(Outcome.Failed, record.outcome);
    assertEquals(RetrainHistory.PROMOTION_REJECTED, record.reason);
    assertEquals(RetrainRecord.Promotion.NotPromoted, record.promotion);
    assertTrue(record.message.contains("spec.model.uri: Invalid value"), record.message);
    assertEquals(3, status.consecutiveFailures, "counted on top of the run before it");
    assertEquals("2026-11-27T15:59:00Z", status.nextEligibleTime, "3 in a row: 1h x 4 from 11:59");
    assertEquals("PromotionRejected", event.reason());
    assertEquals(Event.Type.Warning, event.type());
    var again =
        RetrainHistory.observe(
            status,
            List.of(job("p-retrain-1", 1, RetrainJobView.State.Succeeded, GOOD)),
            Promotion.Automatic,
            NOW.plusSeconds(60));
    assertTrue(again.promotions().isEmpty(), "not tried again");
    assertTrue(again.events().isEmpty());
  }

  // --- a lost status brings nothing back ---

  static RetrainHistory.TargetModel target(String version, Long promotedSequence, Instant at) {
    return new RetrainHistory.TargetModel(
        version,
        "s3://m/" + version,
        promotedSequence == null
            ? java.util.OptionalLong.empty()
            : java.util.OptionalLong.of(promotedSequence),
        java.util.Optional.ofNullable(at));
  }

  static RetrainJobView produced(long seq, String version, Instant finished) {
    return new RetrainJobView(
        "p-retrain-" + seq,
        seq,
        Trigger.drift,
        TriggerId.parse("drift:" + seq),
        0.4,
        RetrainJobView.State.Succeeded,
        finished,
        "{\"version\": \"" + version + "\", \"uri\": \"s3://m/" + version + "\"}",
        null);
  }

  @Test
  void afterALostStatusRetainedJobsAreRecordedNotPromotedAgain() {
    // Jobs 3, 4 and 5 succeeded long ago; 5's model (1.5.0) is what the ModelDeployment runs.
    RetrainPolicyStatus wiped = new RetrainPolicyStatus();
    var result =
        RetrainHistory.observe(
            wiped,
            List.of(
                produced(3, "1.3.0", NOW.minusSeconds(9000)),
                produced(4, "1.4.0", NOW.minusSeconds(6000)),
                produced(5, "1.5.0", NOW.minusSeconds(3000)),
                finishedAt("p-retrain-6", 6, RetrainJobView.State.Failed, NOW.minusSeconds(600))),
            Promotion.Automatic,
            java.util.Optional.of(target("1.5.0", 5L, NOW.minusSeconds(2990))),
            NOW);
    assertTrue(result.promotions().isEmpty(), "nothing is promoted again");
    assertEquals(6L, wiped.retrainCount, "the next Job is -retrain-7");
    assertEquals(
        List.of("p-retrain-6", "p-retrain-5", "p-retrain-4", "p-retrain-3"),
        wiped.history.stream().map(r -> r.job).toList());
    assertEquals(Outcome.Failed, wiped.history.get(0).outcome);
    assertEquals(RetrainRecord.Promotion.Promoted, wiped.history.get(1).promotion, "it serves");
    assertEquals(RetrainRecord.Promotion.NotPromoted, wiped.history.get(2).promotion);
    assertEquals(RetrainRecord.Promotion.NotPromoted, wiped.history.get(3).promotion);
    assertEquals(
        "2026-11-27T11:50:00Z", wiped.lastRetrainFinishedTime, "the cooldown survives the loss");
    assertEquals(1, wiped.consecutiveFailures, "and so does the run of failures");
    assertTrue(
        result.events().stream().allMatch(e -> e.reason().equals("RetrainAdopted")),
        "each is reported as found; no outcome is counted twice");
    assertTrue(
        RetrainHistory.observe(
                wiped,
                List.of(
                    produced(3, "1.3.0", NOW.minusSeconds(9000)),
                    produced(5, "1.5.0", NOW.minusSeconds(3000))),
                Promotion.Automatic,
                java.util.Optional.of(target("1.5.0", 5L, NOW.minusSeconds(2990))),
                NOW)
            .events()
            .isEmpty(),
        "recorded once");
  }

  @Test
  void onlyTheNewestFoundModelIsPromotedAndOnlyWhenItIsNewerThanTheLineage() {
    // The ModelDeployment runs 1.3.0 from this policy's Job 3; Jobs 4 and 5 finished unrecorded.
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    var result =
        RetrainHistory.observe(
            status,
            List.of(
                produced(4, "1.4.0", NOW.minusSeconds(600)),
                produced(5, "1.5.0", NOW.minusSeconds(300))),
            Promotion.Automatic,
            java.util.Optional.of(target("1.3.0", 3L, NOW.minusSeconds(3600))),
            NOW);
    assertEquals(
        List.of("1.5.0"),
        result.promotions().stream().map(RetrainHistory.Promote::version).toList());
    assertEquals(RetrainRecord.Promotion.Promoted, status.history.get(0).promotion);
    assertEquals(RetrainRecord.Promotion.NotPromoted, status.history.get(1).promotion);
    assertTrue(
        status.history.get(1).message.contains("newer retrain"), status.history.get(1).message);

    // Written by a person after Job 5 finished: the person's model is newer.
    RetrainPolicyStatus manual = new RetrainPolicyStatus();
    assertTrue(
        RetrainHistory.observe(
                manual,
                List.of(produced(5, "1.5.0", NOW.minusSeconds(300))),
                Promotion.Automatic,
                java.util.Optional.of(target("2.0.0", null, NOW.minusSeconds(100))),
                NOW)
            .promotions()
            .isEmpty());
    assertTrue(manual.history.get(0).message.contains("after the Job finished"));

    // Written before Job 5 finished: Job 5's model is newer and is promoted.
    RetrainPolicyStatus older = new RetrainPolicyStatus();
    assertEquals(
        1,
        RetrainHistory.observe(
                older,
                List.of(produced(5, "1.5.0", NOW.minusSeconds(300))),
                Promotion.Automatic,
                java.util.Optional.of(target("2.0.0", null, NOW.minusSeconds(900))),
                NOW)
            .promotions()
            .size());

    // Nothing to compare with: recorded, not promoted.
    RetrainPolicyStatus unknown = new RetrainPolicyStatus();
    assertTrue(
        RetrainHistory.observe(
                unknown,
                List.of(produced(5, "1.5.0", NOW.minusSeconds(300))),
                Promotion.Automatic,
                java.util.Optional.of(target("2.0.0", null, null)),
                NOW)
            .promotions()
            .isEmpty());
  }

  @Test
  void aFoundModelNewerThanTheLineageBecomesTheCandidateUnderManual() {
    RetrainPolicyStatus status = new RetrainPolicyStatus();
    var result =
        RetrainHistory.observe(
            status,
            List.of(produced(2, "1.2.0", NOW.minusSeconds(60))),
            Promotion.Manual,
            java.util.Optional.of(target("1.1.0", 1L, NOW.minusSeconds(3600))),
            NOW);
    assertTrue(result.promotions().isEmpty());
    assertEquals("1.2.0", status.candidate.version);
    assertEquals(
        List.of("RetrainAdopted", "AwaitingApproval"),
        result.events().stream().map(Event::reason).toList());
  }
}
