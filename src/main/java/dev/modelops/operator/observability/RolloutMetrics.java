package dev.modelops.operator.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Canary metrics on /q/metrics:
 * modelops_rollouts_total{namespace,name,outcome=started|promoted|rolled_back}
 * modelops_rollout_duration_seconds{namespace,name,outcome} and
 * modelops_rollout_step{namespace,name} (the current canary step, 1-based; 0 when no canary runs).
 */
@ApplicationScoped
public class RolloutMetrics {
  private final MeterRegistry registry;
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> steps =
      new java.util.concurrent.ConcurrentHashMap<>();

  public RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void step(String namespace, String name, int oneBasedStep) {
    steps
        .computeIfAbsent(
            namespace + "/" + name,
            key ->
                registry.gauge(
                    "modelops_rollout_step",
                    io.micrometer.core.instrument.Tags.of("namespace", namespace, "name", name),
                    new java.util.concurrent.atomic.AtomicInteger()))
        .set(oneBasedStep);
  }

  public void started(String namespace, String name) {
    registry
        .counter(
            "modelops_rollouts_total", "namespace", namespace, "name", name, "outcome", "started")
        .increment();
  }

  public void ended(String namespace, String name, String outcome, Duration duration) {
    registry
        .counter(
            "modelops_rollouts_total", "namespace", namespace, "name", name, "outcome", outcome)
        .increment();
    Timer.builder("modelops_rollout_duration_seconds")
        .tags("namespace", namespace, "name", name, "outcome", outcome)
        .register(registry)
        .record(duration);
  }
}
