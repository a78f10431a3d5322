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
    var events = RetrainHistory.reflectRollbacks(status, "p", List.of(rejected));
    assertEquals(RetrainRecord.Promotion.RolledBack, status.history.get(0).promotion);
    assertEquals("ModelRolledBack", events.get(0).reason());
    assertTrue(
        RetrainHistory.reflectRollbacks(status, "p", List.of(rejected)).isEmpty(), "reported once");
    assertTrue(
        RetrainHistory.reflectRollbacks(running("q-retrain-1"), "q", List.of(rejected)).isEmpty(),
        "other policies' models are not ours");
  }
}
