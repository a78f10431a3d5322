package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.ModelRules;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.clients.EventRecorder;
import dev.modelops.operator.clients.ModelPromoter;
import dev.modelops.operator.clients.RequestAnnotations;
import dev.modelops.operator.clients.RetrainJobs;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.RetrainMetrics;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

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
  private static final Logger LOG = Logger.getLogger(RetrainPlanExecutor.class);

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
    List<Event> done = new ArrayList<>();
    for (var promotion : plan.promotions()) {
      Optional<RetrainHistory.Promote> write = promotion.write();
      if (write.isPresent() && !promote(policy, write.get(), plan, done, now)) {
        continue;
      }
      metrics.promoted(ns, name, promotion.mode());
      promotion.event().ifPresent(done::add);
    }
    plan.jobsToReplace().forEach(job -> jobs.delete(ns, job));
    plan.jobToCreate().ifPresent(job -> jobs.create(job, policy, jobCache));
    plan.jobsToPrune().forEach(job -> jobs.delete(ns, job));

    plan.jobToCreate()
        .ifPresent(job -> metrics.retrainStarted(ns, name, Keys.label(job, Keys.TRIGGER_LABEL)));
    done.addAll(0, plan.events());
    for (Event event : done) {
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

  /**
   * Writes the model to the ModelDeployment. A model the API server rejects (400, 422: it would
   * never be admitted) is recorded on its retrain as Failed with reason PromotionRejected, once,
   * and not retried; any other error is rethrown for JOSDK's retry.
   *
   * @return whether the model was written
   */
  private boolean promote(
      RetrainPolicy policy,
      RetrainHistory.Promote p,
      RetrainPlan plan,
      List<Event> done,
      Instant now) {
    try {
      promoter.promote(
          policy.getMetadata().getNamespace(),
          policy.getSpec().modelDeploymentRef.name,
          new ModelLineage(
              p.version(),
              p.uri(),
              policy.getMetadata().getName(),
              p.job(),
              p.trigger().name(),
              p.score(),
              now.toString(),
              // A registered model gets the policy's alias once it serves (the ModelDeployment
              // moves it, after the rollout); a storage URI has no alias to move.
              ModelRules.isRegistryReference(p.uri()) ? policy.getSpec().registryAlias : null));
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 400 && e.getCode() != 422) {
        throw e;
      }
      String detail =
          e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage()
              : "HTTP " + e.getCode();
      LOG.warnf(
          "%s/%s: model %s from Job %s rejected by the API server: %s",
          policy.getMetadata().getNamespace(),
          policy.getMetadata().getName(),
          p.version(),
          p.job(),
          detail);
      RetrainPolicyStatus stored = policy.getStatus();
      done.add(
          RetrainHistory.promotionRejected(
              plan.status(),
              p,
              detail,
              stored == null ? 0 : RetrainBackoff.consecutiveFailures(stored),
              policy.getSpec().cooldownOrDefault(),
              now));
      RetrainConditions.refresh(policy, plan.status(), now);
      return false;
    }
  }
}
