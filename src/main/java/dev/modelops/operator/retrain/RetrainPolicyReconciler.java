package dev.modelops.operator.retrain;

import dev.modelops.operator.admission.PodSecurityStandard;
import dev.modelops.operator.admission.WorkloadReferences;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.clients.ClusterReferences;
import dev.modelops.operator.clients.EventRecorder;
import dev.modelops.operator.clients.RetrainJobs;
import dev.modelops.operator.clients.ServingPodCache;
import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.RetrainMetrics;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.PermanentError;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Watches drift, starts retraining Jobs and promotes what they produce: gathers the policy's
 * target, Jobs, trainer pods and latest drift measurement from the informers, plans
 * (RetrainPlanner, pure) and carries the plan out (RetrainPlanExecutor). Annotations (retrain-now,
 * approve) must wake it, so it reacts to every change of the policy, not only to spec changes.
 */
@ControllerConfiguration(
    name = RetrainPolicyReconciler.NAME,
    generationAwareEventProcessing = false)
public class RetrainPolicyReconciler implements Reconciler<RetrainPolicy> {
  public static final String NAME = "retrainpolicy";

  private final EventRecorder events;
  private final RetrainPlanExecutor executor;
  private final RetrainMetrics metrics;
  private final DriftEvaluator evaluator;
  private final ServingPodCache servingPods;
  private final RetrainJobs retrainJobs;
  private final ClusterReferences references;
  private final PodSecurityStandard.Level trainerSecurity;
  private final TargetWatch targetWatch = new TargetWatch();

  public RetrainPolicyReconciler(
      EventRecorder events,
      RetrainPlanExecutor executor,
      RetrainMetrics metrics,
      DriftEvaluator evaluator,
      ServingPodCache servingPods,
      ClusterReferences references,
      RetrainJobs retrainJobs,
      OperatorSettings settings) {
    this.events = events;
    this.executor = executor;
    this.metrics = metrics;
    this.evaluator = evaluator;
    this.servingPods = servingPods;
    this.references = references;
    this.retrainJobs = retrainJobs;
    this.trainerSecurity = PodSecurityStandard.Level.parse(settings.trainer().podSecurity());
  }

  @Override
  public List<EventSource<?, RetrainPolicy>> prepareEventSources(
      EventSourceContext<RetrainPolicy> context) {
    return RetrainEventSources.create(context, metrics, evaluator, servingPods);
  }

  @Override
  public UpdateControl<RetrainPolicy> reconcile(
      RetrainPolicy policy, Context<RetrainPolicy> context) {
    targetWatch.ensureStarted(context);
    Instant now = Instant.now();
    Set<Pod> pods = context.getSecondaryResources(Pod.class);
    List<Job> cached = new ArrayList<>(context.getSecondaryResources(Job.class));
    confirmMissing(policy, cached);
    List<RetrainJobView> jobs = cached.stream().map(job -> RetrainJobView.of(job, pods)).toList();
    Optional<DriftEvaluation> evaluation =
        policy.getSpec().drift == null
            ? Optional.empty()
            : context.getSecondaryResource(DriftEvaluation.class);
    String ns = policy.getMetadata().getNamespace();
    RetrainPlan plan =
        RetrainPlanner.plan(
            new RetrainPlanner.Inputs(
                policy,
                context.getSecondaryResource(ModelDeployment.class),
                jobs,
                evaluation,
                trainerSecurity,
                new WorkloadReferences.Access() {
                  @Override
                  public boolean secretUsable(String name) {
                    return references.secretUsable(ns, name, Keys.CREDENTIAL_WORKLOAD);
                  }

                  @Override
                  public boolean serviceAccountUsable(String name) {
                    return references.serviceAccountUsable(ns, name, Keys.IDENTITY_TRAINER);
                  }
                },
                now));
    @SuppressWarnings("unchecked")
    var jobCache =
        (InformerEventSource<Job, RetrainPolicy>)
            context.eventSourceRetriever().getEventSourceFor(Job.class, RetrainEventSources.JOBS);
    return executor.execute(policy, plan, context.getClient(), jobCache, now);
  }

  /**
   * A Job the stored status has as running but the cache does not show is looked up before it
   * counts as deleted: the watch may only lag.
   */
  private void confirmMissing(RetrainPolicy policy, List<Job> cached) {
    if (policy.getStatus() == null) {
      return;
    }
    for (RetrainRecord record : policy.getStatus().history) {
      boolean missing =
          record.outcome == RetrainRecord.Outcome.Running
              && cached.stream().noneMatch(j -> j.getMetadata().getName().equals(record.job));
      if (missing) {
        retrainJobs.get(policy.getMetadata().getNamespace(), record.job).ifPresent(cached::add);
      }
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
      events.record(policy, Event.of(permanent.get().code(), permanent.get().message()));
    }
    policy.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(policy).rescheduleAfter(Duration.ofMinutes(1));
  }
}
