package dev.modelops.operator.retrain;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the mock tier's fake Prometheus before the operator, and declares it as the metric
 * endpoint "fake" (metric queries go only to declared endpoints).
 */
public class FakePrometheusResource implements QuarkusTestResourceLifecycleManager {
  static FakePrometheus prometheus;

  @Override
  public Map<String, String> start() {
    try {
      prometheus = new FakePrometheus();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return Map.of("modelops.metric-endpoints", "fake=" + prometheus.url());
  }

  @Override
  public void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
  }
}
