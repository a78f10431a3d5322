package dev.modelops.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator-wide settings from application.properties or MODELOPS_* environment variables. */
@ConfigMapping(prefix = "modelops")
public interface OperatorSettings {

  ModelPuller modelPuller();

  Drift drift();

  LeaderElection leaderElection();

  /**
   * The metric endpoints (Prometheus HTTP APIs) that RetrainPolicies and canary analyses may name,
   * as NAME=URL pairs, e.g. {@code default=http://prometheus.monitoring.svc:9090}. Tenants name one
   * (prometheus.endpoint) or give its exact URL; any other address is refused.
   */
  java.util.Optional<java.util.List<String>> metricEndpoints();

  Fetch fetch();

  /**
   * The model registries (MLflow tracking servers) that a registry reference in spec.model.uri may
   * be resolved through, as NAME=URL pairs, e.g. {@code mlflow=http://mlflow.mlflow.svc:5000}.
   * Tenants name one (spec.model.registry.endpoint); any other address is refused.
   */
  java.util.Optional<java.util.List<String>> modelRegistries();

  /**
   * Optional UI addresses of declared registries, NAME=URL pairs, for the link in
   * status.registry.link (e.g. {@code mlflow=https://mlflow.example.com}).
   */
  java.util.Optional<java.util.List<String>> modelRegistryLinks();

  Registry registry();

  Trainer trainer();

  /** Bounds on every read from a metric source, so no tenant can exhaust the operator. */
  interface Fetch {
    /** Larger answers are cut off and count as unavailable (ResponseTooLarge). */
    @WithDefault("4194304")
    int maxResponseBytes();

    /**
     * Requests in flight to one metric endpoint; more wait their turn. 10,000 policies at 10 s
     * (1,000 queries a second) need about 100 on two cores (docs/performance.md).
     */
    @WithDefault("128")
    int maxConcurrentPerEndpoint();

    /** Pod scrapes in flight per namespace; more wait their turn. */
    @WithDefault("8")
    int maxConcurrentPerNamespace();
  }

  /** Bounds on every call to a model registry. */
  interface Registry {
    /** Deadline of one registry request, the body included (RegistryUnreachable after it). */
    @WithDefault("5s")
    java.time.Duration timeout();

    /** Requests in flight to one registry; more wait their turn. */
    @WithDefault("8")
    int maxConcurrentPerRegistry();

    /**
     * The shortest interval at which a ModelDeployment's reference is resolved again, whatever its
     * registry.resolveInterval says (the CRD's own floor is 10s).
     */
    @WithDefault("10s")
    java.time.Duration minResolveInterval();
  }

  /** What a RetrainPolicy's jobTemplate may ask of the trainer pod. */
  interface Trainer {
    /**
     * The Pod Security Standard the trainer pod must meet: restricted (default) or baseline. A
     * jobTemplate that asks for more is refused with the field named.
     */
    @WithDefault("restricted")
    String podSecurity();
  }

  /** Two or more replicas share one Lease; only its holder reconciles. */
  interface LeaderElection {
    @WithDefault("false")
    boolean enabled();

    @WithDefault("modelops-operator-leader")
    String leaseName();

    /** Defaults to the namespace the operator runs in (KUBERNETES_NAMESPACE in deploy/). */
    java.util.Optional<String> leaseNamespace();

    /** Defaults to the host name plus the process id, so two processes on one host differ. */
    java.util.Optional<String> identity();

    @WithDefault("15s")
    java.time.Duration leaseDuration();

    @WithDefault("10s")
    java.time.Duration renewDeadline();

    @WithDefault("2s")
    java.time.Duration retryPeriod();
  }

  interface Drift {
    /**
     * Threads that measure drift (HTTP to Prometheus or pods), apart from the reconcile threads.
     */
    @WithDefault("4")
    int fetchThreads();
  }

  interface ModelPuller {
    /**
     * Image of the init container that downloads a model. Contract: it is run with the arguments
     * {@code URI /mnt/models} and must leave the model files in /mnt/models.
     */
    @WithDefault("ghcr.io/modelops-dev/model-puller:0.1.0")
    String image();
  }
}
