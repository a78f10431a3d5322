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

/**
 * Measures a policy's drift from its source. Runs on the polling pool, never on a reconcile thread;
 * every failure becomes an unavailable evaluation with a reason, so a broken source can never
 * trigger a retrain.
 */
@ApplicationScoped
public class DriftEvaluator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrometheusClient prometheus;
  private final PodMetricsScraper scraper;
  private final ClusterReader cluster;

  public DriftEvaluator(
      PrometheusClient prometheus, PodMetricsScraper scraper, ClusterReader cluster) {
    this.prometheus = prometheus;
    this.scraper = scraper;
    this.cluster = cluster;
  }

  public DriftEvaluation evaluate(RetrainPolicy policy) {
    DriftSpec drift = policy.getSpec().drift;
    try {
      if (drift.prometheus != null) {
        return DriftEvaluation.of(
            singleValue(prometheusSamples(policy, drift.prometheus), drift.prometheus.query),
            Map.of());
      }
      if (drift.podMetrics != null) {
        return DriftEvaluation.of(podScore(policy, drift.podMetrics), Map.of());
      }
      return distribution(policy, drift.distribution);
    } catch (MetricSourceException e) {
      return DriftEvaluation.unavailable(e.reason(), e.getMessage());
    } catch (InvalidHistogramException e) {
      return DriftEvaluation.unavailable(e.reason().name(), e.getMessage());
    } catch (RuntimeException e) {
      // A bug or an unforeseen answer must not kill the poller; it shows as an unavailable source.
      return DriftEvaluation.unavailable(
          "EvaluationError", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private List<Sample> prometheusSamples(RetrainPolicy policy, PrometheusSource source)
      throws MetricSourceException {
    String ns = policy.getMetadata().getNamespace();
    var credentials =
        PrometheusCredentials.resolve(
            source, (secret, key) -> cluster.secretValue(ns, secret, key));
    return prometheus.query(
        source.url,
        source.query,
        credentials.auth(),
        credentials.caPem(),
        source.timeoutOrDefault());
  }

  private static double singleValue(List<Sample> samples, String query)
      throws MetricSourceException {
    if (samples.size() != 1) {
      throw new MetricSourceException(
          samples.isEmpty() ? "NoData" : "AmbiguousResult",
          "the query returned " + samples.size() + " series; it must return exactly one: " + query);
    }
    return finite(samples.get(0).value(), query);
  }

  private static double finite(double value, String what) throws MetricSourceException {
    if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
      throw new MetricSourceException(
          "InvalidScore", what + " is " + value + ", not a finite score >= 0");
    }
    return value;
  }

  private double podScore(RetrainPolicy policy, PodMetricsSource source)
      throws MetricSourceException {
    List<Double> values = new ArrayList<>();
    for (var scrape : scrapeServingPods(policy, source)) {
      List<Double> matching =
          scrape.samples().stream()
              .filter(s -> s.name().equals(source.metric))
              .map(Sample::value)
              .toList();
      if (matching.isEmpty()) {
        throw new MetricSourceException(
            "MetricMissing", "pod " + scrape.pod() + " does not expose " + source.metric);
      }
      for (double v : matching) {
        values.add(finite(v, source.metric + " on pod " + scrape.pod()));
      }
    }
    return source
        .aggregationOrDefault()
        .apply(values)
        .orElseThrow(() -> new MetricSourceException("NoData", "no value of " + source.metric));
  }

  record PodScrape(String pod, List<Sample> samples) {}

  private List<PodScrape> scrapeServingPods(RetrainPolicy policy, PodMetricsSource source)
      throws MetricSourceException {
    String ns = policy.getMetadata().getNamespace();
    String target = policy.getSpec().modelDeploymentRef.name;
    List<Pod> pods = cluster.servingPods(ns, target);
    if (pods.isEmpty()) {
      throw new MetricSourceException(
          "NoServingPods", "ModelDeployment " + target + " has no ready serving pod to scrape");
    }
    int port = source.portOrDefault();
    String path = source.pathOrDefault();
    List<PodScrape> scrapes = new ArrayList<>();
    for (Pod pod : pods) {
      scrapes.add(
          new PodScrape(
              pod.getMetadata().getName(),
              scraper.scrape(
                  pod.getMetadata().getName(),
                  pod.getStatus().getPodIP(),
                  port,
                  path,
                  Duration.ofSeconds(5))));
    }
    return scrapes;
  }

  private DriftEvaluation distribution(RetrainPolicy policy, DistributionSource source)
      throws MetricSourceException, InvalidHistogramException {
    String featureLabel = source.featureLabelOrDefault();
    List<Sample> samples = new ArrayList<>();
    if (source.prometheus != null) {
      samples.addAll(prometheusSamples(policy, source.prometheus));
    } else {
      String bucketName = source.podMetrics.metric + "_bucket";
      for (var scrape : scrapeServingPods(policy, source.podMetrics)) {
        scrape.samples().stream().filter(s -> s.name().equals(bucketName)).forEach(samples::add);
      }
    }
    // feature -> le -> cumulative count, summed over series (pods or Prometheus series)
    Map<String, Map<String, Double>> buckets = new TreeMap<>();
    for (Sample s : samples) {
      String le = s.label("le");
      String feature = s.label(featureLabel);
      if (le != null && feature != null) {
        buckets.computeIfAbsent(feature, f -> new HashMap<>()).merge(le, s.value(), Double::sum);
      }
    }
    if (buckets.isEmpty()) {
      throw new MetricSourceException(
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
    DriftReport report =
        FeatureDrift.compare(
            baseline(policy, source.baseline),
            current,
            source.methodOrDefault(),
            source.aggregationOrDefault());
    return DriftEvaluation.of(report.aggregate(), report.scores());
  }

  private Map<String, Histogram> baseline(RetrainPolicy policy, Baseline baseline)
      throws MetricSourceException, InvalidHistogramException {
    Map<String, HistogramSpec> specs = baseline.histograms;
    if (specs == null) {
      String ns = policy.getMetadata().getNamespace();
      String json =
          cluster
              .configMapValue(ns, baseline.configMapRef.name, baseline.configMapRef.key)
              .orElseThrow(
                  () ->
                      new MetricSourceException(
                          "BaselineNotFound",
                          "ConfigMap "
                              + ns
                              + "/"
                              + baseline.configMapRef.name
                              + " is missing or has no key "
                              + baseline.configMapRef.key));
      try {
        specs = JSON.readValue(json, new TypeReference<Map<String, HistogramSpec>>() {});
      } catch (Exception e) {
        throw new MetricSourceException(
            "BaselineNotParsable",
            "ConfigMap "
                + ns
                + "/"
                + baseline.configMapRef.name
                + " key "
                + baseline.configMapRef.key
                + " is not {\"feature\": {\"edges\": [...], \"counts\": [...]}}");
      }
    }
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
