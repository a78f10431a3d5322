package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.drift.DriftEvaluation;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.EventRecorder;
import dev.modelops.operator.observability.RetrainMetrics;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.PermanentError;
import dev.modelops.operator.status.StatusChange;
import dev.modelops.operator.support.Durations;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Watches drift, starts retraining Jobs and promotes what they produce. Decisions live in
 * RetrainDecision, RetrainHistory and RetrainConditions; this class gathers their inputs and
 * carries out their results. Annotations (retrain-now, approve) must wake it, so it reacts to every
 * change of the policy, not only to spec changes.
 */
@ControllerConfiguration(
    name = RetrainPolicyReconciler.NAME,
    generationAwareEventProcessing = false)
public class RetrainPolicyReconciler implements Reconciler<RetrainPolicy> {
  public static final String NAME = "retrainpolicy";
  private static final Logger LOG = Logger.getLogger(RetrainPolicyReconciler.class);

  private final EventRecorder events;
  private final ModelPromoter promoter;
  private final RetrainMetrics metrics;
  private final int fetchThreads;
  private final TargetWatch targetWatch = new TargetWatch();

  public RetrainPolicyReconciler(
      EventRecorder events,
      ModelPromoter promoter,
      RetrainMetrics metrics,
      OperatorSettings settings) {
    this.events = events;
    this.promoter = promoter;
    this.metrics = metrics;
    this.fetchThreads = settings.drift().fetchThreads();
  }

  @Override
  public List<EventSource<?, RetrainPolicy>> prepareEventSources(
      EventSourceContext<RetrainPolicy> context) {
    return RetrainEventSources.create(context, fetchThreads, metrics);
  }

