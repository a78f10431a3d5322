package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Test fixtures: a valid ModelDeployment as the API server would store it (defaults applied). */
public final class ModelDeployments {
  private ModelDeployments() {}

  public static ModelDeployment churn(String version) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder()
            .withName("churn")
            .withNamespace("ml")
            .withGeneration(1L)
            .withUid("uid-1")
            .build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSpec();
    spec.model.name = "churn-model";
    spec.model.version = version;
    spec.model.uri = "s3://models/churn/" + version;
    spec.model.format = "sklearn";
    spec.runtime = new RuntimeSpec();
    spec.runtime.image = "example.test/sklearn-server:1";
    spec.runtime.port = 8080;
    spec.runtime.protocol = RuntimeSpec.Protocol.v2;
    spec.replicas = 2;
    md.setSpec(spec);
    return md;
  }
}
