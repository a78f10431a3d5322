package dev.modelops.operator.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisStep;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A canary step as a value: what starts, advances and ends a rollout, without a cluster. */
class CanaryRolloutTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void aNewVersionBesideTheServingOneStartsARollout() {
    ModelDeployment md = canary("2.0.0");
    ModelDeploymentStatus status = servingWithNewEntry("1.0.0", "2.0.0");

    var step = advance(md, status, Optional.empty(), 4, Optional.empty(), T0);

    assertTrue(step.started());
    assertEquals("2.0.0", step.rollout().canaryVersion);
    assertEquals("1.0.0", step.rollout().stableVersion);
    assertEquals("CanaryStarting", step.progressReason());
    assertEquals(List.of(Reason.CanaryStarted), reasons(step));
    assertEquals(Optional.of(Duration.ofSeconds(1)), step.wakeUpIn());
    assertNull(status.rollout, "the status it was given is not touched");
  }

  @Test
  void theFirstVersionStartsNoRollout() {
    ModelDeployment md = canary("1.0.0");
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.history.add(new VersionHistoryEntry("1.0.0", uri("1.0.0"), "t", Outcome.Progressing));

    var step = advance(md, status, Optional.empty(), 4, Optional.empty(), T0);

    assertNull(step.rollout());
    assertEquals(CanaryRollout.Ending.None, step.ending());
    assertTrue(step.events().isEmpty());
  }

  @Test
  void aRunningRolloutWaitsForItsPodsThenAnalysesWithTheMeasurementsItIsGiven() {
    ModelDeployment md = canary("2.0.0");
    ModelDeploymentStatus status = servingWithNewEntry("1.0.0", "2.0.0");
    status.rollout = CanaryStateMachine.start("2.0.0", uri("2.0.0"), "1.0.0", uri("1.0.0"), T0);

    var waiting = advance(md, status, Optional.empty(), 4, Optional.empty(), T0);
    assertEquals("WaitingForCanaryPods", waiting.progressReason());
    assertEquals(25, waiting.rollout().weight);

    status.rollout = waiting.rollout();
    var analysing =
        advance(md, status, Optional.of(canaryPods("2.0.0", 1)), 4, Optional.empty(), T0);
    assertEquals(1, analysing.rollout().stepIndex);
    assertEquals(List.of(Reason.CanaryStep), reasons(analysing));

    status.rollout = analysing.rollout();
    md.setStatus(status);
    assertFalse(
        CanaryRollout.measurementDue(md, T0), "the canary serves one interval before it is judged");
    assertTrue(CanaryRollout.measurementDue(md, T0.plusSeconds(30)), "the default interval, 30s");
    var failed =
        advance(
            md,
            status,
            Optional.of(canaryPods("2.0.0", 1)),
            4,
            Optional.of(List.of(Measurement.unmeasurable("error-rate", "SourceUnreachable"))),
            T0.plusSeconds(30));
    assertEquals(CanaryRollout.Ending.RolledBack, failed.ending());
    assertEquals("AnalysisFailed", failed.endReason());
    assertNull(failed.rollout());
    assertEquals(Optional.of("rolled_back"), failed.endedOutcome());
    assertEquals(List.of(Reason.RolledBack), reasons(failed));
  }

  @Test
  void aCanaryWhosePodsMissTheProgressDeadlineIsRolledBackSayingWhy() {
    ModelDeployment md = canary("2.0.0");
    ModelDeploymentStatus status = servingWithNewEntry("1.0.0", "2.0.0");
    status.rollout = CanaryStateMachine.start("2.0.0", uri("2.0.0"), "1.0.0", uri("1.0.0"), T0);
    Deployment stuck = canaryPods("2.0.0", 0);
    Optional<String> why = Optional.of("pod ranker-canary-x: init container model-puller exited 1");

    var waiting =
        CanaryRollout.advance(md, status, Optional.of(stuck), 4, Optional.empty(), why, T0);
    assertEquals("WaitingForCanaryPods", waiting.progressReason());
    assertTrue(waiting.progressMessage().endsWith(why.get()), waiting.progressMessage());

    assertEquals(
        Optional.of(Duration.ofSeconds(601)),
        waiting.wakeUpIn(),
        "wakes at the deadline (progressDeadlineSeconds 600 by default)");

    var rolledBack =
        CanaryRollout.advance(
            md, status, Optional.of(stuck), 4, Optional.empty(), why, T0.plusSeconds(600));
    assertEquals(CanaryRollout.Ending.RolledBack, rolledBack.ending());
    assertEquals("ProgressDeadlineExceeded", rolledBack.endReason());
    assertTrue(rolledBack.endMessage().contains("model-puller exited 1"), rolledBack.endMessage());
  }

  @Test
  void aPromoteRequestEndsTheRolloutWithThePromotion() {
    ModelDeployment md = canary("2.0.0");
    md.getMetadata().setAnnotations(Map.of(Keys.PROMOTE_ANNOTATION, "true"));
    ModelDeploymentStatus status = servingWithNewEntry("1.0.0", "2.0.0");
    status.rollout = CanaryStateMachine.start("2.0.0", uri("2.0.0"), "1.0.0", uri("1.0.0"), T0);

    var step = advance(md, status, Optional.empty(), 4, Optional.empty(), T0.plusSeconds(90));

    assertEquals(CanaryRollout.Ending.Promoted, step.ending());
    assertEquals(Duration.ofSeconds(90), step.duration());
    assertEquals(Optional.of("promoted"), step.endedOutcome());
    assertNotNull(step.endMessage());
  }

  @Test
  void noMeasurementIsDueOutsideAnAnalysisStepOrForAnotherVersion() {
    ModelDeployment md = canary("2.0.0");
    ModelDeploymentStatus status = servingWithNewEntry("1.0.0", "2.0.0");
    status.rollout = CanaryStateMachine.start("2.0.0", uri("2.0.0"), "1.0.0", uri("1.0.0"), T0);
    md.setStatus(status);
    assertFalse(CanaryRollout.measurementDue(md, T0), "step 0 is setWeight");

    RolloutStatus atAnalysis = StatusChange.copy(status.rollout, RolloutStatus.class);
    atAnalysis.stepIndex = 1;
    status.rollout = atAnalysis;
    md.getSpec().model.version = "3.0.0";
    md.getSpec().model.uri = uri("3.0.0");
    assertFalse(CanaryRollout.measurementDue(md, T0), "the rollout tests 2.0.0, spec names 3.0.0");
  }

  // --- fixtures ---

  static List<Reason> reasons(CanaryRollout.Step step) {
    return step.events().stream().map(e -> e.code()).toList();
  }

  static String uri(String version) {
    return "s3://models/ranker/" + version;
  }

  static ModelDeployment canary(String version) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder().withName("ranker").withNamespace("ml").withGeneration(1L).build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSpec();
    spec.model.name = "ranker";
    spec.model.version = version;
    spec.model.uri = uri(version);
    spec.runtime = new RuntimeSpec();
    spec.runtime.image = "example.test/server:1";
    spec.replicas = 4;
    spec.rollout = new RolloutSpec();
    spec.rollout.strategy = RolloutSpec.Strategy.Canary;
    CanaryStep weight = new CanaryStep();
    weight.setWeight = 25;
    CanaryStep analysis = new CanaryStep();
    analysis.analysis = new AnalysisStep();
    spec.rollout.steps = List.of(weight, analysis);
    spec.rollout.analysis = new AnalysisSpec();
    AnalysisQuery query = new AnalysisQuery();
    query.name = "error-rate";
    query.successCondition = "< 0.05";
    spec.rollout.analysis.queries = List.of(query);
    spec.rollout.analysis.count = 2;
    spec.rollout.analysis.failureLimit = 0;
    md.setSpec(spec);
    return md;
  }

  /** 1.0.0 serves; the entry of the new version has just been opened. */
  static ModelDeploymentStatus servingWithNewEntry(String serving, String next) {
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.history = new ArrayList<>();
    status.history.add(new VersionHistoryEntry(next, uri(next), "t1", Outcome.Progressing));
    status.history.add(new VersionHistoryEntry(serving, uri(serving), "t0", Outcome.Serving));
    status.servingVersion = serving;
    return status;
  }

  static Deployment canaryPods(String version, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("ranker-canary")
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewMetadata()
        .withAnnotations(
            Map.of(Keys.VERSION_ANNOTATION, version, Keys.URI_ANNOTATION, uri(version)))
        .endMetadata()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withAvailableReplicas(available)
        .endStatus()
        .build();
  }

  /** A rollout whose pods have nothing to report (no PodTrouble). */
  private static CanaryRollout.Step advance(
      ModelDeployment md,
      ModelDeploymentStatus status,
      Optional<Deployment> canary,
      int totalReplicas,
      Optional<List<Measurement>> measurements,
      Instant now) {
    return CanaryRollout.advance(
        md, status, canary, totalReplicas, measurements, Optional.empty(), now);
  }
}
