package dev.modelops.operator.retrain;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.Baseline;
import dev.modelops.operator.api.v1alpha1.DistributionSource;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.HistogramSpec;
import dev.modelops.operator.api.v1alpha1.PodMetricsSource;
import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.clients.ClusterReader;
import dev.modelops.operator.clients.MetricEndpoints;
import dev.modelops.operator.clients.PodMetricsScraper;
import dev.modelops.operator.clients.PrometheusClient;
import dev.modelops.operator.clients.PrometheusCredentials;
import dev.modelops.operator.drift.DriftReport;
import dev.modelops.operator.drift.FeatureDrift;
import dev.modelops.operator.drift.Histogram;
import dev.modelops.operator.drift.InvalidHistogramException;
import dev.modelops.operator.drift.PrometheusBuckets;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.Sample;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * Measures a policy's drift from its source, asynchronously: no thread waits on a metric source,
 * and this never runs on a reconcile thread. Every failure becomes an unavailable evaluation with a
 * fixed reason, so a broken or hostile source can never trigger a retrain, never crash the poller,
 * and never has its answer echoed.
 */
@ApplicationScoped
public class DriftEvaluator {
  /** More features than this is refused: each one costs a gauge and status space. */
  public static final int MAX_FEATURES = 100;

  static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = Logger.getLogger(DriftEvaluator.class);

  private final PrometheusClient prometheus;
  private final PodMetricsScraper scraper;
  private final ClusterReader cluster;
  private final MetricEndpoints endpoints;

  public DriftEvaluator(
      PrometheusClient prometheus,
      PodMetricsScraper scraper,
      ClusterReader cluster,
      MetricEndpoints endpoints) {
    this.prometheus = prometheus;
    this.scraper = scraper;
    this.cluster = cluster;
    this.endpoints = endpoints;
  }

  /** Never completes exceptionally. */
  public CompletableFuture<DriftEvaluation> evaluate(RetrainPolicy policy) {
    CompletableFuture<DriftEvaluation> measured;
    try {
      measured = measure(policy, policy.getSpec().drift);
    } catch (RuntimeException e) {
      measured = CompletableFuture.failedFuture(e);
    }
    return measured.handle(
        (evaluation, error) -> error == null ? evaluation : unavailable(policy, error));
  }

  private CompletableFuture<DriftEvaluation> measure(RetrainPolicy policy, DriftSpec drift) {
    if (drift.prometheus != null) {
      return prometheusSamples(policy, drift.prometheus)
          .thenApply(samples -> DriftEvaluation.of(singleValue(samples), Map.of()));
    }
    if (drift.podMetrics != null) {
      return scrapeServingPods(policy, drift.podMetrics)
          .thenApply(scrapes -> DriftEvaluation.of(podScore(drift.podMetrics, scrapes), Map.of()));
    }
    return distribution(policy, drift.distribution);
  }

  private static DriftEvaluation unavailable(RetrainPolicy policy, Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    if (error instanceof MetricSourceException e) {
      return DriftEvaluation.unavailable(e.reason(), e.getMessage());
    }
    if (error instanceof InvalidHistogramException e) {
      return DriftEvaluation.unavailable(e.reason().name(), e.getMessage());
    }
    // A bug or an unforeseen answer: the policy shows an unavailable source and keeps being
    // measured. The message of such an error may quote the answer, so only its type is shown.
    LOG.warnf(
        error,
        "%s/%s: drift evaluation failed",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName());
    return DriftEvaluation.unavailable(
        "EvaluationError", "the evaluation failed (" + error.getClass().getSimpleName() + ")");
  }

  private CompletableFuture<List<Sample>> prometheusSamples(
      RetrainPolicy policy, PrometheusSource source) {
    MetricEndpoints.Endpoint endpoint;
    try {
      endpoint = endpoints.resolve(source);
    } catch (MetricSourceException e) {
      return CompletableFuture.failedFuture(e);
    }
    return PrometheusCredentials.resolve(source, policy.getMetadata().getNamespace(), cluster)
        .thenCompose(
            credentials ->
                prometheus.query(
                    endpoint,
                    source.query,
                    credentials.auth(),
                    credentials.caPem(),
                    source.timeoutOrDefault()));
  }

  private static double singleValue(List<Sample> samples) {
    if (samples.size() != 1) {
      throw fail(
          samples.isEmpty() ? "NoData" : "AmbiguousResult",
          "the query returned " + samples.size() + " series; it must return exactly one");
    }
    return finite(samples.get(0).value(), "the query's value");
  }

