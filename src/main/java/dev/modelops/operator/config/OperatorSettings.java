package dev.modelops.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator-wide settings from application.properties or MODELOPS_* environment variables. */
@ConfigMapping(prefix = "modelops")
public interface OperatorSettings {

  ModelPuller modelPuller();

  Drift drift();

  LeaderElection leaderElection();

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
    @WithDefault("docker.io/kserve/storage-initializer:v0.15.0")
    String image();
  }
}
