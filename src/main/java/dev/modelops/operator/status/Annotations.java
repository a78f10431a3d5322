package dev.modelops.operator.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;

/** Removes request annotations (retrain-now, approve, promote, abort) once the request is handled. */
public final class Annotations {
  private Annotations() {}

  public static String get(HasMetadata resource, String key) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  /** A merge patch without resourceVersion: it cannot conflict, and removing a missing key is a no-op. */
  public static void remove(KubernetesClient client, HasMetadata resource, String... keys) {
    StringBuilder nulls = new StringBuilder();
    for (String key : keys) {
      nulls.append(nulls.length() == 0 ? "" : ",").append('"').append(key).append("\":null");
    }
    client.resource(resource).patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"annotations\":{" + nulls + "}}}");
  }
}
