package dev.modelops.operator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad ModelDeployments never reach the operator: the API server rejects them with a readable
 * message.
 */
class AdmissionE2EIT extends E2ESupport {
  static final String NS = "e2e-admission";

  static final String VALID_SPEC =
      """
      model: {name: churn, version: "1.0.0", uri: "s3://models/churn/1.0.0"}
      runtime: {image: "example.test/server:1"}
      scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
      """;

  @BeforeAll
  static void namespace() {
    restrictedNamespace(NS);
  }

  static Stream<Arguments> invalidModelDeployments() {
    return Stream.of(
        bad("no model", "runtime: {image: x}", "spec.model: Required value"),
        bad(
            "no image",
            "model: {name: m, version: '1', uri: 's3://b/m'}\nruntime: {port: 8080}",
            "spec.runtime.image: Required value"),
        bad(
            "no version",
            "model: {name: m, uri: 's3://b/m'}\nruntime: {image: x}",
            "model.version is required, unless model.uri is a registry reference"),
        bad(
            "registry reference without a version or alias",
            "model: {name: m, uri: 'models:/churn'}\nruntime: {image: x}",
            "a registry model.uri is models:/NAME/VERSION"),
        bad(
            "an alias with a version",
            "model: {name: m, version: '3', uri: 'models:/churn@champion'}\nruntime: {image: x}",
            "with models:/NAME@ALIAS the registry decides the version"),
        bad(
            "a reserved alias",
            "model: {name: m, uri: 'models:/churn@latest'}\nruntime: {image: x}",
            "MLflow reserves the aliases latest and v<number>"),
        bad(
            "a registry asked too often",
            "model: {name: m, uri: 'models:/churn@champion', registry: {resolveInterval: 1s}}\n"
                + "runtime: {image: x}",
            "registry.resolveInterval must be a duration of at least 10s"),
        bad(
            "ftp uri",
            "model: {name: m, version: '1', uri: 'ftp://b/m'}\nruntime: {image: x}",
            "model.uri must start with s3://, gs://, https://, pvc:// or oci://"),
        bad(
            "uri without location",
            "model: {name: m, version: '1', uri: 's3://'}\nruntime: {image: x}",
            "model.uri must start with s3://"),
        bad(
            "model name not a DNS label",
            "model: {name: Churn_Model, version: '1', uri: 's3://b/m'}\nruntime: {image: x}",
            "model.name must be a DNS label"),
        bad(
            "version with a space",
            "model: {name: m, version: '1.0 beta', uri: 's3://b/m'}\nruntime: {image: x}",
            "model.version must be usable as a label value"),
        bad(
            "port 0",
            VALID_SPEC.replace("image: \"example.test/server:1\"", "image: x, port: 0"),
            "spec.runtime.port: Invalid value: 0: spec.runtime.port in body should be greater than or equal to 1"),
        bad(
            "port 70000",
            VALID_SPEC.replace("image: \"example.test/server:1\"", "image: x, port: 70000"),
            "should be less than or equal to 65535"),
        bad(
            "unknown protocol",
            VALID_SPEC.replace("image: \"example.test/server:1\"", "image: x, protocol: v3"),
            "spec.runtime.protocol: Unsupported value: \"v3\""),
        bad("negative replicas", VALID_SPEC + "replicas: -1", "spec.replicas: Invalid value: -1"),
        bad(
            "min above max",
            VALID_SPEC
                + "autoscaling: {minReplicas: 5, maxReplicas: 2, targetCPUUtilizationPercentage: 50}",
            "autoscaling.minReplicas must not be greater than autoscaling.maxReplicas"),
        bad(
            "autoscaling without target",
            VALID_SPEC + "autoscaling: {maxReplicas: 3}",
            "autoscaling needs a target"),
        bad(
            "replicas outside the autoscaling range",
            VALID_SPEC
                + "replicas: 10\nautoscaling: {minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50}",
            "replicas must lie between autoscaling.minReplicas and autoscaling.maxReplicas"),
        bad(
            "unknown strategy",
            VALID_SPEC + "rollout: {strategy: Recreate}",
            "spec.rollout.strategy: Unsupported value: \"Recreate\""),
        bad(
            "too short progress deadline",
            VALID_SPEC + "rollout: {progressDeadlineSeconds: 5}",
            "spec.rollout.progressDeadlineSeconds: Invalid value: 5"),
        bad(
            "env entry without a name",
            VALID_SPEC.replace("image: \"example.test/server:1\"", "image: x, env: [{value: '1'}]"),
            "every runtime.env entry needs a name"),
        bad(
            "custom metric target not a quantity",
            VALID_SPEC
                + "autoscaling: {maxReplicas: 3, metric: {name: rps, targetAverageValue: fast}}",
            "spec.autoscaling.metric.targetAverageValue: Invalid value: \"fast\""),
        bad(
            "service account not a DNS name",
            VALID_SPEC + "serviceAccountName: Bad_SA",
            "spec.serviceAccountName: Invalid value: \"Bad_SA\""),
        bad("unknown field", VALID_SPEC + "replica: 2", "unknown field \"spec.replica\""));
  }

  @AfterEach
  void deleteAnythingAdmitted() {
    cluster().kubectl("delete", "mdep", "--all", "-n", NS, "--wait=false");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidModelDeployments")
  void isRejectedWithAMessageAPersonUnderstands(String what, String yaml, String expectedMessage) {
    var result = cluster().kubectlWithInput(yaml, "create", "-n", NS, "-f", "-");
    assertNotEquals(0, result.exitCode(), what + " was admitted");
    assertTrue(
        result.stderr().contains(expectedMessage),
        what + ": expected \"" + expectedMessage + "\" in:\n" + result.stderr());
    assertEquals(
        "", cluster().kubectlOrFail("get", "mdep", "-n", NS, "-o", "name"), "nothing was created");
  }

  @Test
  void aNameThatCannotNameAServiceIsRejected() {
    String yaml = document("model.v2", VALID_SPEC);
    var result = cluster().kubectlWithInput(yaml, "create", "-n", NS, "-f", "-");
    assertNotEquals(0, result.exitCode());
    assertTrue(result.stderr().contains("metadata.name must be a DNS label"), result.stderr());
  }

  @Test
  void registryReferencesAreAdmitted() {
    for (String model :
        List.of(
            "{name: m, uri: 'models:/churn@champion', registry: {endpoint: mlflow}}",
            "{name: m, uri: 'models:/churn/3'}",
            "{name: m, version: '3', uri: 'models:/churn/3'}")) {
      var result =
          cluster()
              .kubectlWithInput(
                  document("registry", "model: " + model + "\nruntime: {image: x}"),
                  "create",
                  "--dry-run=server",
                  "-n",
                  NS,
                  "-f",
                  "-");
      assertEquals(0, result.exitCode(), model + ": " + result.output());
    }
  }

  @Test
  void theValidBaseIsAdmitted() {
    var result =
        cluster()
            .kubectlWithInput(
                document("valid", VALID_SPEC), "create", "--dry-run=server", "-n", NS, "-f", "-");
    assertEquals(0, result.exitCode(), result.output());
  }

  static Arguments bad(String what, String spec, String message) {
    return Arguments.of(what, document("bad", spec), message);
  }

  static String document(String name, String spec) {
    return "apiVersion: modelops.dev/v1alpha1\nkind: ModelDeployment\nmetadata: {name: "
        + name
        + "}\nspec:\n"
        + spec.indent(2);
  }
}
