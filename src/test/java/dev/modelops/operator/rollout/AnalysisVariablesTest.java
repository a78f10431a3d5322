package dev.modelops.operator.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AnalysisVariablesTest {

  @Test
  void aQueryNamesTheCanaryItJudgesAndUnknownTextStays() {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("iris").withNamespace("ml").build());
    md.setSpec(new ModelDeploymentSpec());
    md.getSpec().model = new ModelSpec();
    md.getSpec().model.version = "2";
    md.setStatus(new ModelDeploymentStatus());
    md.getStatus().rollout =
        CanaryStateMachine.start("2", "s3://m/2/", "1", "s3://m/1/", Instant.EPOCH);

    String query =
        "rate(x{namespace=\"{{namespace}}\",deployment=\"{{name}}\",version=\"{{canaryVersion}}\"}[1m])"
            + " / rate(x{version=\"{{stableVersion}}\"}[1m]) + {{other}}";
    assertEquals(
        "rate(x{namespace=\"ml\",deployment=\"iris\",version=\"2\"}[1m])"
            + " / rate(x{version=\"1\"}[1m]) + {{other}}",
        AnalysisVariables.render(query, AnalysisVariables.of(md)));
  }
}
