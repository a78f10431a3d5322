package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The protocol for request annotations (retrain-now, approve, promote, abort): a request is removed
 * once handled, but not in the reconcile that handles it. That reconcile writes status, and writing
 * the resource's metadata as well would make the status patch conflict and lose what it recorded.
 * So the removal waits for a reconcile whose computed status equals the stored one (the request's
 * effect is then recorded), and removes only the exact value handled.
 */
public final class RequestAnnotations {
  /** How soon a reconcile that patched status comes back to remove the handled requests. */
  public static final Duration RECHECK = Duration.ofSeconds(1);

  private static final Logger LOG = Logger.getLogger(RequestAnnotations.class);

  private RequestAnnotations() {}

  /**
   * @param statusChanges whether this reconcile patches status
   * @param pending request annotations present on the resource (handled or not)
   * @param handled those whose effect the stored status already shows
   * @return a wake-up when the removal has to wait for the next reconcile
   */
  public static Optional<Duration> settle(
      KubernetesClient client,
      HasMetadata resource,
      boolean statusChanges,
      Collection<String> pending,
      Collection<String> handled) {
    if (statusChanges) {
      return pending.isEmpty() ? Optional.empty() : Optional.of(RECHECK);
    }
    if (!handled.isEmpty()) {
      remove(client, resource, handled);
    }
    return Optional.empty();
  }

  /**
   * Removes each key only if it still has the value this (possibly cached, older) resource shows: a
   * JSON Patch `test` before each `remove`. A user who sets a new request meanwhile (e.g.
   * retrain-now again) keeps it; the patch is then refused and the next reconcile sees the new
   * request.
   */
  static void remove(KubernetesClient client, HasMetadata resource, Collection<String> keys) {
    List<String> operations = new ArrayList<>();
    for (String key : keys) {
      String value = Keys.annotation(resource, key);
      if (value != null) {
        String path = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
        operations.add(
            "{\"op\":\"test\",\"path\":\""
                + path
                + "\",\"value\":"
                + Serialization.asJson(value)
                + "}");
        operations.add("{\"op\":\"remove\",\"path\":\"" + path + "\"}");
      }
    }
    if (operations.isEmpty()) {
      return;
    }
    try {
      client
          .resource(resource)
          .patch(PatchContext.of(PatchType.JSON), "[" + String.join(",", operations) + "]");
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422 && e.getCode() != 404) {
        throw e;
      }
      LOG.debugf(
          "%s/%s: request annotations changed meanwhile; left for the next reconcile",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }
  }
}
