package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainCandidate;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec.Promotion;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.Conditions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Pure: folds what the retraining Jobs say into the policy's status. Jobs the status does not know
 * yet (an operator that died after creating one) are adopted; finished Jobs get their outcome once,
 * and a successful one yields a model to promote (Automatic) or a candidate (Manual).
 */
public final class RetrainHistory {
  public static final int LIMIT = 10;

  /** How long a Complete Job may show no termination message yet (pod status can lag the Job's). */
  public static final Duration RESULT_GRACE = Duration.ofSeconds(30);

  /** Why a retrain ended as Failed (RetrainRecord.reason). */
  public static final String JOB_FAILED = "JobFailed";

  public static final String JOB_DELETED = "JobDeleted";
  public static final String UNREADABLE_RESULT = "UnreadableResult";
  public static final String PROMOTION_REJECTED = "PromotionRejected";

  /**
   * What the target ModelDeployment runs (spec.model) and where that came from, to tell whether a
   * model found after the fact (a finished Job the status did not know) is newer.
   *
   * @param promotedSequence when this policy promoted spec.model: the sequence of the Job that
   *     produced it
   * @param writtenAt when spec.model was written, if known (the lineage's promotion time, or the
   *     start of its rollout in the ModelDeployment's history)
   */
  public record TargetModel(
      String version, String uri, OptionalLong promotedSequence, Optional<Instant> writtenAt) {}

  /** A model to write to the ModelDeployment, with where it came from. */
  public record Promote(
      String version, String uri, String job, RetrainRecord.Trigger trigger, Double score) {}

  /**
   * {@code awaitingResult}: a Job has completed but its pod's termination message is not visible
   * yet.
   */
  public record Result(List<Event> events, List<Promote> promotions, boolean awaitingResult) {}

  private RetrainHistory() {}

  /**
   * {@link #observe(RetrainPolicyStatus, Collection, Promotion, Optional, Instant)} without a
   * target.
   */
  public static Result observe(
      RetrainPolicyStatus status, Collection<RetrainJobView> jobs, Promotion mode, Instant now) {
    return observe(status, jobs, mode, Optional.empty(), now);
  }

