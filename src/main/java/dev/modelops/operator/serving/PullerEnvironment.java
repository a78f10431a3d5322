package dev.modelops.operator.serving;

import dev.modelops.operator.clients.ClusterReferences;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: the model puller's environment, passed the way KServe users pass storage credentials: a
 * Secret listed on the serving pods' ServiceAccount, whose keys AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY become secret references (never values) and whose annotations
 * serving.kserve.io/s3-* configure the endpoint. Only Secrets that opted in
 * (modelops.dev/credential=workload) are considered, and only the puller gets them: the model
 * server never sees storage credentials.
 */
public final class PullerEnvironment {
  static final String ANNOTATION_PREFIX = "serving.kserve.io/";

  /** Annotation suffix → variable the puller reads (KServe's storage-initializer names). */
  static final Map<String, String> S3_ANNOTATIONS =
      Map.of(
          "s3-endpoint", "S3_ENDPOINT",
          "s3-usehttps", "S3_USE_HTTPS",
          "s3-region", "AWS_DEFAULT_REGION",
          "s3-verifyssl", "S3_VERIFY_SSL",
          "s3-useanoncredential", "awsAnonymousCredential");

  static final Set<String> SECRET_KEYS = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");

  private PullerEnvironment() {}

  /** The environment from the first listed Secret that carries S3 settings or keys. */
  public static List<EnvVar> of(List<ClusterReferences.WorkloadSecret> secrets) {
    for (ClusterReferences.WorkloadSecret secret : secrets) {
      List<EnvVar> env = new ArrayList<>();
      S3_ANNOTATIONS.entrySet().stream()
          .sorted(Map.Entry.comparingByValue())
          .forEach(
              a -> {
                String value = secret.annotations().get(ANNOTATION_PREFIX + a.getKey());
                if (value != null) {
                  env.add(new EnvVar(a.getValue(), value, null));
                }
              });
      SECRET_KEYS.stream()
          .sorted()
          .filter(secret.keys()::contains)
          .forEach(
              key ->
                  env.add(
                      new EnvVar(
                          key,
                          null,
                          new EnvVarSourceBuilder()
                              .withNewSecretKeyRef(key, secret.name(), false)
                              .build())));
      if (!env.isEmpty()) {
        return env;
      }
    }
    return List.of();
  }
}
