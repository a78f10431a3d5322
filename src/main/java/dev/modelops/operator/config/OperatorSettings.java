package dev.modelops.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator-wide settings from application.properties or MODELOPS_* environment variables. */
@ConfigMapping(prefix = "modelops")
public interface OperatorSettings {

  ModelPuller modelPuller();

  Drift drift();

  interface Drift {
    /** Threads that measure drift (HTTP to Prometheus or pods), apart from the reconcile threads. */
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