  /**
   * Folds the Jobs into the status. Running records are finished oldest first, so the run of
   * failures counts in the order the retrains ended.
   *
   * @param target what the ModelDeployment runs; a finished Job the status did not know is promoted
   *     only when its model is newer (see {@link #adopt})
   */
  public static Result observe(
      RetrainPolicyStatus status,
      Collection<RetrainJobView> jobs,
      Promotion mode,
      Optional<TargetModel> target,
      Instant now) {
    List<Event> events = new ArrayList<>();
    List<Promote> promotions = new ArrayList<>();
    boolean awaitingResult = false;
    adopt(status, jobs, mode, target, now, events, promotions);
    List<RetrainRecord> running =
        new ArrayList<>(status.history.stream().filter(r -> r.outcome == Outcome.Running).toList());
    Collections.reverse(running);
    for (RetrainRecord record : running) {
      Optional<RetrainJobView> job =
          jobs.stream().filter(j -> j.name().equals(record.job)).findFirst();
      if (job.isEmpty()) {
        finish(
            status,
            record,
            Outcome.Failed,
            JOB_DELETED,
            now,
            "the Job was deleted before it finished");
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
   * Event, and it counts as a failure in a row (the backoff). Read from the target's history, where
   * the lineage names the policy and Job.
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
    if (!events.isEmpty()) {
      status.consecutiveFailures = RetrainBackoff.failuresInARow(status.history);
    }
    return events;
  }

  /**
   * For a registered model this policy promoted: the MLflow run the ModelDeployment's history names
   * for it, and the alias once it was set there (spec.registryAlias, after the rollout).
   */
  public static void reflectRegistry(
      RetrainPolicyStatus status,
      String policy,
      List<dev.modelops.operator.api.v1alpha1.VersionHistoryEntry> targetHistory) {
    if (targetHistory == null) {
      return;
    }
    for (var entry : targetHistory) {
      if (entry.registry == null || entry.source == null || !policy.equals(entry.source.policy)) {
        continue;
      }
      boolean aliasSet =
          entry.aliasUpdate != null
              && entry.aliasUpdate.state
                  == dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate.State.Set;
      status.history.stream()
          .filter(r -> r.job.equals(entry.source.job))
          .forEach(
              r -> {
                r.runId = entry.registry.runId;
                if (aliasSet) {
                  r.registryAlias = entry.aliasUpdate.alias;
                }
              });
    }
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

  /**
   * Jobs the status does not know (a sequence beyond retrainCount): a run that died after creating
   * one, or a status that was lost (e.g. wiped with kubectl patch --subresource=status). A Job that
   * still runs, or whose result is not visible yet, is followed as any other. A finished one is
   * recorded at once with its outcome, and its model is not acted on again: only the newest
   * successful one found, and only when its model is newer than what the ModelDeployment runs, is
   * promoted (or becomes the candidate); the others are recorded NotPromoted.
   */
  private static void adopt(
      RetrainPolicyStatus status,
      Collection<RetrainJobView> jobs,
      Promotion mode,
      Optional<TargetModel> target,
      Instant now,
      List<Event> events,
      List<Promote> promotions) {
    long known = status.retrainCount == null ? 0 : status.retrainCount;
    List<RetrainJobView> unknown =
        jobs.stream()
            .filter(
                j ->
                    j.sequence() > known
                        && status.history.stream().noneMatch(r -> r.job.equals(j.name())))
            .sorted(Comparator.comparingLong(RetrainJobView::sequence))
            .toList();
    Optional<RetrainJobView> newestSucceeded =
        unknown.stream()
            .filter(j -> j.state() == RetrainJobView.State.Succeeded)
            .filter(j -> TrainerResult.parse(j.terminationMessage()).result().isPresent())
            .reduce((older, newer) -> newer);
    for (RetrainJobView j : unknown) {
      RetrainRecord record = started(j.name(), j.trigger(), j.score(), now);
      status.history.add(0, record);
      status.retrainCount =
          Math.max(status.retrainCount == null ? 0 : status.retrainCount, j.sequence());
      if (!j.finished() || resultNotVisibleYet(j, now)) {
        events.add(
            Event.of(
                Reason.RetrainAdopted,
                "found Job " + j.name() + " that a previous run created; following it"));
        continue;
      }
      String found =
          "found finished Job "
              + j.name()
              + " that the status did not record (a previous run died, or the status was lost)";
      Optional<TrainerResult> result =
          j.state() == RetrainJobView.State.Succeeded
              ? TrainerResult.parse(j.terminationMessage()).result()
              : Optional.empty();
      Optional<String> stale =
          result.flatMap(
              r ->
                  newestSucceeded.filter(n -> n.name().equals(j.name())).isEmpty()
                      ? Optional.of("a newer retrain was found with it")
                      : staleAgainst(j, r, target));
      if (result.isPresent() && stale.isPresent()) {
        TrainerResult r = result.get();
        boolean serving =
            target.isPresent()
                && r.version().equals(target.get().version())
                && r.uri().equals(target.get().uri());
        finish(
            status,
            record,
            Outcome.Succeeded,
            null,
            j.finishedAt() != null ? j.finishedAt() : now,
            "produced model "
                + r.version()
                + (serving
                    ? "; the ModelDeployment runs it"
                    : "; recorded after the fact, not promoted: " + stale.get()));
        record.version = r.version();
        record.uri = r.uri();
        record.promotion =
            serving ? RetrainRecord.Promotion.Promoted : RetrainRecord.Promotion.NotPromoted;
        events.add(Event.of(Reason.RetrainAdopted, found + "; it " + record.message));
        continue;
      }
      List<Event> outcome = new ArrayList<>();
      finished(status, record, j, mode, now, outcome, promotions);
      events.add(
          Event.of(
              Reason.RetrainAdopted,
              found
                  + "; "
                  + record.outcome.name().toLowerCase(Locale.ROOT)
                  + ": "
                  + record.message));
      // Its outcome was not counted when it ended; what follows from it (approval) is announced.
      events.addAll(outcome.stream().filter(e -> e.code().retrainOutcome() == null).toList());
    }
  }

  /**
   * Why a model found after the fact is not newer than what the ModelDeployment runs, or empty when
   * it is: this policy promoted a later Job's model there, or spec.model was written after the Job
   * finished, or it cannot be told.
   */
  static Optional<String> staleAgainst(
      RetrainJobView job, TrainerResult result, Optional<TargetModel> target) {
    if (target.isEmpty()) {
      return Optional.of("the ModelDeployment is not there to compare with");
    }
    TargetModel t = target.get();
    if (result.version().equals(t.version()) && result.uri().equals(t.uri())) {
      return Optional.of("the ModelDeployment runs it already");
    }
    if (t.promotedSequence().isPresent()) {
      return job.sequence() > t.promotedSequence().getAsLong()
          ? Optional.empty()
          : Optional.of(
              "the ModelDeployment runs "
                  + t.version()
                  + " from a later retrain of this policy (Job sequence "
                  + t.promotedSequence().getAsLong()
                  + ")");
    }
    if (t.writtenAt().isPresent() && job.finishedAt() != null) {
      return job.finishedAt().isAfter(t.writtenAt().get())
          ? Optional.empty()
          : Optional.of(
              "the ModelDeployment's model "
                  + t.version()
                  + " was written at "
                  + Conditions.timestamp(t.writtenAt().get())
                  + ", after the Job finished");
    }
    return Optional.of(
        "it cannot be told whether it is newer than the ModelDeployment's model " + t.version());
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
      finish(status, record, Outcome.Failed, JOB_FAILED, at, "the Job failed: " + job.failure());
      record.promotion = RetrainRecord.Promotion.NotPromoted;
      events.add(
          Event.of(
              Reason.RetrainFailed,
              "Job " + job.name() + " failed (" + job.failure() + "); nothing is promoted"));
      return;
    }
    TrainerResult.Parsed parsed = TrainerResult.parse(job.terminationMessage());
    if (parsed.result().isEmpty()) {
      finish(status, record, Outcome.Failed, UNREADABLE_RESULT, at, parsed.problem());
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
    finish(status, record, Outcome.Succeeded, null, at, "produced model " + result.version());
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

  /**
   * A model the API server refused to write to the ModelDeployment (400/422): its retrain ends as
   * Failed with reason PromotionRejected, once; it counts as a failure for the cooldown.
   *
   * @param failuresBefore the run of failures the stored status had, before this reconcile
   * @return the Event to record
   */
  public static Event promotionRejected(
      RetrainPolicyStatus status,
      Promote promote,
      String detail,
      int failuresBefore,
      Duration cooldown,
      Instant now) {
    String message =
        "the API server rejected model "
            + promote.version()
            + " for the ModelDeployment: "
            + detail
            + "; nothing is promoted";
    status.history.stream()
        .filter(r -> r.job.equals(promote.job()))
        .forEach(
            r -> {
              r.outcome = Outcome.Failed;
              r.reason = PROMOTION_REJECTED;
              r.promotion = RetrainRecord.Promotion.NotPromoted;
              r.message = Conditions.cap(message, Conditions.MAX_MESSAGE);
              if (r.finishedAt == null) {
                r.finishedAt = Conditions.timestamp(now);
              }
            });
    if (status.lastRetrainFinishedTime == null) {
      status.lastRetrainFinishedTime = Conditions.timestamp(now);
    }
    status.consecutiveFailures = failuresBefore + 1;
    RetrainBackoff.schedule(status, cooldown);
    return Event.of(
        Reason.PromotionRejected,
        Conditions.cap(
            "model " + promote.version() + " from Job " + promote.job() + ": " + message,
            Conditions.MAX_MESSAGE));
  }

  /**
   * Ends a retrain: its outcome and reason, and for every outcome the end time the cooldown counts
   * from and the run of failures.
   */
  private static void finish(
      RetrainPolicyStatus status,
      RetrainRecord record,
      Outcome outcome,
      String reason,
      Instant at,
      String message) {
    record.outcome = outcome;
    record.reason = reason;
    record.finishedAt = Conditions.timestamp(at);
    record.message = Conditions.cap(message, Conditions.MAX_MESSAGE);
    if (status.lastRetrainFinishedTime == null
        || Instant.parse(status.lastRetrainFinishedTime).isBefore(at)) {
      status.lastRetrainFinishedTime = Conditions.timestamp(at);
    }
    RetrainBackoff.count(status, outcome == Outcome.Failed);
  }
}
