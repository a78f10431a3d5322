package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.Sample;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.Measurement;
import dev.modelops.operator.rollout.SuccessCondition;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures canary analysis queries against Prometheus, with the client and the Secret reader that
 * drift evaluation uses too. It runs on the reconcile thread, but only for ModelDeployments in an
 * analysis step, once per interval, each query bounded by its timeout.
 */
@ApplicationScoped
public class PrometheusAnalyzer implements CanaryRollout.Analyzer {
  private final PrometheusClient prometheus;
  private final ClusterReader cluster;

  public PrometheusAnalyzer(PrometheusClient prometheus, ClusterReferences cluster) {
    this.prometheus = prometheus;
    this.cluster = cluster;
  }

  @Override
  public List<Measurement> measure(ModelDeployment md, AnalysisSpec analysis) {
    String namespace = md.getMetadata().getNamespace();
    List<Measurement> measurements = new ArrayList<>();
    for (AnalysisQuery query : analysis.queries) {
      try {
        var source = query.prometheus;
        var credentials =
            PrometheusCredentials.resolve(
                source, (secret, key) -> cluster.secretValue(namespace, secret, key));
        List<Sample> samples =
            prometheus.query(
                source.url,
                source.query,
                credentials.auth(),
                credentials.caPem(),
                source.timeoutOrDefault());
        if (samples.size() != 1) {
          measurements.add(
              Measurement.unmeasurable(
                  query.name, "the query returned " + samples.size() + " series, not 1"));
          continue;
        }
        measurements.add(
            Measurement.of(
                query.name,
                samples.get(0).value(),
                SuccessCondition.parse(query.successCondition),
                query.inconclusive != null ? query.inconclusive.min : null,
                query.inconclusive != null ? query.inconclusive.max : null));
      } catch (MetricSourceException e) {
        measurements.add(Measurement.unmeasurable(query.name, e.reason() + ": " + e.getMessage()));
      }
    }
    return measurements;
  }
}
