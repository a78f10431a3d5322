package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainCandidate;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec.Promotion;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.Conditions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure: folds what the retraining Jobs say into the policy's status. Jobs the status does not know
 * yet (an operator that died after creating one) are adopted; finished Jobs get their outcome once,
 * and a successful one yields a model to promote (Automatic) or a candidate (Manual).
 */
public final class RetrainHistory {
  public static final int LIMIT = 10;

  /** How long a Complete Job may show no termination message yet (pod status can lag the Job's). */
  public static final java.time.Duration RESULT_GRACE = java.time.Duration.ofSeconds(30);

  /** A model to write to the ModelDeployment, with where it came from. */
  public record Promote(
      String version, String uri, String job, RetrainRecord.Trigger trigger, Double score) {}

  /**
   * {@code awaitingResult}: a Job has completed but its pod's termination message is not visible
   * yet.
   */
  public record Result(List<Event> events, List<Promote> promotions, boolean awaitingResult) {}

  private RetrainHistory() {}

  public static Result observe(
      RetrainPolicyStatus status, Collection<RetrainJobView> jobs, Promotion mode, Instant now) {
    List<Event> events = new ArrayList<>();
    List<Promote> promotions = new ArrayList<>();
    boolean awaitingResult = false;
    adopt(status, jobs, now, events);
    for (RetrainRecord record : status.history) {
      if (record.outcome != Outcome.Running) {
        continue;
      }
      Optional<RetrainJobView> job =
          jobs.stream().filter(j -> j.name().equals(record.job)).findFirst();
      if (job.isEmpty()) {
        finish(status, record, Outcome.Failed, now, "the Job was deleted before it finished");
        record.promotion = RetrainRecord.Promotion.NotPromoted;
        events.add(
            Event.of(
                Reason.RetrainFailed, "Job " + record.job + " was deleted before it finished"));
      } else if (resultNotVisibleYet(job.get(), now)) {
        awaitingResult = true;
      } else if (job.get().finished()) {
        finished(status, record, job.get(), mode, now, events, promotions);
      }
    }
    status.activeJob =
        jobs.stream()
            .filter(j -> !j.finished())
            .max(Comparator.comparingLong(RetrainJobView::sequence))
            .map(RetrainJobView::name)
            .orElse(null);
    if (status.history.size() > LIMIT) {
      status.history = new ArrayList<>(status.history.subList(0, LIMIT));
    }
    return new Result(events, promotions, awaitingResult);
  }

  private static boolean resultNotVisibleYet(RetrainJobView job, Instant now) {
    return job.state() == RetrainJobView.State.Succeeded
        && job.terminationMessage() == null
        && job.finishedAt() != null
        && now.isBefore(job.finishedAt().plus(RESULT_GRACE));
  }

  /**
   * A model this policy promoted whose canary was rolled back: its record says so, once, with an
   * Event. Read from the target's history, where the lineage names the policy and Job.
   */
  public static List<Event> reflectRollbacks(
      RetrainPolicyStatus status,
      String policy,
      List<dev.modelops.operator.api.v1alpha1.VersionHistoryEntry> targetHistory) {
    List<Event> events = new ArrayList<>();
    if (targetHistory == null) {
      return events;
    }
    for (var entry : targetHistory) {
      if (entry.outcome != dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome.RolledBack
          || entry.source == null
          || !policy.equals(entry.source.policy)) {
        continue;
      }
      status.history.stream()
          .filter(
              r ->
                  r.job.equals(entry.source.job) && r.promotion == RetrainRecord.Promotion.Promoted)
          .forEach(
              r -> {
                r.promotion = RetrainRecord.Promotion.RolledBack;
                r.message =
                    "model " + r.version + " was rolled back by the canary: " + entry.message;
                events.add(
                    Event.of(
                        Reason.ModelRolledBack,
                        "model "
                            + r.version
                            + " from Job "
                            + r.job
                            + " was rolled back ("
                            + entry.reason
                            + ")"));
              });
    }
    return events;
  }

  /** A record for a retrain that starts now; the caller creates the Job of that name. */
  public static RetrainRecord started(
      String job, RetrainRecord.Trigger trigger, Double score, Instant now) {
    RetrainRecord record = new RetrainRecord();
    record.job = job;
    record.trigger = trigger;
    record.score = score;
    record.startedAt = Conditions.timestamp(now);
    record.outcome = Outcome.Running;
    record.promotion = RetrainRecord.Promotion.Pending;
    return record;
  }

  private static void adopt(
      RetrainPolicyStatus status,
      Collection<RetrainJobView> jobs,
      Instant now,
      List<Event> events) {
    long known = status.retrainCount == null ? 0 : status.retrainCount;
    jobs.stream()
        .filter(
            j ->
                j.sequence() > known
                    && status.history.stream().noneMatch(r -> r.job.equals(j.name())))
        .sorted(Comparator.comparingLong(RetrainJobView::sequence))
        .forEach(
            j -> {
              status.history.add(0, started(j.name(), j.trigger(), j.score(), now));
              status.retrainCount =
                  Math.max(status.retrainCount == null ? 0 : status.retrainCount, j.sequence());
              events.add(
                  Event.of(
                      Reason.RetrainAdopted,
                      "found Job " + j.name() + " that a previous run created; following it"));
            });
  }

