package dev.modelops.operator.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.serving.AutoscalerDependent;
import dev.modelops.operator.serving.ServingDeploymentDependent;
import dev.modelops.operator.serving.ServingServiceDependent;
import dev.modelops.operator.serving.ServingStatusCalculator;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Any admitted ModelDeployment, against any Deployment status, yields sane children and status.
 * Seeded.
 */
class ServingPropertiesTest {
  static final long SEED = 20261127L;
  static final int CASES = 500;

  @Test
  void childrenAreAlwaysWellFormed() {
    Random r = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      ModelDeployment md = RandomInputs.modelDeployment(r);
      String where = "case " + i + " (seed " + SEED + ")";
      Deployment d = ServingDeploymentDependent.build(md, "puller");
      assertTrue(d.getSpec().getReplicas() >= 0, where);
      assertTrue(
          d.getSpec()
              .getTemplate()
              .getMetadata()
              .getLabels()
              .entrySet()
              .containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()),
          where + ": selector matches the pods");
      assertEquals(
          0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(), where);
      assertTrue(
          ServingServiceDependent.build(md).getSpec().getSelector().entrySet().stream()
              .allMatch(
                  e ->
                      e.getValue()
                          .equals(
                              d.getSpec().getTemplate().getMetadata().getLabels().get(e.getKey()))),
          where);
      if (md.getSpec().autoscaling != null) {
        var hpa = AutoscalerDependent.build(md);
        assertTrue(hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(), where);
      }
    }
  }

  /**
   * JOSDK clones and patches resources with a plain Jackson mapper, which refuses empty classes.
   */
  @Test
  void everyAdmittedResourceSerializesWithAStrictMapper() throws Exception {
    var strict = new com.fasterxml.jackson.databind.ObjectMapper();
    Random r = new Random(SEED + 2);
    for (int i = 0; i < 200; i++) {
      ModelDeployment md = RandomInputs.modelDeployment(r);
      md.setStatus(ServingStatusCalculator.compute(md, Optional.empty(), Instant.now()).status());
      String json = strict.writeValueAsString(md);
      assertEquals(
          json,
          strict.writeValueAsString(strict.readValue(json, ModelDeployment.class)),
          "case " + i);
    }
  }

  @Test
  void statusIsConsistentAndSettlesWithoutRepeatingEvents() {
    Random r = new Random(SEED + 1);
    Instant now = Instant.parse("2026-11-27T10:00:00Z");
    for (int i = 0; i < CASES; i++) {
      ModelDeployment md = RandomInputs.modelDeployment(r);
      String where = "case " + i + " (seed " + (SEED + 1) + ")";
      for (int round = 0; round < 4; round++) {
        Optional<Deployment> observed =
            r.nextInt(5) == 0
                ? Optional.empty()
                : Optional.of(
                    RandomInputs.deploymentStatus(
                        r, ServingDeploymentDependent.build(md, "puller")));
        var result = ServingStatusCalculator.compute(md, observed, now.plusSeconds(round));
        var status = result.status();
        assertTrue(status.history.size() <= ServingStatusCalculator.HISTORY_LIMIT, where);
        assertTrue(
            status.history.stream().filter(h -> h.outcome == Outcome.Serving).count() <= 1,
            where + ": one serving version");
        assertEquals(ServingStatusCalculator.phase(status), status.phase, where);
        md.setStatus(status);
        var again = ServingStatusCalculator.compute(md, observed, now.plusSeconds(round));
        assertTrue(
            again.events().isEmpty(), where + ": the same observation twice records nothing new");
        assertTrue(
            !StatusChange.differs(md.getStatus(), again.status()), where + ": and writes nothing");
        if (r.nextInt(3) == 0) {
          md.getSpec().model.version = RandomInputs.version(r);
          md.getSpec().model.uri = "s3://bucket/m/" + md.getSpec().model.version;
        }
      }
    }
  }
}
