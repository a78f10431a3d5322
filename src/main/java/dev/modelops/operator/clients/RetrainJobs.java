package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.status.PermanentError;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Creates, confirms and deletes retraining Jobs. A Job is created through the Job informer's cache,
 * so the next reconcile sees it even when the watch lags (and never takes a fresh Job for a deleted
 * one); a name that is taken is adopted only when the Job there is this policy's, for this trigger.
 */
@ApplicationScoped
public class RetrainJobs {
  private static final Logger LOG = Logger.getLogger(RetrainJobs.class);

  private final KubernetesClient client;

  public RetrainJobs(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Creates the Job and caches it in {@code jobs}; a Job of this name that exists already was
   * created by a run that died before recording it, and is adopted.
   *
   * @throws PermanentError.Raised (JobNameTaken) when the existing Job is not this policy's for
   *     this trigger
   */
  public void create(Job job, RetrainPolicy policy, InformerEventSource<Job, RetrainPolicy> jobs) {
    try {
      jobs.eventFilteringUpdateAndCacheResource(job, j -> client.resource(j).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      Job existing =
          get(job.getMetadata().getNamespace(), job.getMetadata().getName()).orElse(null);
      if (existing == null || !sameTrigger(existing, job, policy)) {
        throw new PermanentError.Raised(
            Event.Reason.JobNameTaken,
            "a Job named "
                + job.getMetadata().getName()
                + " exists that this policy did not create for this trigger; delete or rename it");
      }
      LOG.infof(
          "%s: Job %s already exists for this trigger; adopting it",
          job.getMetadata().getNamespace(), job.getMetadata().getName());
      jobs.handleRecentResourceCreate(
          io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(existing), existing);
    }
  }

  /** The Job as the API server has it now (not the cache), to confirm that it is gone. */
  public Optional<Job> get(String namespace, String name) {
    return Optional.ofNullable(
        client.batch().v1().jobs().inNamespace(namespace).withName(name).get());
  }

  /** Deletes a Job and, in the background, its pods. */
  public void delete(String namespace, String name) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  /** Controlled by this policy (its UID) and created for the same trigger. */
  public static boolean sameTrigger(Job existing, Job wanted, RetrainPolicy policy) {
    boolean owned =
        existing.getMetadata().getOwnerReferences() != null
            && existing.getMetadata().getOwnerReferences().stream()
                .anyMatch(
                    (OwnerReference o) ->
                        Boolean.TRUE.equals(o.getController())
                            && Objects.equals(o.getUid(), policy.getMetadata().getUid()));
    return owned
        && Objects.equals(
            Keys.annotation(existing, Keys.TRIGGER_ID_ANNOTATION),
            Keys.annotation(wanted, Keys.TRIGGER_ID_ANNOTATION));
  }
}
