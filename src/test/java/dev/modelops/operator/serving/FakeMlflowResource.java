package dev.modelops.operator.serving;

import dev.modelops.operator.clients.FakeMlflow;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the mock tier's fake MLflow registry before the operator and declares it as the model
 * registry "mlflow" (registry references are resolved only through declared registries), with
 * lookups allowed every second so that an alias move shows within the tests' waits.
 */
public class FakeMlflowResource implements QuarkusTestResourceLifecycleManager {
  static FakeMlflow mlflow;

  @Override
  public Map<String, String> start() {
    try {
      mlflow = new FakeMlflow();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return Map.of(
        "modelops.model-registries",
        "mlflow=" + mlflow.url(),
        "modelops.registry.min-resolve-interval",
        "1s",
        "modelops.registry.timeout",
        "2s");
  }

  @Override
  public void stop() {
    if (mlflow != null) {
      mlflow.close();
    }
  }
}
