package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.clients.EventRecorder;
import dev.modelops.operator.clients.ModelPromoter;
import dev.modelops.operator.clients.RequestAnnotations;
import dev.modelops.operator.clients.RetrainJobs;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.RetrainMetrics;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Carries out a {@link RetrainPlan}: promotions, Jobs replaced, created and pruned, then the Events
 * and metrics of what was done, then the status (and the handled request annotations). If a step
 * fails, nothing after it happens and JOSDK retries the whole reconcile: no Event or status claims
 * what the cluster does not show.
 */
@ApplicationScoped
public class RetrainPlanExecutor {
  private final EventRecorder events;
  private final ModelPromoter promoter;
  private final RetrainJobs jobs;
  private final RetrainMetrics metrics;

  public RetrainPlanExecutor(
      EventRecorder events, ModelPromoter promoter, RetrainJobs jobs, RetrainMetrics metrics) {
    this.events = events;
    this.promoter = promoter;
    this.jobs = jobs;
    this.metrics = metrics;
  }

  public UpdateControl<RetrainPolicy> execute(
      RetrainPolicy policy,
      RetrainPlan plan,
      KubernetesClient client,
      InformerEventSource<Job, RetrainPolicy> jobCache,
      Instant now) {
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    for (var promotion : plan.promotions()) {
      promotion
          .write()
          .ifPresent(
              p ->
                  promoter.promote(
                      ns,
                      policy.getSpec().modelDeploymentRef.name,
                      new ModelLineage(
                          p.version(),
                          p.uri(),
                          name,
                          p.job(),
                          p.trigger().name(),
                          p.score(),
                          now.toString())));
    }
    plan.jobsToReplace().forEach(job -> jobs.delete(ns, job));
    plan.jobToCreate().ifPresent(job -> jobs.create(job, policy, jobCache));
    plan.jobsToPrune().forEach(job -> jobs.delete(ns, job));

    plan.promotions().forEach(p -> metrics.promoted(ns, name, p.mode()));
    plan.jobToCreate()
        .ifPresent(job -> metrics.retrainStarted(ns, name, Keys.label(job, Keys.TRIGGER_LABEL)));
    for (Event event : plan.events()) {
      events.record(policy, event);
      if (event.code().retrainOutcome() != null) {
        metrics.retrainFinished(ns, name, event.code().retrainOutcome());
      }
    }

    boolean changed = StatusChange.differs(policy.getStatus(), plan.status());
    Optional<Duration> settle =
        RequestAnnotations.settle(
            client, policy, changed, plan.pendingRequests(), plan.handledRequests());
    Optional<Duration> wakeUp = RetrainPlanner.earliest(plan.wakeUpIn(), settle);
    UpdateControl<RetrainPolicy> control = UpdateControl.noUpdate();
    if (changed) {
      policy.setStatus(plan.status());
      control = UpdateControl.patchStatus(policy);
    }
    return wakeUp.map(control::rescheduleAfter).orElse(control);
  }
}
