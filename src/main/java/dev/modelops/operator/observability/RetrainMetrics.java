package dev.modelops.operator.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drift and retrain metrics on /q/metrics: modelops_drift_score{namespace,policy,feature},
 * modelops_drift_evaluations_total{namespace,policy,result},
 * modelops_retrains_total{namespace,policy,trigger},
 * modelops_retrain_outcomes_total{namespace,policy,outcome},
 * modelops_promotions_total{namespace,policy,mode}.
 */
@ApplicationScoped
public class RetrainMetrics {
  /** The whole-policy score uses this feature label value. */
  public static final String ALL_FEATURES = "_all";

  private final MeterRegistry registry;
  private final Map<Tags, AtomicReference<Double>> scores = new ConcurrentHashMap<>();

  public RetrainMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void score(String namespace, String policy, String feature, double value) {
    Tags tags = Tags.of("namespace", namespace, "policy", policy, "feature", feature);
    scores
        .computeIfAbsent(
            tags,
            t -> {
              AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
              registry.gauge("modelops_drift_score", t, holder, h -> h.get());
              return holder;
            })
        .set(value);
  }

  public void evaluation(String namespace, String policy, boolean available) {
    registry
        .counter(
            "modelops_drift_evaluations_total",
            "namespace",
            namespace,
            "policy",
            policy,
            "result",
            available ? "measured" : "unavailable")
        .increment();
  }

  public void retrainStarted(String namespace, String policy, String trigger) {
    registry
        .counter(
            "modelops_retrains_total", "namespace", namespace, "policy", policy, "trigger", trigger)
        .increment();
  }

  public void retrainFinished(String namespace, String policy, String outcome) {
    registry
        .counter(
            "modelops_retrain_outcomes_total",
            "namespace",
            namespace,
            "policy",
            policy,
            "outcome",
            outcome)
        .increment();
  }

  public void promoted(String namespace, String policy, String mode) {
    registry
        .counter(
            "modelops_promotions_total", "namespace", namespace, "policy", policy, "mode", mode)
        .increment();
  }
}
