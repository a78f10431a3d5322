package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus.Phase;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServingStatusCalculatorTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-27T10:05:00Z");

  @Test
  void beforeTheDeploymentExistsItIsPendingAndARolloutHasStarted() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    var result = ServingStatusCalculator.compute(md, Optional.empty(), T0);
    ModelDeploymentStatus s = result.status();
    assertEquals(Phase.Progressing, s.phase);
    assertEquals("DeploymentPending", reason(s, "Ready"));
    assertEquals("http://churn.ml.svc.cluster.local", s.url);
    assertEquals("modelops.dev/deployment=churn", s.selector);
    assertEquals(1L, s.observedGeneration);
    assertEquals("0/2", s.ready);
    assertEquals(Outcome.Progressing, s.history.get(0).outcome);
    assertEquals(List.of("RolloutStarted"), reasons(result.events()));
  }

  @Test
  void aCompleteRolloutMakesTheVersionServingAndReady() {
    ModelDeployment md = afterFirstReconcile("1.0.0");
    var result = ServingStatusCalculator.compute(md, Optional.of(deployment(md, 2, 2, 2, 2)), T1);
    ModelDeploymentStatus s = result.status();
    assertEquals(Phase.Ready, s.phase);
    assertEquals("1.0.0", s.servingVersion);
    assertEquals("2/2", s.ready);
    assertEquals("AllReplicasReady", reason(s, "Ready"));
    assertEquals("RolloutComplete", reason(s, "Progressing"));
    assertEquals("AsExpected", reason(s, "Degraded"));
    assertEquals(Outcome.Serving, s.history.get(0).outcome);
    assertEquals("2026-11-27T10:05:00Z", s.history.get(0).finishedAt);
    assertEquals(List.of("RolloutComplete"), reasons(result.events()));
  }

  @Test
  void aSteadyStateChangesNothingAndRecordsNoEvent() {
    ModelDeployment md = afterFirstReconcile("1.0.0");
    Deployment d = deployment(md, 2, 2, 2, 2);
    md.setStatus(ServingStatusCalculator.compute(md, Optional.of(d), T1).status());
    var again = ServingStatusCalculator.compute(md, Optional.of(d), T1.plusSeconds(3600));
    assertFalse(
        StatusChange.differs(md.getStatus(), again.status()), "steady state must not write status");
    assertTrue(again.events().isEmpty());
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenAConditionFlips() {
    ModelDeployment md = afterFirstReconcile("1.0.0");
    String readyFalseSince =
        Conditions.find(md.getStatus().conditions, "Ready").orElseThrow().getLastTransitionTime();
    var stillRolling =
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 2, 1, 1, 1)), T1).status();
    assertEquals(
        readyFalseSince,
        Conditions.find(stillRolling.conditions, "Ready").orElseThrow().getLastTransitionTime());
    md.setStatus(stillRolling);
    var done =
        ServingStatusCalculator.compute(
                md, Optional.of(deployment(md, 2, 2, 2, 2)), T1.plusSeconds(1))
            .status();
    assertEquals(
        "2026-11-27T10:05:01Z",
        Conditions.find(done.conditions, "Ready").orElseThrow().getLastTransitionTime());
  }

  @Test
  void aNewVersionKeepsTheOldOneServingUntilTheRolloutCompletes() {
    ModelDeployment md = servingVersion("1.0.0");
    ModelDeployment v2 = ModelDeployments.churn("2.0.0");
    v2.getMetadata().setGeneration(2L);
    v2.setStatus(md.getStatus());
    Deployment rolling = deployment(v2, 2, 3, 1, 2);
    var result = ServingStatusCalculator.compute(v2, Optional.of(rolling), T1);
    ModelDeploymentStatus s = result.status();
    assertEquals(Phase.Progressing, s.phase);
    assertEquals("1.0.0", s.servingVersion);
    assertEquals("True", status(s, "Ready"), "the old pods still serve");
    assertEquals("RollingOut", reason(s, "Progressing"));
    assertEquals(2, s.history.size());
    assertEquals("2.0.0", s.history.get(0).version);
    assertEquals(Outcome.Progressing, s.history.get(0).outcome);
    assertEquals(Outcome.Serving, s.history.get(1).outcome);
    assertEquals(List.of("RolloutStarted"), reasons(result.events()));

    v2.setStatus(s);
    var done =
        ServingStatusCalculator.compute(
                v2, Optional.of(deployment(v2, 2, 2, 2, 2)), T1.plusSeconds(60))
            .status();
    assertEquals("2.0.0", done.servingVersion);
    assertEquals(Outcome.Serving, done.history.get(0).outcome);
    assertEquals(Outcome.Superseded, done.history.get(1).outcome);
  }

  @Test
  void aStaleDeploymentFromTheCacheDoesNotCompleteTheNewVersion() {
    ModelDeployment md = servingVersion("1.0.0");
    ModelDeployment v2 = ModelDeployments.churn("2.0.0");
    v2.setStatus(md.getStatus());
    Deployment oldTemplate = deployment(md, 2, 2, 2, 2);
    var s = ServingStatusCalculator.compute(v2, Optional.of(oldTemplate), T1).status();
    assertEquals("1.0.0", s.servingVersion);
    assertEquals(Outcome.Progressing, s.history.get(0).outcome);
  }

  @Test
  void aRolloutWithoutProgressIsDegradedButTheOldVersionKeepsServing() {
    ModelDeployment v2 = rollingTo("2.0.0");
    Deployment stuck = deployment(v2, 2, 3, 1, 2);
    stuck
        .getStatus()
        .setConditions(
            List.of(
                new DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage("ReplicaSet \"churn-abc\" has timed out progressing.")
                    .build()));
    var result = ServingStatusCalculator.compute(v2, Optional.of(stuck), T1);
    ModelDeploymentStatus s = result.status();
    assertEquals(Phase.Degraded, s.phase);
    assertEquals("ProgressDeadlineExceeded", reason(s, "Degraded"));
    assertTrue(
        message(s, "Degraded").contains("version 1.0.0 keeps serving"), message(s, "Degraded"));
    assertEquals("RolloutFailed", reason(s, "Progressing"));
    assertEquals(Outcome.Failed, s.history.get(0).outcome);
    assertEquals("1.0.0", s.servingVersion);
    assertEquals(Event.Type.Warning, result.events().get(0).type());
    assertEquals("RolloutFailed", result.events().get(0).reason());

    v2.setStatus(s);
    assertTrue(
        ServingStatusCalculator.compute(v2, Optional.of(stuck), T1.plusSeconds(30))
            .events()
            .isEmpty(),
        "the failure is reported once, not on every reconcile");
  }

  @Test
  void aFailedRolloutThatLaterCompletesBecomesServing() {
    ModelDeployment v2 = rollingTo("2.0.0");
    v2.getStatus().history.get(0).outcome = Outcome.Failed;
    var s =
        ServingStatusCalculator.compute(v2, Optional.of(deployment(v2, 2, 2, 2, 2)), T1).status();
    assertEquals("2.0.0", s.servingVersion);
    assertEquals(Phase.Ready, s.phase);
  }

  @Test
  void podsThatCannotBeCreatedAreReportedOnce() {
    ModelDeployment md = afterFirstReconcile("1.0.0");
    Deployment refused = deployment(md, 2, 0, 0, 0);
    refused
        .getStatus()
        .setConditions(
            List.of(
                new DeploymentConditionBuilder()
                    .withType("ReplicaFailure")
                    .withStatus("True")
                    .withReason("FailedCreate")
                    .withMessage("pods \"churn-x\" is forbidden: violates PodSecurity")
                    .build()));
    var result = ServingStatusCalculator.compute(md, Optional.of(refused), T1);
    assertEquals("ReplicaFailure", reason(result.status(), "Degraded"));
    assertTrue(message(result.status(), "Degraded").contains("violates PodSecurity"));
    assertEquals(List.of("ReplicaFailure"), reasons(result.events()));
    md.setStatus(result.status());
    assertTrue(ServingStatusCalculator.compute(md, Optional.of(refused), T1).events().isEmpty());
  }

  @Test
  void aVersionReplacedMidRolloutIsSuperseded() {
    ModelDeployment v2 = rollingTo("2.0.0");
    ModelDeployment v3 = ModelDeployments.churn("3.0.0");
    v3.setStatus(v2.getStatus());
    var s = ServingStatusCalculator.compute(v3, Optional.empty(), T1).status();
    assertEquals("3.0.0", s.history.get(0).version);
    assertEquals(Outcome.Superseded, s.history.get(1).outcome);
    assertTrue(s.history.get(1).message.contains("3.0.0"));
  }

  @Test
  void historyKeepsTheLastTenVersions() {
    ModelDeployment md = servingVersion("0");
    for (int i = 1; i <= 12; i++) {
      ModelDeployment next = ModelDeployments.churn(String.valueOf(i));
      next.setStatus(md.getStatus());
      next.setStatus(ServingStatusCalculator.compute(next, Optional.empty(), T1).status());
      next.setStatus(
          ServingStatusCalculator.compute(next, Optional.of(deployment(next, 2, 2, 2, 2)), T1)
              .status());
      md = next;
    }
    assertEquals(10, md.getStatus().history.size());
    assertEquals("12", md.getStatus().history.get(0).version);
    assertEquals(
        1, md.getStatus().history.stream().filter(h -> h.outcome == Outcome.Serving).count());
  }

  @Test
  void scaledToZeroIsReady() {
    ModelDeployment md = servingVersion("1.0.0");
    md.getSpec().replicas = 0;
    var s =
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 0, 0, 0, 0)), T1).status();
    assertEquals("ScaledToZero", reason(s, "Ready"));
    assertEquals(Phase.Ready, s.phase);
  }

  @Test
  void aLaterSuccessfulReconcileClearsAPermissionError() {
    ModelDeployment md = servingVersion("1.0.0");
    md.getStatus().conditions =
        Conditions.put(
            md.getStatus().conditions,
            Conditions.of("Degraded", true, "PermissionDenied", "forbidden", 1L, T0));
    var s =
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 2, 2, 2, 2)), T1).status();
    assertEquals("AsExpected", reason(s, "Degraded"));
    assertEquals(Phase.Ready, s.phase);
    assertNull(
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 2, 2, 2, 2)), T1)
            .status()
            .conditions
            .stream()
            .filter(c -> c.getReason().equals("PermissionDenied"))
            .findFirst()
            .orElse(null));
  }

  // --- fixtures ---

  @Test
  void duringACanaryItsPodsAreCountedBesideTheStableOnes() {
    ModelDeployment md = afterFirstReconcile("1.0.0");
    ModelDeploymentStatus s =
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 1, 1, 1, 1)), T1).status();
    s.rollout = new dev.modelops.operator.api.v1alpha1.RolloutStatus();
    ServingStatusCalculator.countCanaryPods(s, Optional.of(deployment(md, 1, 1, 1, 1)), 2);
    assertEquals(2, s.replicas);
    assertEquals(2, s.readyReplicas);
    assertEquals("2/2", s.ready, "ready pods of every version against spec.replicas");

    ModelDeploymentStatus noCanary =
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 2, 2, 2, 2)), T1).status();
    ServingStatusCalculator.countCanaryPods(noCanary, Optional.empty(), 2);
    assertEquals("2/2", noCanary.ready);
  }

  static ModelDeployment afterFirstReconcile(String version) {
    ModelDeployment md = ModelDeployments.churn(version);
    md.setStatus(ServingStatusCalculator.compute(md, Optional.empty(), T0).status());
    return md;
  }

  static ModelDeployment servingVersion(String version) {
    ModelDeployment md = afterFirstReconcile(version);
    md.setStatus(
        ServingStatusCalculator.compute(md, Optional.of(deployment(md, 2, 2, 2, 2)), T0).status());
    return md;
  }

  static ModelDeployment rollingTo(String version) {
    ModelDeployment serving = servingVersion("1.0.0");
    ModelDeployment next = ModelDeployments.churn(version);
    next.setStatus(serving.getStatus());
    next.setStatus(ServingStatusCalculator.compute(next, Optional.empty(), T0).status());
    return next;
  }

  /** The Deployment as the controller-manager reports it for the template built from {@code md}. */
  static Deployment deployment(
      ModelDeployment md, int want, int replicas, int updated, int available) {
    Deployment d = ServingDeploymentDependent.build(md, "puller");
    d.getSpec().setReplicas(want);
    d.getMetadata().setGeneration(5L);
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(5L)
            .withReplicas(replicas)
            .withUpdatedReplicas(updated)
            .withAvailableReplicas(available)
            .withReadyReplicas(available)
            .build());
    return d;
  }

  static String reason(ModelDeploymentStatus s, String type) {
    return Conditions.reason(s.conditions, type).orElse(null);
  }

  static String status(ModelDeploymentStatus s, String type) {
    return Conditions.find(s.conditions, type).orElseThrow().getStatus();
  }

  static String message(ModelDeploymentStatus s, String type) {
    return Conditions.find(s.conditions, type).orElseThrow().getMessage();
  }

  static List<String> reasons(List<Event> events) {
    return events.stream().map(Event::reason).toList();
  }
}