  @Override
  public UpdateControl<RetrainPolicy> reconcile(
      RetrainPolicy policy, Context<RetrainPolicy> context) {
    targetWatch.ensureStarted(context);
    Instant now = Instant.now();
    RetrainPolicySpec spec = policy.getSpec();
    RetrainPolicyStatus status =
        Optional.ofNullable(StatusChange.copy(policy.getStatus(), RetrainPolicyStatus.class))
            .orElseGet(RetrainPolicyStatus::new);
    status.observedGeneration = policy.getMetadata().getGeneration();
    Optional<ModelDeployment> target = context.getSecondaryResource(ModelDeployment.class);
    Set<Pod> pods = context.getSecondaryResources(Pod.class);
    List<Job> jobs = context.getSecondaryResources(Job.class).stream().toList();
    List<RetrainJobView> jobViews = jobs.stream().map(job -> RetrainJobView.of(job, pods)).toList();
    Optional<DriftEvaluation> evaluation =
        spec.drift == null ? Optional.empty() : context.getSecondaryResource(DriftEvaluation.class);

    // 1. What the Jobs say: adopt unknown ones, record finished ones, promote successful ones.
    var observed = RetrainHistory.observe(status, jobViews, promotionMode(spec), now);
    observed.events().forEach(event -> record(policy, event));
    observed.promotions().forEach(promote -> promote(policy, promote, "automatic", now));
    target
        .filter(md -> md.getStatus() != null)
        .ifPresent(
            md ->
                RetrainHistory.reflectRollbacks(
                        status, policy.getMetadata().getName(), md.getStatus().history)
                    .forEach(event -> record(policy, event)));

    // 2. A person approved a candidate (promotion: Manual). Annotations are removed only once the
    // stored
    //    status shows they were handled: writing the policy's metadata mid-reconcile would make
    // this
    //    reconcile's status patch conflict and lose what it recorded.
    String approval = annotation(policy, RetrainPolicy.APPROVE_ANNOTATION);
    boolean removeApproval = false;
    if (approval != null) {
      if (alreadyPromoted(policy.getStatus(), approval)) {
        removeApproval = true;
      } else {
        Optional<RetrainHistory.Promote> approved = RetrainHistory.approve(status, approval);
        approved.ifPresent(promote -> promote(policy, promote, "manual", now));
        if (approved.isEmpty()) {
          record(
              policy,
              Event.warning(
                  "ApprovalIgnored",
                  "nothing to approve for version "
                      + approval
                      + (status.candidate == null
                          ? ": there is no candidate"
                          : ": the candidate is " + status.candidate.version)));
          removeApproval = true;
        }
      }
    }

    // 2b. ...or committed the candidate to the ModelDeployment themselves (GitOps): nothing is
    // written then.
    target.ifPresent(
        md ->
            RetrainHistory.candidateInSpec(
                    status, md.getSpec().model.version, md.getSpec().model.uri)
                .ifPresent(
                    event -> {
                      record(policy, event);
                      metrics.promoted(
                          policy.getMetadata().getNamespace(),
                          policy.getMetadata().getName(),
                          "manual");
                    }));

    // 3. The latest measurement, reported only when it changed (steady state writes nothing).
    evaluation
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
    RetrainConditions.Problem problem = problem(policy, target);
    RetrainSchedule schedule =
        spec.schedule == null || problem != null ? null : RetrainSchedule.parse(spec.schedule);
    Instant scheduleAfter =
        status.lastScheduleTime != null
            ? Instant.parse(status.lastScheduleTime)
            : policy.getMetadata().getCreationTimestamp() != null
                ? Instant.parse(policy.getMetadata().getCreationTimestamp())
                : now;

    // 5. Decide, then act.
    String manualValue = annotation(policy, RetrainPolicy.RETRAIN_NOW_ANNOTATION);
    boolean manualDone =
        manualValue != null
            && jobViews.stream().anyMatch(j -> ("manual:" + manualValue).equals(j.triggerId()));
    boolean jobRunning = jobViews.stream().anyMatch(j -> !j.finished());
    var outcome =
        RetrainDecision.decide(
            new RetrainDecision.Inputs(
                Boolean.TRUE.equals(spec.suspend),
                evaluation.map(DriftEvaluation::score).orElse(null),
                spec.drift != null ? spec.drift.threshold : Double.MAX_VALUE,
                spec.drift != null
                    ? Durations.parseOr(spec.drift.forDuration, Duration.ZERO)
                    : Duration.ZERO,
                Durations.parseOr(spec.cooldown, Duration.ofHours(1)),
                spec.concurrency != null ? spec.concurrency : RetrainPolicySpec.Concurrency.Forbid,
                status.breachStartedAt != null ? Instant.parse(status.breachStartedAt) : null,
                status.lastRetrainFinishedTime != null
                    ? Instant.parse(status.lastRetrainFinishedTime)
                    : null,
                manualValue != null && !manualDone && problem == null,
                schedule == null ? Optional.empty() : schedule.dueSlot(scheduleAfter, now),
                schedule == null ? Optional.empty() : schedule.nextSlot(now),
                jobRunning,
                now));
    status.breachStartedAt =
        outcome.breachStartedAt() == null ? null : Conditions.timestamp(outcome.breachStartedAt());
    outcome
        .consumedScheduleSlot()
        .ifPresent(slot -> status.lastScheduleTime = Conditions.timestamp(slot));
    outcome.skipped().forEach(message -> record(policy, Event.normal("RetrainSkipped", message)));
    if (outcome.start().isPresent() && problem == null) {
      var start = outcome.start().get();
      String triggerId =
          switch (start.trigger()) {
            case manual -> "manual:" + manualValue;
            case schedule -> "schedule:" + status.lastScheduleTime;
            case drift -> "drift:" + status.breachStartedAt;
          };
      if (start.replaceRunning()) {
        replaceRunning(context.getClient(), status, jobs, jobViews, now);
      }
      startRetrain(
          context.getClient(),
          policy,
          target.get(),
          status,
          start.trigger(),
          triggerId,
          evaluation.map(DriftEvaluation::score).orElse(null),
          now);
    }
    deleteOldJobs(context.getClient(), policy, jobViews, jobs);

    RetrainConditions.apply(policy, status, evaluation, problem, now);
    if (problem != null
        && !problem
            .reason()
            .equals(
                Conditions.reason(
                        policy.getStatus() == null ? null : policy.getStatus().conditions,
                        RetrainConditions.RETRAINING)
                    .orElse(""))) {
      record(policy, Event.warning(problem.reason(), problem.message()));
    }
    UpdateControl<RetrainPolicy> control = UpdateControl.noUpdate();
    boolean annotationsToRemove = approval != null || manualValue != null;
    if (StatusChange.differs(policy.getStatus(), status)) {
      policy.setStatus(status);
      control = UpdateControl.patchStatus(policy);
    } else {
      // Status already records what the annotations asked for: now they can go.
      if (manualDone) {
        removeAnnotation(context.getClient(), policy, RetrainPolicy.RETRAIN_NOW_ANNOTATION);
      }
      if (removeApproval) {
        removeAnnotation(context.getClient(), policy, RetrainPolicy.APPROVE_ANNOTATION);
      }
    }
    Optional<Duration> wakeUp = outcome.wakeUpIn();
    if (annotationsToRemove && control.isPatchStatus()) {
      // Handled, but removing them now would make this status patch conflict: a second later they
      // go.
      wakeUp = Optional.of(Duration.ofSeconds(1));
    }
    if (observed.awaitingResult()) {
      Duration soon = Duration.ofSeconds(5);
      wakeUp = Optional.of(wakeUp.filter(d -> d.compareTo(soon) < 0).orElse(soon));
    }
    return wakeUp.map(control::rescheduleAfter).orElse(control);
  }

