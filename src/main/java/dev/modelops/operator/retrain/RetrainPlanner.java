package dev.modelops.operator.retrain;

import dev.modelops.operator.admission.PodSecurityStandard;
import dev.modelops.operator.admission.WorkloadReferences;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.RegistryReference;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.retrain.RetrainPlan.Promotion;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Pure: plans one reconcile of a RetrainPolicy from what was gathered. In order: what the Jobs say
 * (RetrainHistory), a person's approval or Git carrying the candidate, the latest drift
 * measurement, configuration problems (RetrainConditions), whether to retrain now
 * (RetrainDecision), which finished Jobs to prune, and the conditions.
 */
public final class RetrainPlanner {
  static final String TRAINER_POD = "jobTemplate.spec.template.spec";

  /** How soon to look again while a completed Job's result is not visible yet. */
  static final Duration RESULT_RECHECK = Duration.ofSeconds(5);

  /**
   * What the reconciler gathered from the informers and the drift poller, the Pod Security level
   * the administrator chose for trainers, and what the namespace's owner offered them.
   */
  public record Inputs(
      RetrainPolicy policy,
      Optional<ModelDeployment> target,
      List<RetrainJobView> jobs,
      Optional<DriftEvaluation> evaluation,
      PodSecurityStandard.Level trainerSecurity,
      WorkloadReferences.Access access,
      Instant now) {}

  private RetrainPlanner() {}

