package dev.modelops.operator.api.v1alpha1;

/**
 * One named constant per default of the CRDs: the schema's {@code @Default} and the Java accessors
 * ({@code ...OrDefault()}) read the same value, so an object that skipped admission defaulting (a
 * test, an old object) behaves as an admitted one.
 */
public final class Defaults {
  // ModelDeployment
  public static final int SERVER_PORT = 8080;
  public static final String PROTOCOL = "v2";
  public static final String STRATEGY = "RollingUpdate";
  public static final int PROGRESS_DEADLINE_SECONDS = 600;
  public static final boolean SURGE = true;
  public static final String ANALYSIS_INTERVAL = "30s";
  public static final int ANALYSIS_COUNT = 3;
  public static final int ANALYSIS_FAILURE_LIMIT = 0;
  public static final int MIN_REPLICAS = 1;

  /** How often a registry reference (models:/...) is resolved again. */
  public static final String RESOLVE_INTERVAL = "1m";

  /** Replicas when neither spec.replicas nor autoscaling says. */
  public static final int REPLICAS = 1;

  // RetrainPolicy
  public static final String FOR = "0s";
  public static final String EVALUATION_INTERVAL = "60s";
  public static final String COOLDOWN = "1h";
  public static final String CONCURRENCY = "Forbid";
  public static final String PROMOTION = "Automatic";
  public static final int SUCCESSFUL_JOBS_HISTORY_LIMIT = 3;
  public static final int FAILED_JOBS_HISTORY_LIMIT = 1;
  public static final boolean SUSPEND = false;

  /** Floors, in CEL and in code: no tenant makes the operator poll faster than this. */
  public static final String MIN_EVALUATION_INTERVAL = "10s";

  public static final String MIN_ANALYSIS_INTERVAL = "5s";
  public static final String MIN_COOLDOWN = "1m";
  public static final String MIN_RESOLVE_INTERVAL = "10s";

  // Metric sources
  public static final int METRICS_PORT = 8080;
  public static final String METRICS_PATH = "/metrics";
  public static final String AGGREGATION = "max";
  public static final String FEATURE_LABEL = "feature";
  public static final String METHOD = "psi";
  public static final int TIMEOUT_SECONDS = 5;

  private Defaults() {}
}