  private RetrainConditions.Problem problem(
      RetrainPolicy policy, Optional<ModelDeployment> target) {
    if (target.isEmpty()) {
      return new RetrainConditions.Problem(
          "TargetNotFound",
          "ModelDeployment "
              + policy.getSpec().modelDeploymentRef.name
              + " does not exist in namespace "
              + policy.getMetadata().getNamespace());
    }
    try {
      RetrainJobFactory.template(policy);
    } catch (InvalidJobTemplateException e) {
      return new RetrainConditions.Problem("InvalidJobTemplate", e.getMessage());
    }
    if (policy.getSpec().schedule != null) {
      try {
        RetrainSchedule.parse(policy.getSpec().schedule);
      } catch (IllegalArgumentException e) {
        return new RetrainConditions.Problem("InvalidSchedule", e.getMessage());
      }
    }
    return null;
  }

  private void startRetrain(
      KubernetesClient client,
      RetrainPolicy policy,
      ModelDeployment target,
      RetrainPolicyStatus status,
      RetrainRecord.Trigger trigger,
      String triggerId,
      Double score,
      Instant now) {
    long sequence = (status.retrainCount == null ? 0 : status.retrainCount) + 1;
    Job job;
    try {
      job = RetrainJobFactory.build(policy, target, trigger, score, sequence);
    } catch (InvalidJobTemplateException e) {
      throw new IllegalStateException(e); // checked by problem() before any decision
    }
    job.getMetadata().getAnnotations().put(RetrainJobView.TRIGGER_ID_ANNOTATION, triggerId);
    try {
      client.resource(job).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Created by a run that died before it could record it: the same trigger, the same Job.
      LOG.infof(
          "%s/%s: Job %s already exists; adopting it",
          policy.getMetadata().getNamespace(),
          policy.getMetadata().getName(),
          job.getMetadata().getName());
    }
    status.retrainCount = sequence;
    status.activeJob = job.getMetadata().getName();
    status.lastRetrainTime = Conditions.timestamp(now);
    status.history.add(0, RetrainHistory.started(job.getMetadata().getName(), trigger, score, now));
    metrics.retrainStarted(
        policy.getMetadata().getNamespace(), policy.getMetadata().getName(), trigger.name());
    record(
        policy,
        Event.normal(
            "RetrainTriggered",
            "started Job "
                + job.getMetadata().getName()
                + " (trigger "
                + trigger
                + (score == null ? "" : ", drift score " + RetrainJobFactory.formatScore(score))
                + ")"));
  }