  public static RetrainPlan plan(Inputs in) {
    RetrainPolicy policy = in.policy();
    RetrainPolicySpec spec = policy.getSpec();
    RetrainPolicyStatus stored = policy.getStatus();
    Instant now = in.now();
    RetrainPolicyStatus status =
        Optional.ofNullable(StatusChange.copy(stored, RetrainPolicyStatus.class))
            .orElseGet(RetrainPolicyStatus::new);
    status.observedGeneration = policy.getMetadata().getGeneration();
    List<Event> events = new ArrayList<>();
    List<Promotion> promotions = new ArrayList<>();

    // 1. What the Jobs say: adopt unknown ones, record finished ones, promote successful ones;
    // every retrain that ended moves the time drift may trigger the next one.
    var observed =
        RetrainHistory.observe(
            status,
            in.jobs(),
            spec.promotionOrDefault(),
            targetModel(policy, in.target(), in.jobs()),
            now);
    events.addAll(observed.events());
    observed.promotions().forEach(p -> promote(policy, p, "automatic", promotions));
    in.target()
        .filter(md -> md.getStatus() != null)
        .ifPresent(
            md -> {
              events.addAll(
                  RetrainHistory.reflectRollbacks(
                      status, policy.getMetadata().getName(), md.getStatus().history));
              RetrainHistory.reflectRegistry(
                  status, policy.getMetadata().getName(), md.getStatus().history);
            });
    RetrainBackoff.schedule(status, spec.cooldownOrDefault());

    // 2. A person approved a candidate (promotion: Manual)...
    String approval = Keys.annotation(policy, Keys.APPROVE_ANNOTATION);
    boolean approvalHandled = false;
    if (approval != null) {
      if (alreadyPromoted(stored, approval)) {
        approvalHandled = true;
      } else {
        Optional<RetrainHistory.Promote> approved = RetrainHistory.approve(status, approval);
        approved.ifPresent(p -> promote(policy, p, "manual", promotions));
        if (approved.isEmpty()) {
          events.add(
              Event.of(
                  Reason.ApprovalIgnored,
                  "nothing to approve for version "
                      + approval
                      + (status.candidate == null
                          ? ": there is no candidate"
                          : ": the candidate is " + status.candidate.version)));
          approvalHandled = true;
        }
      }
    }
    // ...or committed it to the ModelDeployment themselves (GitOps): nothing is written then.
    in.target()
        .flatMap(
            md ->
                RetrainHistory.candidateInSpec(
                    status,
                    md.getSpec().model.version != null
                        ? md.getSpec().model.version
                        : md.getSpec()
                            .model
                            .registryReference()
                            .map(RegistryReference::version)
                            .orElse(null),
                    md.getSpec().model.uri))
        .ifPresent(
            event -> {
              events.add(event);
              promotions.add(new Promotion("manual", Optional.empty(), Optional.empty()));
            });

    // 3. The latest measurement, reported only when it changed (steady state writes nothing).
    in.evaluation()
        .filter(DriftEvaluation::available)
        .ifPresent(
            e -> {
              Map<String, Double> features = e.features().isEmpty() ? null : e.features();
              if (!Objects.equals(status.score, e.score())
                  || !Objects.equals(status.features, features)) {
                status.score = e.score();
                status.features = features;
                status.lastEvaluationTime = Conditions.timestamp(now);
              }
            });

    // 4. Configuration problems stop retraining but not measuring.
    RetrainConditions.Problem problem =
        problem(policy, in.target(), in.trainerSecurity(), in.access());
    RetrainSchedule schedule =
        spec.schedule == null || problem != null ? null : RetrainSchedule.parse(spec.schedule);
    // Without lastScheduleTime (a lost status), the newest slot a Job answered, which it records.
    if (status.lastScheduleTime == null) {
      in.jobs().stream()
          .flatMap(j -> j.triggerId().stream())
          .filter(t -> t.trigger() == RetrainRecord.Trigger.schedule)
          .flatMap(t -> instant(t.value()).stream())
          .max(Comparator.naturalOrder())
          .ifPresent(slot -> status.lastScheduleTime = Conditions.timestamp(slot));
    }
    Instant scheduleAfter =
        status.lastScheduleTime != null
            ? Instant.parse(status.lastScheduleTime)
            : policy.getMetadata().getCreationTimestamp() != null
                ? Instant.parse(policy.getMetadata().getCreationTimestamp())
                : now;

    // A schedule slot whose Job exists was answered (by a run that died before recording it):
    // consumed, never started again, and under Replace never the reason to delete that very Job.
    Optional<Instant> dueSlot =
        schedule == null ? Optional.empty() : schedule.dueSlot(scheduleAfter, now);
    if (dueSlot.isPresent()) {
      Optional<TriggerId> dueId =
          Optional.of(TriggerId.schedule(Conditions.timestamp(dueSlot.get())));
      if (in.jobs().stream().anyMatch(j -> j.triggerId().equals(dueId))) {
        status.lastScheduleTime = Conditions.timestamp(dueSlot.get());
        dueSlot = Optional.empty();
      }
    }

    // 5. Decide whether to retrain now. Drift waits for the cooldown in force (backed off after
    // failures in a row); a manual request (once per value) and a schedule slot do not.
    String manualValue = Keys.annotation(policy, Keys.RETRAIN_NOW_ANNOTATION);
    Optional<TriggerId> manualId = Optional.ofNullable(manualValue).map(TriggerId::manual);
    boolean manualDone =
        manualId.isPresent() && in.jobs().stream().anyMatch(j -> j.triggerId().equals(manualId));
    // A Job that completed but whose result is not read yet is still this retrain: until its
    // record ends (RESULT_GRACE at most), nothing else starts for drift, nor under Forbid.
    boolean jobRunning =
        in.jobs().stream().anyMatch(j -> !j.finished()) || observed.awaitingResult();
    var outcome =
        RetrainDecision.decide(
            new RetrainDecision.Inputs(
                spec.suspended(),
                in.evaluation().map(DriftEvaluation::score).orElse(null),
                spec.drift != null ? spec.drift.threshold : Double.MAX_VALUE,
                spec.drift != null ? spec.drift.holdFor() : Duration.ZERO,
                RetrainBackoff.cooldown(status, spec.cooldownOrDefault()),
                spec.concurrencyOrDefault(),
                status.breachStartedAt != null ? Instant.parse(status.breachStartedAt) : null,
                status.lastRetrainFinishedTime != null
                    ? Instant.parse(status.lastRetrainFinishedTime)
                    : null,
                manualValue != null && !manualDone && problem == null,
                dueSlot,
                schedule == null ? Optional.empty() : schedule.nextSlot(now),
                jobRunning,
                now));
    status.breachStartedAt =
        outcome.breachStartedAt() == null ? null : Conditions.timestamp(outcome.breachStartedAt());
    outcome
        .consumedScheduleSlot()
        .ifPresent(slot -> status.lastScheduleTime = Conditions.timestamp(slot));
    outcome.skipped().forEach(message -> events.add(Event.of(Reason.RetrainSkipped, message)));
    Optional<Job> jobToCreate = Optional.empty();
    List<String> jobsToReplace = List.of();
    if (outcome.start().isPresent() && problem == null) {
      var start = outcome.start().get();
      TriggerId triggerId =
          switch (start.trigger()) {
            case manual -> manualId.orElseThrow();
            case schedule -> TriggerId.schedule(status.lastScheduleTime);
            case drift -> TriggerId.drift(status.breachStartedAt);
          };
      if (start.replaceRunning()) {
        jobsToReplace = replaceRunning(status, in.jobs(), now);
      }
      Double score = in.evaluation().map(DriftEvaluation::score).orElse(null);
      jobToCreate =
          Optional.of(start(policy, in.target().orElseThrow(), status, triggerId, score, now));
      events.add(
          Event.of(
              Reason.RetrainTriggered,
              "started Job "
                  + jobToCreate.get().getMetadata().getName()
                  + " (trigger "
                  + start.trigger()
                  + (score == null ? "" : ", drift score " + RetrainJobFactory.formatScore(score))
                  + ")"));
    }

    RetrainConditions.apply(policy, status, in.evaluation(), problem, now);
    if (problem != null
        && !problem
            .reason()
            .equals(
                Conditions.reason(
                        stored == null ? null : stored.conditions, RetrainConditions.RETRAINING)
                    .orElse(""))) {
      events.add(Event.of(problem.code(), problem.message()));
    }

    List<String> pending = new ArrayList<>();
    List<String> handled = new ArrayList<>();
    if (approval != null) {
      pending.add(Keys.APPROVE_ANNOTATION);
    }
    if (manualValue != null) {
      pending.add(Keys.RETRAIN_NOW_ANNOTATION);
    }
    if (manualDone) {
      handled.add(Keys.RETRAIN_NOW_ANNOTATION);
    }
    if (approvalHandled) {
      handled.add(Keys.APPROVE_ANNOTATION);
    }
    Optional<Duration> wakeUp = outcome.wakeUpIn();
    if (observed.awaitingResult()) {
      wakeUp = earliest(wakeUp, Optional.of(RESULT_RECHECK));
    }
    return new RetrainPlan(
        status,
        jobToCreate,
        jobsToReplace,
        jobsToPrune(policy, in.jobs()),
        promotions,
        events,
        pending,
        handled,
        wakeUp);
  }

