package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.PrometheusClient;
import dev.modelops.operator.metrics.PrometheusCredentials;
import dev.modelops.operator.metrics.Sample;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Measures canary analysis queries against Prometheus. It runs on the reconcile thread, but only
 * for ModelDeployments in an analysis step, once per interval, each query bounded by its timeout.
 */
@ApplicationScoped
public class PrometheusAnalyzer implements CanaryRollout.Analyzer {
  private final PrometheusClient prometheus = new PrometheusClient();
  private final KubernetesClient client;

  public PrometheusAnalyzer(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<Measurement> measure(ModelDeployment md, AnalysisSpec analysis) {
    List<Measurement> measurements = new ArrayList<>();
    for (AnalysisQuery query : analysis.queries) {
      try {
        var source = query.prometheus;
        var credentials =
            PrometheusCredentials.resolve(source, (secret, key) -> secretValue(md, secret, key));
        List<Sample> samples =
            prometheus.query(
                source.url,
                source.query,
                credentials.auth(),
                credentials.caPem(),
                Duration.ofSeconds(source.timeoutSeconds != null ? source.timeoutSeconds : 5));
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

  private Optional<String> secretValue(ModelDeployment md, String name, String key) {
    Secret secret =
        client.secrets().inNamespace(md.getMetadata().getNamespace()).withName(name).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(key)) {
      return Optional.empty();
    }
    return Optional.of(
        new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8));
  }
}
