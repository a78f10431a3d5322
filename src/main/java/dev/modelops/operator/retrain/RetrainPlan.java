package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainPolicyStatus;
import dev.modelops.operator.observability.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile of a RetrainPolicy does, decided without touching the cluster: the status to
 * store, the Job to create, the Jobs to delete, the models to promote, the Events, the request
 * annotations that are pending or handled, and when to look again. {@link RetrainPlanExecutor}
 * carries it out.
 *
 * @param status the complete new status (including the record of the Job to create)
 * @param jobToCreate at most one: one trigger, one Job
 * @param jobsToReplace running Jobs a trigger replaces (concurrency Replace), deleted before the
 *     new one is created
 * @param jobsToPrune finished Jobs beyond the history limits, whose outcome the stored status has
 * @param promotions models to write to the ModelDeployment, and promotions to count
 * @param pendingRequests request annotations present (retrain-now, approve)
 * @param handledRequests those the stored status shows handled, to remove
 */
public record RetrainPlan(
    RetrainPolicyStatus status,
    Optional<Job> jobToCreate,
    List<String> jobsToReplace,
    List<String> jobsToPrune,
    List<Promotion> promotions,
    List<Event> events,
    List<String> pendingRequests,
    List<String> handledRequests,
    Optional<Duration> wakeUpIn) {

  /**
   * A promotion: {@code write} is the model to write to the ModelDeployment (absent when Git
   * already carried it there); {@code mode} is automatic or manual, for modelops_promotions_total;
   * {@code event} is recorded once the write is done (a write the API server rejects records
   * PromotionRejected instead).
   */
  public record Promotion(
      String mode, Optional<RetrainHistory.Promote> write, Optional<Event> event) {}
}