  private static double finite(double value, String what) {
    if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
      throw fail("InvalidScore", what + " is " + value + ", not a finite score >= 0");
    }
    return value;
  }

  private static CompletionException fail(String reason, String message) {
    return new CompletionException(new MetricSourceException(reason, message));
  }

  private static double podScore(PodMetricsSource source, List<PodScrape> scrapes) {
    List<Double> values = new ArrayList<>();
    for (var scrape : scrapes) {
      List<Double> matching =
          scrape.samples().stream()
              .filter(s -> s.name().equals(source.metric))
              .map(Sample::value)
              .toList();
      if (matching.isEmpty()) {
        throw fail("MetricMissing", "pod " + scrape.pod() + " does not expose " + source.metric);
      }
      for (double v : matching) {
        values.add(finite(v, source.metric + " on pod " + scrape.pod()));
      }
    }
    return source
        .aggregationOrDefault()
        .apply(values)
        .orElseThrow(() -> fail("NoData", "no value of " + source.metric));
  }

  record PodScrape(String pod, List<Sample> samples) {}

  private CompletableFuture<List<PodScrape>> scrapeServingPods(
      RetrainPolicy policy, PodMetricsSource source) {
    String ns = policy.getMetadata().getNamespace();
    String target = policy.getSpec().modelDeploymentRef.name;
    return cluster
        .servingPods(ns, target)
        .thenCompose(
            pods -> {
              if (pods.isEmpty()) {
                throw fail(
                    "NoServingPods",
                    "ModelDeployment " + target + " has no ready serving pod to scrape");
              }
              List<CompletableFuture<PodScrape>> scrapes = new ArrayList<>();
              for (Pod pod : pods) {
                String name = pod.getMetadata().getName();
                scrapes.add(
                    scraper
                        .scrape(
                            ns,
                            name,
                            pod.getStatus().getPodIP(),
                            source.portOrDefault(),
                            source.pathOrDefault(),
                            SCRAPE_TIMEOUT)
                        .thenApply(samples -> new PodScrape(name, samples)));
              }
              return CompletableFuture.allOf(scrapes.toArray(CompletableFuture[]::new))
                  .thenApply(done -> scrapes.stream().map(CompletableFuture::join).toList());
            });
  }

  private CompletableFuture<DriftEvaluation> distribution(
      RetrainPolicy policy, DistributionSource source) {
    String featureLabel = source.featureLabelOrDefault();
    CompletableFuture<List<Sample>> samples =
        source.prometheus != null
            ? prometheusSamples(policy, source.prometheus)
            : scrapeServingPods(policy, source.podMetrics)
                .thenApply(
                    scrapes -> {
                      String bucketName = source.podMetrics.metric + "_bucket";
                      return scrapes.stream()
                          .flatMap(s -> s.samples().stream())
                          .filter(s -> s.name().equals(bucketName))
                          .toList();
                    });
    return samples.thenCombine(
        baseline(policy, source.baseline),
        (current, baseline) -> {
          DriftReport report =
              FeatureDrift.compare(
                  baseline,
                  currentHistograms(current, featureLabel),
                  source.methodOrDefault(),
                  source.aggregationOrDefault());
          return DriftEvaluation.of(report.aggregate(), report.scores());
        });
  }

  /** feature -> le -> cumulative count, summed over series (pods or Prometheus series). */
  private static Map<String, Histogram> currentHistograms(
      List<Sample> samples, String featureLabel) {
    Map<String, Map<String, Double>> buckets = new TreeMap<>();
    for (Sample s : samples) {
      String le = s.label("le");
      String feature = s.label(featureLabel);
      if (le != null && feature != null) {
        buckets.computeIfAbsent(feature, f -> new HashMap<>()).merge(le, s.value(), Double::sum);
        if (buckets.size() > MAX_FEATURES) {
          throw fail(
              "TooManyFeatures",
              "the histograms name more than " + MAX_FEATURES + " features (" + featureLabel + ")");
        }
      }
    }
    if (buckets.isEmpty()) {
      throw fail(
          "NoData", "no histogram buckets with labels `le` and `" + featureLabel + "` were found");
    }
    Map<String, Histogram> current = new TreeMap<>();
    for (var entry : buckets.entrySet()) {
      try {
        current.put(entry.getKey(), PrometheusBuckets.fromCumulative(entry.getValue()));
      } catch (InvalidHistogramException e) {
        throw e.withContext("feature " + entry.getKey() + " (current)");
      }
    }
    return current;
  }

  private CompletableFuture<Map<String, Histogram>> baseline(
      RetrainPolicy policy, Baseline baseline) {
    if (baseline.histograms != null) {
      return CompletableFuture.completedFuture(histograms(baseline.histograms));
    }
    String ns = policy.getMetadata().getNamespace();
    String where = "ConfigMap " + ns + "/" + baseline.configMapRef.name;
    return cluster
        .configMapValue(ns, baseline.configMapRef.name, baseline.configMapRef.key)
        .thenApply(
            json -> {
              String text =
                  json.orElseThrow(
                      () ->
                          fail(
                              "BaselineNotFound",
                              where + " is missing or has no key " + baseline.configMapRef.key));
              Map<String, HistogramSpec> specs;
              try {
                specs = JSON.readValue(text, new TypeReference<Map<String, HistogramSpec>>() {});
              } catch (Exception e) {
                specs = null;
              }
              if (specs == null || specs.values().stream().anyMatch(DriftEvaluator::incomplete)) {
                throw fail(
                    "BaselineNotParsable",
                    where
                        + " key "
                        + baseline.configMapRef.key
                        + " is not {\"feature\": {\"edges\": [...], \"counts\": [...]}}");
              }
              if (specs.size() > MAX_FEATURES) {
                throw fail(
                    "TooManyFeatures",
                    where + " has more than " + MAX_FEATURES + " features in its baseline");
              }
              return histograms(specs);
            });
  }

  private static boolean incomplete(HistogramSpec spec) {
    return spec == null || spec.edges == null || spec.counts == null;
  }

  private static Map<String, Histogram> histograms(Map<String, HistogramSpec> specs) {
    Map<String, Histogram> histograms = new TreeMap<>();
    for (var entry : specs.entrySet()) {
      List<Double> edges = new ArrayList<>();
      for (String le : entry.getValue().edges) {
        edges.add(PrometheusBuckets.parseLe(le));
      }
      histograms.put(entry.getKey(), new Histogram(edges, entry.getValue().counts));
    }
    return histograms;
  }
}
