package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.AnalysisQuery;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisStep;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.ServingModel;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.rollout.Measurement;
import dev.modelops.operator.rollout.SuccessCondition;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The model the stable pods serve is state of its own (status.servingModel): what the stable
 * Deployment is rendered from under the Canary strategy, whatever the history and spec.model say.
 */
class ServingModelStateTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  /** A Canary ModelDeployment of 4 replicas: setWeight 50, then one analysis measurement. */
  static ModelDeployment canary(String version) {
    ModelDeployment md = ModelDeployments.churn(version);
    md.getSpec().replicas = 4;
    md.getSpec().rollout = new RolloutSpec();
    md.getSpec().rollout.strategy = RolloutSpec.Strategy.Canary;
    md.getSpec().rollout.surge = true;
    CanaryStep weight = new CanaryStep();
    weight.setWeight = 50;
    CanaryStep analysis = new CanaryStep();
    analysis.analysis = new AnalysisStep();
    md.getSpec().rollout.steps = List.of(weight, analysis);
    md.getSpec().rollout.analysis = new AnalysisSpec();
    AnalysisQuery query = new AnalysisQuery();
    query.name = "error-rate";
    query.successCondition = "< 0.05";
    md.getSpec().rollout.analysis.queries = List.of(query);
    md.getSpec().rollout.analysis.count = 1;
    md.getSpec().rollout.analysis.failureLimit = 0;
    return md;
  }

  /** Drives the status calculator as the reconciler does, with the children it would render. */
  static final class Cluster {
    final ModelDeployment md;
    Instant now = T0;

    Cluster(String first) {
      md = canary(first);
      settle(Optional.empty());
    }

    /** What the operator renders for the stable track, rolled out by the controller-manager. */
    Deployment stable() {
      return ServingStatusCalculatorTest.deployment(md, 4, 4, 4, 4);
    }

    String stableVersion() {
      return stable()
          .getSpec()
          .getTemplate()
          .getMetadata()
          .getAnnotations()
          .get(Keys.VERSION_ANNOTATION);
    }

    final List<dev.modelops.operator.observability.Event> events = new java.util.ArrayList<>();

    void step(Optional<Deployment> canaryPods, Optional<List<Measurement>> measured) {
      now = now.plusSeconds(31);
      var result =
          ServingStatusCalculator.compute(
              new ServingStatusCalculator.Inputs(
                  md, Optional.of(stable()), canaryPods, measured, Optional.empty(), now));
      md.setStatus(result.status());
      events.addAll(result.events());
    }

    void settle(Optional<List<Measurement>> measured) {
      step(Optional.empty(), measured);
      step(Optional.empty(), Optional.empty());
    }

    /** Sets spec.model to the version and runs its canary to the end the analysis gives. */
    void rollOut(String version, boolean analysisPasses) {
      md.getSpec().model.version = version;
      md.getSpec().model.uri = "s3://models/churn/" + version;
      step(Optional.empty(), Optional.empty()); // the rollout starts
      assertNotNull(md.getStatus().rollout, "a canary of " + version + " runs");
      Deployment pods = canaryPods(version, 2);
      step(Optional.of(pods), Optional.empty()); // weight 50%: its pods are up, analysis next
      Measurement m =
          analysisPasses
              ? Measurement.of("error-rate", 0.01, SuccessCondition.parse("< 0.05"), null, null)
              : Measurement.unmeasurable("error-rate", "SourceUnreachable");
      step(Optional.of(pods), Optional.of(List.of(m)));
      step(Optional.empty(), Optional.empty());
    }
  }

  static Deployment canaryPods(String version, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("churn-canary")
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewMetadata()
        .withAnnotations(
            Map.of(
                Keys.VERSION_ANNOTATION,
                version,
                Keys.URI_ANNOTATION,
                "s3://models/churn/" + version))
        .endMetadata()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withAvailableReplicas(available)
        .endStatus()
        .build();
  }

  @Test
  void tenRolledBackCanariesAndAnEleventhNeverReachTheStablePods() {
    Cluster cluster = new Cluster("1.0.0");
    assertEquals("1.0.0", cluster.md.getStatus().servingModel.version);
    for (int i = 1; i <= 11; i++) {
      String version = "2.0." + i;
      cluster.rollOut(version, false);
      ModelDeploymentStatus s = cluster.md.getStatus();
      assertEquals(Outcome.RolledBack, s.history.get(0).outcome, version);
      assertEquals("1.0.0", cluster.stableVersion(), version + " never reaches the stable pods");
      assertEquals("1.0.0", s.servingModel.version, version);
      assertEquals("s3://models/churn/1.0.0", s.servingModel.uri, version);
      assertEquals("1.0.0", s.servingVersion, version);
      assertEquals("Degraded", s.phase.name(), version + " failed its analysis");
      assertTrue(s.history.size() <= ServingStatusCalculator.HISTORY_LIMIT);
      assertTrue(
          s.history.stream()
              .anyMatch(h -> h.outcome == Outcome.Serving && h.version.equals("1.0.0")),
          version + ": the serving entry is never truncated");
    }
    assertEquals(ServingStatusCalculator.HISTORY_LIMIT, cluster.md.getStatus().history.size());
    assertEquals(
        "1.0.0",
        cluster.md.getStatus().history.get(ServingStatusCalculator.HISTORY_LIMIT - 1).version,
        "kept in the last place, the nine newest before it");
  }

  @Test
  void aPromotedCanaryBecomesTheServingModel() {
    Cluster cluster = new Cluster("1.0.0");
    cluster.rollOut("2.0.0", true);
    assertEquals("2.0.0", cluster.md.getStatus().servingModel.version);
    assertEquals("2.0.0", cluster.stableVersion());
    cluster.rollOut("3.0.0", false);
    assertEquals("2.0.0", cluster.stableVersion());
  }

  @Test
  void theServingModelFollowsPromotionsAndNothingElseProperty() {
    Random r = new Random(11);
    for (int run = 0; run < 30; run++) {
      Cluster cluster = new Cluster("0.0.1");
      String serving = "0.0.1";
      for (int i = 0; i < 14; i++) {
        String version = "1." + run + "." + i;
        boolean passes = r.nextInt(3) == 0;
        cluster.rollOut(version, passes);
        if (passes) {
          serving = version;
        }
        String where = "run " + run + " version " + version;
        assertEquals(serving, cluster.md.getStatus().servingModel.version, where);
        assertEquals(serving, cluster.stableVersion(), where);
        assertEquals(
            1,
            cluster.md.getStatus().history.stream()
                .filter(h -> h.outcome == Outcome.Serving)
                .count(),
            where + ": exactly one Serving entry");
      }
    }
  }

  @Test
  void aPromoteLeftOverFromOneCanaryNeverPromotesTheNext() {
    Cluster cluster = new Cluster("1.0.0");
    ModelDeployment md = cluster.md;
    md.getSpec().model.version = "2.0.0";
    md.getSpec().model.uri = "s3://models/churn/2.0.0";
    cluster.step(Optional.empty(), Optional.empty());
    Deployment v2 = canaryPods("2.0.0", 2);
    cluster.step(Optional.of(v2), Optional.empty());
    md.getMetadata()
        .setAnnotations(new java.util.HashMap<>(Map.of(Keys.PROMOTE_ANNOTATION, "true")));
    cluster.step(Optional.of(v2), Optional.empty());
    assertEquals("2.0.0", md.getStatus().servingModel.version, "true set during the rollout acts");
    assertEquals(
        List.of(Keys.PROMOTE_ANNOTATION),
        ModelDeploymentReconciler.handledRequests(md, md.getStatus()));

    // Before the operator removes the annotation, a RetrainPolicy writes 3.0.0.
    md.getSpec().model.version = "3.0.0";
    md.getSpec().model.uri = "s3://models/churn/3.0.0";
    cluster.events.clear();
    cluster.step(Optional.empty(), Optional.empty());
    assertNotNull(md.getStatus().rollout, "3.0.0 starts its canary");
    assertEquals(Map.of(Keys.PROMOTE_ANNOTATION, "true"), md.getStatus().rollout.ignoredRequests);
    assertEquals(
        List.of("RolloutStarted", "CanaryStarted", "RequestIgnored"),
        cluster.events.stream().map(e -> e.reason()).toList());
    assertEquals(
        List.of(Keys.PROMOTE_ANNOTATION),
        ModelDeploymentReconciler.handledRequests(md, md.getStatus()),
        "the leftover is removed");
    Deployment v3 = canaryPods("3.0.0", 2);
    cluster.step(Optional.of(v3), Optional.empty());
    cluster.step(Optional.of(v3), Optional.empty());
    assertNotNull(md.getStatus().rollout, "not promoted by the leftover");
    assertEquals("2.0.0", cluster.stableVersion());
    assertEquals(
        1,
        cluster.events.stream().filter(e -> e.reason().equals("RequestIgnored")).count(),
        "once");

    // A request for another version is ignored too; one naming the canary acts.
    md.getMetadata().getAnnotations().put(Keys.ABORT_ANNOTATION, "2.0.0");
    cluster.step(Optional.of(v3), Optional.empty());
    assertNotNull(md.getStatus().rollout, "abort=2.0.0 is not for the canary 3.0.0");
    md.getMetadata().getAnnotations().put(Keys.ABORT_ANNOTATION, "3.0.0");
    cluster.step(Optional.of(v3), Optional.empty());
    assertEquals(Outcome.RolledBack, md.getStatus().history.get(0).outcome);
    assertEquals("Aborted", md.getStatus().history.get(0).reason);
    assertEquals("2.0.0", cluster.stableVersion());
  }

  @Test
  void truncationKeepsTheServingEntryInTheLastPlace() {
    List<VersionHistoryEntry> history = new java.util.ArrayList<>();
    for (int i = 12; i >= 1; i--) {
      history.add(new VersionHistoryEntry("v" + i, "s3://m/v" + i, "t", Outcome.RolledBack));
    }
    history.get(11).outcome = Outcome.Serving; // v1, the oldest
    List<VersionHistoryEntry> kept = ServingStatusCalculator.truncate(history);
    assertEquals(10, kept.size());
    assertEquals("v12", kept.get(0).version);
    assertEquals("v4", kept.get(8).version);
    assertEquals("v1", kept.get(9).version);
  }

  // --- resolving the stable model before any child is applied ---

  static ModelDeployment servingWithSpec(String serving, String spec) {
    ModelDeployment md = new Cluster(serving).md;
    md.getSpec().model.version = spec;
    md.getSpec().model.uri = "s3://models/churn/" + spec;
    return md;
  }

  static Deployment stableRunning(String version) {
    return new DeploymentBuilder(canaryPods(version, 4))
        .editMetadata()
        .withName("churn")
        .endMetadata()
        .build();
  }

  @Test
  void theStatusServingModelWinsOverSpecAndHistory() {
    ModelDeployment md = servingWithSpec("1.0.0", "2.0.0");
    md.getStatus().history.clear();
    var stable = ServingModels.resolve(md, Optional.empty());
    assertEquals(
        new ServingModels.Known(new ServingModels.Model("1.0.0", "s3://models/churn/1.0.0")),
        stable);
  }

  @Test
  void aStatusFromBeforeServingModelIsReadFromItsServingEntryAndBackfilled() {
    ModelDeployment md = servingWithSpec("1.0.0", "1.0.0");
    md.getStatus().servingModel = null;
    assertEquals("1.0.0", ServingModels.stable(md).version());
    ModelDeploymentStatus computed =
        ServingStatusCalculator.compute(md, Optional.of(stableRunning("1.0.0")), T0).status();
    assertEquals("s3://models/churn/1.0.0", computed.servingModel.uri);
  }

  @Test
  void aWipedStatusIsRecoveredFromTheStableDeploymentNotTakenFromSpec() {
    ModelDeployment md = canary("2.0.0");
    md.setStatus(null);
    var stable = ServingModels.resolve(md, Optional.of(stableRunning("1.0.0")));
    var recovered = assertInstanceOf(ServingModels.Recovered.class, stable);
    assertEquals(new ServingModels.Model("1.0.0", "s3://models/churn/1.0.0"), recovered.model());
    assertTrue(recovered.from().contains("Deployment churn"), recovered.from());

    md.setStatus(new ModelDeploymentStatus());
    assertInstanceOf(
        ServingModels.Recovered.class,
        ServingModels.resolve(md, Optional.of(stableRunning("1.0.0"))),
        "an empty status is a lost one too");

    assertEquals(
        new ServingModels.Known(new ServingModels.Model("2.0.0", "s3://models/churn/2.0.0")),
        ServingModels.resolve(md, Optional.of(stableRunning("2.0.0"))),
        "the pods run spec.model already: nothing to recover");
  }

  @Test
  void aServedModelNobodyCanTellIsUnknownAndNeverSpec() {
    ModelDeployment md = servingWithSpec("1.0.0", "2.0.0");
    md.getStatus().servingModel = null;
    md.getStatus().history.removeIf(h -> h.outcome == Outcome.Serving);
    var unknown =
        assertInstanceOf(ServingModels.Unknown.class, ServingModels.resolve(md, Optional.empty()));
    assertTrue(unknown.message().contains("--subresource=status"), unknown.message());
    assertThrows(IllegalStateException.class, () -> ServingModels.stable(md));

    Deployment unlabelled = stableRunning("1.0.0");
    unlabelled.getSpec().getTemplate().getMetadata().setAnnotations(Map.of());
    ModelDeployment wiped = canary("2.0.0");
    assertInstanceOf(
        ServingModels.Unknown.class,
        ServingModels.resolve(wiped, Optional.of(unlabelled)),
        "a lost status and a Deployment that does not say: unknown");
  }

  @Test
  void aFirstVersionStillGoesStraightToTheStablePods() {
    ModelDeployment md = canary("1.0.0");
    assertEquals(
        new ServingModels.Known(new ServingModels.Model("1.0.0", "s3://models/churn/1.0.0")),
        ServingModels.resolve(md, Optional.empty()));
    md.setStatus(ServingStatusCalculator.compute(md, Optional.empty(), T0).status());
    md.getSpec().model.version = "1.0.1";
    md.getSpec().model.uri = "s3://models/churn/1.0.1";
    assertEquals(
        "1.0.1",
        ServingModels.stable(md).version(),
        "1.0.0 never served (still Progressing): 1.0.1 replaces it directly");
  }

  @Test
  void rollingUpdateAlwaysFollowsSpec() {
    ModelDeployment md = ModelDeployments.churn("2.0.0");
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.servingModel = new ServingModel("1.0.0", "s3://models/churn/1.0.0");
    md.setStatus(StatusChange.copy(status, ModelDeploymentStatus.class));
    assertEquals("2.0.0", ServingModels.stable(md).version());
  }
}
