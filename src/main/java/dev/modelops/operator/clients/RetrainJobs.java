package dev.modelops.operator.clients;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Creates and deletes retraining Jobs. */
@ApplicationScoped
public class RetrainJobs {
  private static final Logger LOG = Logger.getLogger(RetrainJobs.class);

  private final KubernetesClient client;

  public RetrainJobs(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Creates the Job; one that exists already was created by a run that died before recording it.
   */
  public void create(Job job) {
    try {
      client.resource(job).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.infof(
          "%s: Job %s already exists; adopting it",
          job.getMetadata().getNamespace(), job.getMetadata().getName());
    }
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
}