  private void replaceRunning(
      KubernetesClient client,
      RetrainPolicyStatus status,
      List<Job> jobs,
      List<RetrainJobView> views,
      Instant now) {
    for (RetrainJobView view : views) {
      if (view.finished()) {
        continue;
      }
      jobs.stream()
          .filter(j -> j.getMetadata().getName().equals(view.name()))
          .findFirst()
          .ifPresent(
              job ->
                  client
                      .resource(job)
                      .withPropagationPolicy(
                          io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                      .delete());
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
  }

  /**
   * Deletes finished Jobs beyond the history limits, once their outcome is in the stored status.
   */
  private void deleteOldJobs(
      KubernetesClient client, RetrainPolicy policy, List<RetrainJobView> views, List<Job> jobs) {
    if (policy.getStatus() == null) {
      return;
    }
    int keepSucceeded =
        policy.getSpec().successfulJobsHistoryLimit != null
            ? policy.getSpec().successfulJobsHistoryLimit
            : 3;
    int keepFailed =
        policy.getSpec().failedJobsHistoryLimit != null
            ? policy.getSpec().failedJobsHistoryLimit
            : 1;
    List<RetrainJobView> recorded =
        views.stream()
            .filter(RetrainJobView::finished)
            .filter(
                v ->
                    policy.getStatus().history.stream()
                        .anyMatch(
                            r ->
                                r.job.equals(v.name())
                                    && r.outcome != RetrainRecord.Outcome.Running))
            .sorted(Comparator.comparingLong(RetrainJobView::sequence).reversed())
            .toList();
    List<RetrainJobView> succeeded =
        recorded.stream().filter(v -> v.state() == RetrainJobView.State.Succeeded).toList();
    List<RetrainJobView> failed =
        recorded.stream().filter(v -> v.state() == RetrainJobView.State.Failed).toList();
    for (RetrainJobView old :
        concat(
            succeeded.stream().skip(keepSucceeded).toList(),
            failed.stream().skip(keepFailed).toList())) {
      jobs.stream()
          .filter(j -> j.getMetadata().getName().equals(old.name()))
          .findFirst()
          .ifPresent(
              job ->
                  client
                      .resource(job)
                      .withPropagationPolicy(
                          io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                      .delete());
    }
  }

  private void promote(
      RetrainPolicy policy, RetrainHistory.Promote promote, String mode, Instant now) {
    promoter.promote(policy, promote, now);
    metrics.promoted(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), mode);
    record(
        policy,
        Event.normal(
            "Promoted",
            "model "
                + promote.version()
                + " from Job "
                + promote.job()
                + " written to ModelDeployment "
                + policy.getSpec().modelDeploymentRef.name
                + " ("
                + mode
                + ")"));
  }

  private void record(RetrainPolicy policy, Event event) {
    events.record(policy, event);
    switch (event.reason()) {
      case "RetrainSucceeded" ->
          metrics.retrainFinished(
              policy.getMetadata().getNamespace(), policy.getMetadata().getName(), "succeeded");
      case "RetrainFailed", "UnreadableResult" ->
          metrics.retrainFinished(
              policy.getMetadata().getNamespace(), policy.getMetadata().getName(), "failed");
      default -> {}
    }
  }

  @Override
  public ErrorStatusUpdateControl<RetrainPolicy> updateErrorStatus(
      RetrainPolicy policy, Context<RetrainPolicy> context, Exception error) {
    Optional<PermanentError> permanent = PermanentError.classify(error);
    if (permanent.isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    RetrainPolicyStatus status =
        Optional.ofNullable(StatusChange.copy(policy.getStatus(), RetrainPolicyStatus.class))
            .orElseGet(RetrainPolicyStatus::new);
    String reason = permanent.get().reason();
    boolean reported =
        reason.equals(
            Conditions.reason(status.conditions, RetrainConditions.RETRAINING).orElse(""));
    status.conditions =
        Conditions.put(
            status.conditions,
            Conditions.of(
                RetrainConditions.RETRAINING,
                false,
                reason,
                permanent.get().message(),
                policy.getMetadata().getGeneration(),
                Instant.now()));
    status.phase = RetrainPolicyStatus.Phase.Degraded;
    if (!reported) {
      events.record(policy, Event.warning(reason, permanent.get().message()));
    }
    policy.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(policy).rescheduleAfter(Duration.ofMinutes(1));
  }

  /** The stored status already shows this version approved and promoted. */
  private static boolean alreadyPromoted(RetrainPolicyStatus stored, String version) {
    return stored != null
        && (stored.candidate == null || !version.equals(stored.candidate.version))
        && stored.history.stream()
            .anyMatch(
                r -> version.equals(r.version) && r.promotion == RetrainRecord.Promotion.Promoted);
  }

  private static RetrainPolicySpec.Promotion promotionMode(RetrainPolicySpec spec) {
    return spec.promotion != null ? spec.promotion : RetrainPolicySpec.Promotion.Automatic;
  }

  private static String annotation(RetrainPolicy policy, String key) {
    Map<String, String> annotations = policy.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static void removeAnnotation(KubernetesClient client, RetrainPolicy policy, String key) {
    dev.modelops.operator.status.Annotations.remove(client, policy, key);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