  private static void finished(
      RetrainPolicyStatus status,
      RetrainRecord record,
      RetrainJobView job,
      Promotion mode,
      Instant now,
      List<Event> events,
      List<Promote> promotions) {
    Instant at = job.finishedAt() != null ? job.finishedAt() : now;
    if (job.state() == RetrainJobView.State.Failed) {
      finish(status, record, Outcome.Failed, at, "the Job failed: " + job.failure());
      record.promotion = RetrainRecord.Promotion.NotPromoted;
      events.add(
          Event.of(
              Reason.RetrainFailed,
              "Job " + job.name() + " failed (" + job.failure() + "); nothing is promoted"));
      return;
    }
    TrainerResult.Parsed parsed = TrainerResult.parse(job.terminationMessage());
    if (parsed.result().isEmpty()) {
      finish(status, record, Outcome.Failed, at, parsed.problem());
      record.promotion = RetrainRecord.Promotion.NotPromoted;
      events.add(
          Event.of(
              Reason.UnreadableResult,
              "Job "
                  + job.name()
                  + " succeeded but "
                  + parsed.problem()
                  + "; nothing is promoted"));
      return;
    }
    TrainerResult result = parsed.result().get();
    finish(status, record, Outcome.Succeeded, at, "produced model " + result.version());
    record.version = result.version();
    record.uri = result.uri();
    events.add(
        Event.of(
            Reason.RetrainSucceeded,
            "Job " + job.name() + " produced model " + result.version() + " at " + result.uri()));
    if (mode == Promotion.Manual) {
      supersedeCandidate(status);
      status.candidate = new RetrainCandidate();
      status.candidate.version = result.version();
      status.candidate.uri = result.uri();
      status.candidate.job = job.name();
      record.promotion = RetrainRecord.Promotion.AwaitingApproval;
      events.add(
          Event.of(
              Reason.AwaitingApproval,
              "model "
                  + result.version()
                  + " waits for approval: annotate the policy"
                  + " modelops.dev/approve="
                  + result.version()));
    } else {
      record.promotion = RetrainRecord.Promotion.Promoted;
      promotions.add(
          new Promote(result.version(), result.uri(), job.name(), record.trigger, record.score));
    }
  }

  /**
   * Marks the candidate's record approved and clears it; returns what to promote, if the version
   * matches.
   */
  public static Optional<Promote> approve(RetrainPolicyStatus status, String approvedVersion) {
    if (status.candidate == null || !status.candidate.version.equals(approvedVersion)) {
      return Optional.empty();
    }
    RetrainCandidate candidate = status.candidate;
    status.candidate = null;
    RetrainRecord record =
        status.history.stream().filter(r -> candidate.job.equals(r.job)).findFirst().orElse(null);
    if (record != null) {
      record.promotion = RetrainRecord.Promotion.Promoted;
    }
    return Optional.of(
        new Promote(
            candidate.version,
            candidate.uri,
            candidate.job,
            record != null ? record.trigger : RetrainRecord.Trigger.manual,
            record != null ? record.score : null));
  }

  /**
   * Under promotion: Manual, Git may carry the candidate to the ModelDeployment (commit, then Argo
   * CD syncs): once the target's spec runs the candidate's version and URI, it was promoted without
   * an approval.
   */
  public static Optional<Event> candidateInSpec(
      RetrainPolicyStatus status, String specVersion, String specUri) {
    RetrainCandidate candidate = status.candidate;
    if (candidate == null
        || !candidate.version.equals(specVersion)
        || !candidate.uri.equals(specUri)) {
      return Optional.empty();
    }
    status.candidate = null;
    status.history.stream()
        .filter(r -> candidate.job.equals(r.job))
        .forEach(r -> r.promotion = RetrainRecord.Promotion.Promoted);
    return Optional.of(
        Event.of(
            Reason.CandidateDeployed,
            "model "
                + candidate.version
                + " from Job "
                + candidate.job
                + " is in the ModelDeployment's spec (e.g. committed to Git); nothing left to approve"));
  }

  private static void supersedeCandidate(RetrainPolicyStatus status) {
    if (status.candidate != null) {
      String job = status.candidate.job;
      status.history.stream()
          .filter(r -> job.equals(r.job))
          .forEach(r -> r.promotion = RetrainRecord.Promotion.Superseded);
    }
  }

  private static void finish(
      RetrainPolicyStatus status,
      RetrainRecord record,
      Outcome outcome,
      Instant at,
      String message) {
    record.outcome = outcome;
    record.finishedAt = Conditions.timestamp(at);
    record.message = Conditions.cap(message, Conditions.MAX_MESSAGE);
    if (status.lastRetrainFinishedTime == null
        || Instant.parse(status.lastRetrainFinishedTime).isBefore(at)) {
      status.lastRetrainFinishedTime = Conditions.timestamp(at);
    }
  }
}
