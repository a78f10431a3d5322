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

  /** Removes the policy's meters once it is deleted, so deleted policies cost nothing. */
  public void forget(String namespace, String policy) {
    scores.keySet().removeIf(tags -> matches(tags, namespace, policy));
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("modelops_"))
        .filter(
            m ->
                namespace.equals(m.getId().getTag("namespace"))
                    && policy.equals(m.getId().getTag("policy")))
        .forEach(registry::remove);
  }

  private static boolean matches(Tags tags, String namespace, String policy) {
    boolean ns = false;
    boolean name = false;
    for (var tag : tags) {
      ns |= tag.getKey().equals("namespace") && tag.getValue().equals(namespace);
      name |= tag.getKey().equals("policy") && tag.getValue().equals(policy);
    }
    return ns && name;
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
