package dev.modelops.operator.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Canary metrics on /q/metrics: modelops_rollouts_total{namespace,name,outcome=started|promoted|rolled_back}
 * and modelops_rollout_duration_seconds{namespace,name,outcome}.
 */
@ApplicationScoped
public class RolloutMetrics {
  private final MeterRegistry registry;

  public RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void started(String namespace, String name) {
    registry.counter("modelops_rollouts_total", "namespace", namespace, "name", name, "outcome", "started").increment();
  }

  public void ended(String namespace, String name, String outcome, Duration duration) {
    registry.counter("modelops_rollouts_total", "namespace", namespace, "name", name, "outcome", outcome).increment();
    Timer.builder("modelops_rollout_duration_seconds").tags("namespace", namespace, "name", name, "outcome", outcome)
        .register(registry).record(duration);
  }
}
