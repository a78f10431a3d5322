package dev.modelops.operator.observability;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * JOSDK's reconcile metrics (reconciliations_*_total, reconciliations_execution_duration_seconds,
 * reconciliations_queue, reconciliations_active, custom_resources) on /q/metrics. QOSDK 7.7.3's own
 * producer hands JOSDK its metrics before Micrometer has bound them, so they stayed a no-op; this
 * one wins over it.
 */
public class ReconcileMetrics {

  @Produces
  @Singleton
  @Alternative
  @Priority(1)
  Metrics josdkMetrics(MeterRegistry registry) {
    return MicrometerMetricsV2.newBuilder(registry).build();
  }
}
