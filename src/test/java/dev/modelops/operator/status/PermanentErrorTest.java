package dev.modelops.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PermanentErrorTest {

  static KubernetesClientException apiError(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void forbiddenIsAPermissionProblemEvenInsideAWorkflowError() {
    var wrapped =
        new AggregatedOperatorException(
            "workflow failed",
            Map.of(
                "service",
                new RuntimeException(
                    "apply failed", apiError(403, "services is forbidden: User cannot create"))));
    var error = PermanentError.classify(wrapped).orElseThrow();
    assertEquals("PermissionDenied", error.reason());
    assertTrue(error.message().contains("services is forbidden"));
  }

  @Test
  void invalidChildObjectsAreRejections() {
    assertEquals(
        "RejectedByApiServer",
        PermanentError.classify(apiError(422, "Deployment is invalid")).orElseThrow().reason());
  }

  @Test
  void conflictsTimeoutsAndServerErrorsAreLeftToRetry() {
    assertTrue(PermanentError.classify(apiError(409, "conflict")).isEmpty());
    assertTrue(PermanentError.classify(apiError(500, "etcd")).isEmpty());
    assertTrue(
        PermanentError.classify(new RuntimeException(new java.net.SocketTimeoutException()))
            .isEmpty());
  }
}
