package dev.modelops.operator.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Removes request annotations (retrain-now, approve, promote, abort) once the request is handled.
 */
public final class Annotations {
  private static final Logger LOG = Logger.getLogger(Annotations.class);

  private Annotations() {}

  public static String get(HasMetadata resource, String key) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /**
   * Removes each key only if it still has the value this (possibly cached, older) resource shows: a
   * JSON Patch `test` before each `remove`. A user who sets a new request meanwhile (e.g.
   * retrain-now again) keeps it; the patch is then refused and the next reconcile sees the new
   * request.
   */
  public static void remove(KubernetesClient client, HasMetadata resource, String... keys) {
    List<String> operations = new ArrayList<>();
    for (String key : keys) {
      String value = get(resource, key);
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