  static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    return Stream.of(a, b).flatMap(Optional::stream).min(Duration::compareTo);
  }

  private static void promote(
      RetrainPolicy policy,
      RetrainHistory.Promote promote,
      String mode,
      List<Promotion> promotions) {
    promotions.add(
        new Promotion(
            mode,
            Optional.of(promote),
            Optional.of(
                Event.of(
                    Reason.Promoted,
                    "model "
                        + promote.version()
                        + " from Job "
                        + promote.job()
                        + " written to ModelDeployment "
                        + policy.getSpec().modelDeploymentRef.name
                        + " ("
                        + mode
                        + ")"))));
  }

  /**
   * What the target runs and where it came from: the lineage annotation when it describes
   * spec.model (this policy's Job sequence, the promotion time), else the start of spec.model's
   * rollout in the target's history.
   */
  static Optional<RetrainHistory.TargetModel> targetModel(
      RetrainPolicy policy, Optional<ModelDeployment> target, List<RetrainJobView> jobs) {
    return target.map(
        md -> {
          // An alias reference has no version in its spec: the one it is pinned to stands for it.
          String version =
              md.getSpec().model.version != null
                  ? md.getSpec().model.version
                  : md.getStatus() != null && md.getStatus().registry != null
                      ? md.getStatus().registry.version
                      : "";
          String uri = md.getSpec().model.uri;
          Optional<ModelLineage> lineage =
              ModelLineage.of(md, version).filter(l -> uri.equals(l.uri()));
          OptionalLong promotedSequence =
              lineage
                  .filter(l -> policy.getMetadata().getName().equals(l.policy()) && l.job() != null)
                  .map(
                      l ->
                          jobs.stream()
                              .filter(j -> j.name().equals(l.job()) && j.sequence() > 0)
                              .mapToLong(RetrainJobView::sequence)
                              .findFirst()
                              .orElse(RetrainJobFactory.sequenceOf(l.job()).orElse(0)))
                  .map(OptionalLong::of)
                  .orElse(OptionalLong.empty());
          Optional<Instant> writtenAt =
              lineage
                  .flatMap(l -> instant(l.promotedAt()))
                  .or(
                      () ->
                          md.getStatus() == null || md.getStatus().history == null
                              ? Optional.empty()
                              : md.getStatus().history.stream()
                                  .filter(
                                      h ->
                                          version.equals(h.version)
                                              && (uri.equals(h.uri)
                                                  || (h.registry != null
                                                      && uri.equals(h.registry.modelUri))))
                                  .findFirst()
                                  .flatMap(h -> instant(h.startedAt)));
          return new RetrainHistory.TargetModel(version, uri, promotedSequence, writtenAt);
        });
  }

  private static Optional<Instant> instant(String text) {
    try {
      return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A problem that stops retraining (target, jobTemplate, schedule), or null. */
  static RetrainConditions.Problem problem(
      RetrainPolicy policy,
      Optional<ModelDeployment> target,
      PodSecurityStandard.Level level,
      WorkloadReferences.Access access) {
    if (target.isEmpty()) {
      return new RetrainConditions.Problem(
          Reason.TargetNotFound,
          "ModelDeployment "
              + policy.getSpec().modelDeploymentRef.name
              + " does not exist in namespace "
              + policy.getMetadata().getNamespace());
    }
    PodSpec pod;
    try {
      pod = RetrainJobFactory.trainerPod(policy);
    } catch (InvalidJobTemplateException e) {
      return new RetrainConditions.Problem(Reason.InvalidJobTemplate, e.getMessage());
    }
    List<String> unsafe = PodSecurityStandard.violations(pod, level, TRAINER_POD);
    if (!unsafe.isEmpty()) {
      return new RetrainConditions.Problem(
          Reason.UnsafeJobTemplate,
          "the trainer pod would not meet the "
              + level
              + " Pod Security Standard: "
              + String.join("; ", unsafe));
    }
    List<String> refused =
        WorkloadReferences.refusals(pod, TRAINER_POD, Keys.IDENTITY_TRAINER, access);
    if (!refused.isEmpty()) {
      return new RetrainConditions.Problem(Reason.ReferenceNotAllowed, String.join("; ", refused));
    }
    if (policy.getSpec().schedule != null) {
      try {
        RetrainSchedule.parse(policy.getSpec().schedule);
      } catch (IllegalArgumentException e) {
        return new RetrainConditions.Problem(Reason.InvalidSchedule, e.getMessage());
      }
    }
    return null;
  }

  /** The next Job, recorded in the status as running. */
  private static Job start(
      RetrainPolicy policy,
      ModelDeployment target,
      RetrainPolicyStatus status,
      TriggerId triggerId,
      Double score,
      Instant now) {
    long sequence = (status.retrainCount == null ? 0 : status.retrainCount) + 1;
    Job job;
    try {
      job = RetrainJobFactory.build(policy, target, triggerId.trigger(), score, sequence);
    } catch (InvalidJobTemplateException e) {
      throw new IllegalStateException(e); // checked by problem() before any decision
    }
    job.getMetadata().getAnnotations().put(Keys.TRIGGER_ID_ANNOTATION, triggerId.toString());
    status.retrainCount = sequence;
    status.activeJob = job.getMetadata().getName();
    status.lastRetrainTime = Conditions.timestamp(now);
    status.history.add(
        0, RetrainHistory.started(job.getMetadata().getName(), triggerId.trigger(), score, now));
    return job;
  }

  /** Marks the running Jobs replaced (concurrency Replace); returns their names. */
  private static List<String> replaceRunning(
      RetrainPolicyStatus status, List<RetrainJobView> jobs, Instant now) {
    List<String> replaced = new ArrayList<>();
    for (RetrainJobView view : jobs) {
      if (view.finished()) {
        continue;
      }
      replaced.add(view.name());
      status.history.stream()
          .filter(r -> r.job.equals(view.name()))
          .forEach(
              r -> {
                r.outcome = RetrainRecord.Outcome.Replaced;
                r.promotion = RetrainRecord.Promotion.NotPromoted;
                r.finishedAt = Conditions.timestamp(now);
                r.message = "replaced by a newer trigger (concurrency Replace)";
              });
    }
    return replaced;
  }

  /** Finished Jobs beyond the history limits, once their outcome is in the stored status. */
  static List<String> jobsToPrune(RetrainPolicy policy, List<RetrainJobView> jobs) {
    RetrainPolicyStatus stored = policy.getStatus();
    if (stored == null) {
      return List.of();
    }
    List<RetrainJobView> recorded =
        jobs.stream()
            .filter(RetrainJobView::finished)
            .filter(
                v ->
                    stored.history.stream()
                        .anyMatch(
                            r ->
                                r.job.equals(v.name())
                                    && r.outcome != RetrainRecord.Outcome.Running))
            .sorted(Comparator.comparingLong(RetrainJobView::sequence).reversed())
            .toList();
    int keepSucceeded = policy.getSpec().successfulJobsHistoryLimitOrDefault();
    int keepFailed = policy.getSpec().failedJobsHistoryLimitOrDefault();
    return Stream.concat(
            recorded.stream()
                .filter(v -> v.state() == RetrainJobView.State.Succeeded)
                .skip(keepSucceeded),
            recorded.stream()
                .filter(v -> v.state() == RetrainJobView.State.Failed)
                .skip(keepFailed))
        .map(RetrainJobView::name)
        .toList();
  }

  /**
   * The stored status already shows this version approved: promoted, or refused by the API server
   * (PromotionRejected, which is not tried again).
   */
  private static boolean alreadyPromoted(RetrainPolicyStatus stored, String version) {
    return stored != null
        && (stored.candidate == null || !version.equals(stored.candidate.version))
        && stored.history.stream()
            .anyMatch(
                r ->
                    version.equals(r.version)
                        && (r.promotion == RetrainRecord.Promotion.Promoted
                            || RetrainHistory.PROMOTION_REJECTED.equals(r.reason)));
  }
}
