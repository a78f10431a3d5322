package dev.modelops.operator.e2e;

/** A gauge the test controls, served on loopback and scraped every second by a real Prometheus. */
final class ScrapedGauge implements AutoCloseable {
  final MetricsEndpoint endpoint;
  final RealPrometheus prometheus;
  private final String metric;

  /** Queried through the declared metric endpoint {@code declaredEndpoint}. */
  ScrapedGauge(String metric, double initial, String declaredEndpoint) throws Exception {
    this.metric = metric;
    endpoint = new MetricsEndpoint("127.0.0.1", 0);
    endpoint.set(metric, initial);
    prometheus = new RealPrometheus(endpoint.address(), declaredEndpoint);
    prometheus.awaitSeries(metric);
  }

  void set(double value) {
    endpoint.set(metric, value);
  }

  @Override
  public void close() throws Exception {
    prometheus.close();
    endpoint.close();
  }
}
