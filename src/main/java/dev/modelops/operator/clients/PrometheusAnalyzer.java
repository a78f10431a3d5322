package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.Sample;
import dev.modelops.operator.rollout.AnalysisVariables;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.Measurement;
import dev.modelops.operator.rollout.SuccessCondition;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Measures canary analysis queries against declared metric endpoints, asynchronously and off the
 * reconcile threads, with a query limit and a thread pool of its own (so drift measurements cannot
 * starve a rollout), the shared HTTP client and the shared reader of credentials.
 */
@ApplicationScoped
public class PrometheusAnalyzer implements CanaryRollout.Analyzer {
  private final PrometheusClient prometheus;
  private final ClusterReader cluster;
  private final MetricEndpoints endpoints;
  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "canary-analysis");
            t.setDaemon(true);
            return t;
          });

  public PrometheusAnalyzer(
      BoundedHttp http,
      OperatorSettings settings,
      ClusterReferences cluster,
      MetricEndpoints endpoints) {
    this.prometheus = new PrometheusClient(http, settings.fetch().maxConcurrentPerEndpoint());
    this.cluster = cluster;
    this.endpoints = endpoints;
  }

  @PreDestroy
  void close() {
    pool.shutdownNow();
  }

  @Override
  public CompletableFuture<List<Measurement>> measure(ModelDeployment md, AnalysisSpec analysis) {
    String namespace = md.getMetadata().getNamespace();
    List<CompletableFuture<Measurement>> each = new ArrayList<>();
    Map<String, String> variables = AnalysisVariables.of(md);
    for (AnalysisQuery query : analysis.queries) {
      each.add(
          measure(namespace, query, AnalysisVariables.render(query.prometheus.query, variables)));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApplyAsync(done -> each.stream().map(CompletableFuture::join).toList(), pool);
  }

  private CompletableFuture<Measurement> measure(
      String namespace, AnalysisQuery query, String promql) {
    CompletableFuture<List<Sample>> samples;
    try {
      MetricEndpoints.Endpoint endpoint = endpoints.resolve(query.prometheus);
      samples =
          PrometheusCredentials.resolve(query.prometheus, namespace, cluster)
              .thenCompose(
                  credentials ->
                      prometheus.query(
                          endpoint,
                          promql,
                          credentials.auth(),
                          credentials.caPem(),
                          query.prometheus.timeoutOrDefault()));
    } catch (MetricSourceException e) {
      samples = CompletableFuture.failedFuture(e);
    }
    return samples.handleAsync(
        (result, error) -> {
          if (error != null) {
            return unmeasurable(query, error);
          }
          if (result.size() != 1) {
            return Measurement.unmeasurable(
                query.name, "the query returned " + result.size() + " series, not 1");
          }
          try {
            return Measurement.of(
                query.name,
                result.get(0).value(),
                SuccessCondition.parse(query.successCondition),
                query.inconclusive != null ? query.inconclusive.min : null,
                query.inconclusive != null ? query.inconclusive.max : null);
          } catch (RuntimeException e) {
            return unmeasurable(query, e);
          }
        },
        pool);
  }

  private static Measurement unmeasurable(AnalysisQuery query, Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    String why =
        error instanceof MetricSourceException e
            ? e.reason() + ": " + e.getMessage()
            : "EvaluationError: the measurement failed (" + error.getClass().getSimpleName() + ")";
    return Measurement.unmeasurable(query.name, why);
  }
}
