package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelops.operator.clients.ClusterReferences.WorkloadSecret;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Storage settings reach the puller the way KServe users pass them, as references only. */
class PullerEnvironmentTest {
  static final WorkloadSecret S3 =
      new WorkloadSecret(
          "s3-creds",
          Map.of(
              "serving.kserve.io/s3-endpoint", "s3.storage:8333",
              "serving.kserve.io/s3-usehttps", "0",
              "unrelated/annotation", "x"),
          Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "other"));

  @Test
  void annotationsBecomeValuesAndKeysBecomeReferences() {
    List<EnvVar> env = PullerEnvironment.of(List.of(S3));
    assertEquals(
        List.of("S3_ENDPOINT", "S3_USE_HTTPS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        env.stream().map(EnvVar::getName).toList());
    assertEquals("s3.storage:8333", env.get(0).getValue());
    EnvVar key = env.get(2);
    assertNull(key.getValue(), "never the value itself");
    assertEquals("s3-creds", key.getValueFrom().getSecretKeyRef().getName());
    assertEquals("AWS_ACCESS_KEY_ID", key.getValueFrom().getSecretKeyRef().getKey());
  }

  @Test
  void aSecretWithoutStorageSettingsIsSkipped() {
    WorkloadSecret other = new WorkloadSecret("api", Map.of(), Set.of("token"));
    assertEquals(List.of(), PullerEnvironment.of(List.of(other)));
    assertEquals(
        "S3_ENDPOINT",
        PullerEnvironment.of(List.of(other, S3)).get(0).getName(),
        "the first usable");
  }

  @Test
  void onlyThePullerGetsTheEnvironment() {
    Deployment d =
        ServingDeploymentDependent.build(
            ModelDeployments.churn("1.0.0"),
            new ServingDeploymentDependent.Puller("puller:1", PullerEnvironment.of(List.of(S3))));
    var pod = d.getSpec().getTemplate().getSpec();
    assertEquals(4, pod.getInitContainers().get(0).getEnv().size());
    assertEquals(
        List.of(),
        pod.getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().startsWith("AWS_") || e.getName().startsWith("S3_"))
            .toList());
  }
}
