package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.ModelRegistrySpec;
import dev.modelops.operator.api.v1alpha1.PauseStep;
import dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.clients.MlflowRegistry.Resolution;
import dev.modelops.operator.clients.MlflowRegistry.Resolved;
import dev.modelops.operator.clients.RegistryProblem;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A registry reference through the reconcile's pure steps: decide, render from the pinned version,
 * compute the status, fold the pin in, open and fold alias updates.
 */
class RegistryModelsTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-12-01T10:01:00Z");
  static final String STORAGE_2 = "s3://mlflow/1/run2/artifacts/model";
  static final String STORAGE_3 = "s3://mlflow/1/run3/artifacts/model";

  static Resolved version(String version, String storage) {
    return new Resolved("mlflow", "iris", "champion", version, storage, "run" + version, null);
  }

  static Optional<Resolution> ok(String version, String storage) {
    return Optional.of(new Resolution(version(version, storage), null));
  }

  static Optional<Resolution> failed(Reason reason, String message) {
    return Optional.of(new Resolution(null, new RegistryProblem(reason, message)));
  }

  static ModelDeployment iris(String uri) {
    ModelDeployment md = ModelDeployments.churn("unused");
    md.getSpec().model.name = "iris";
    md.getSpec().model.version = null;
    md.getSpec().model.uri = uri;
    return md;
  }

  /** One reconcile's pure part; the status it stores, and the Events. */
  record Pass(ModelDeploymentStatus status, List<Event> events, ModelDeployment view) {}

  static Pass reconcile(ModelDeployment md, Optional<Resolution> latest, boolean rolledOut) {
    RegistryModels.Pin pin = RegistryModels.decide(md, latest);
    ModelDeployment view =
        pin instanceof RegistryModels.Pinned p ? RegistryModels.servingView(md, p.model()) : md;
    Optional<Deployment> stable =
        rolledOut
            ? Optional.of(ServingStatusCalculatorTest.deployment(view, 2, 2, 2, 2))
            : Optional.empty();
    var result =
        ServingStatusCalculator.compute(
            new ServingStatusCalculator.Inputs(
                view, stable, Optional.empty(), Optional.empty(), Optional.empty(), T1));
    List<Event> events = new ArrayList<>(result.events());
    ModelDeploymentStatus status = result.status();
    events.addAll(RegistryModels.record(md, status, pin, T1));
    RegistryModels.openAliasUpdates(md, status);
    return new Pass(status, events, view);
  }

  static ModelDeployment stored(ModelDeployment md, Pass pass) {
    md.setStatus(pass.status());
    return md;
  }

  @Test
  void aStorageUriIsNotTheRegistrysBusiness() {
    ModelDeployment md = ModelDeployments.churn("1.0.0");
    assertInstanceOf(RegistryModels.NotRegistry.class, RegistryModels.decide(md, Optional.empty()));
    Pass pass = reconcile(md, Optional.empty(), false);
    assertNull(pass.status().registry);
    assertTrue(Conditions.find(pass.status().conditions, RegistryModels.MODEL_RESOLVED).isEmpty());
  }

  @Test
  void untilTheRegistryAnswersNothingIsRolledOut() {
    ModelDeployment md = iris("models:/iris@champion");
    var pin = RegistryModels.decide(md, Optional.empty());
    assertInstanceOf(RegistryModels.Waiting.class, pin);
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    assertEquals(List.of(), RegistryModels.record(md, status, pin, T0));
    var resolving = Conditions.find(status.conditions, RegistryModels.MODEL_RESOLVED).orElseThrow();
    assertEquals("Unknown", resolving.getStatus());
    assertEquals("Resolving", resolving.getReason());

    var unresolved =
        RegistryModels.decide(
            md, failed(Reason.AliasNotFound, "model iris in model registry mlflow has no alias"));
    assertInstanceOf(RegistryModels.Unresolved.class, unresolved);
    List<Event> events = RegistryModels.record(md, status, unresolved, T0);
    assertEquals(List.of("AliasNotFound"), reasons(events));
    assertEquals("AliasNotFound", reason(status));
    assertTrue(message(status).contains("models:/iris@champion is not rolled out"));
  }

  @Test
  void theAliasIsPinnedAndThePodsGetOnlyTheStorageLocation() {
    ModelDeployment md = iris("models:/iris@champion");
    Pass first = reconcile(md, ok("2", STORAGE_2), false);

    assertEquals("2", first.status().registry.version);
    assertEquals("champion", first.status().registry.alias);
    assertEquals("models:/iris/2", first.status().registry.modelUri);
    assertEquals(STORAGE_2, first.status().registry.storageUri);
    assertEquals("run2", first.status().registry.runId);
    assertEquals("2026-12-01T10:01:00Z", first.status().registry.resolvedAt);
    assertEquals("Resolved", reason(first.status()));
    assertEquals(List.of("RolloutStarted", "ModelResolved"), reasons(first.events()));
    var entry = first.status().history.get(0);
    assertEquals("2", entry.version);
    assertEquals(STORAGE_2, entry.uri);
    assertEquals("models:/iris/2", entry.registry.modelUri);

    Deployment rendered = ServingDeploymentDependent.build(first.view(), "puller");
    var template = rendered.getSpec().getTemplate();
    assertEquals(STORAGE_2, template.getMetadata().getAnnotations().get(Keys.URI_ANNOTATION));
    assertEquals("2", template.getMetadata().getLabels().get(Keys.VERSION_LABEL));
    assertEquals(
        List.of(STORAGE_2, ServingDeploymentDependent.MODEL_DIR),
        template.getSpec().getInitContainers().get(0).getArgs());
    assertFalse(
        io.fabric8.kubernetes.client.utils.Serialization.asJson(rendered).contains("champion"),
        "the pods never see the alias");
    assertEquals("models:/iris@champion", md.getSpec().model.uri, "the stored spec is not changed");

    Pass serving = reconcile(stored(md, first), ok("2", STORAGE_2), true);
    assertEquals("2", serving.status().servingModel.version);
    assertEquals(STORAGE_2, serving.status().servingModel.uri);
    Pass steady = reconcile(stored(md, serving), ok("2", STORAGE_2), true);
    assertFalse(
        StatusChange.differs(serving.status(), steady.status()), "steady state writes nothing");
    assertEquals(List.of(), steady.events());
  }

  @Test
  void anAliasThatMovesRollsOutTheNewVersion() {
    ModelDeployment md = iris("models:/iris@champion");
    stored(md, reconcile(md, ok("2", STORAGE_2), false));
    stored(md, reconcile(md, ok("2", STORAGE_2), true));

    Pass moved = reconcile(md, ok("3", STORAGE_3), false);

    assertEquals("3", moved.status().registry.version);
    assertEquals(List.of("RolloutStarted", "ModelResolved"), reasons(moved.events()));
    assertEquals(Outcome.Progressing, moved.status().history.get(0).outcome);
    assertEquals("3", moved.status().history.get(0).registry.version);
    assertEquals("2", moved.status().history.get(1).registry.version, "history keeps the pin");
    assertEquals(STORAGE_3, podUri(ServingDeploymentDependent.build(moved.view(), "puller")));
  }

  @Test
  void aCanaryModelDeploymentTestsTheMovedAliasBesideTheServingVersion() {
    ModelDeployment md = iris("models:/iris@champion");
    md.getSpec().rollout = new RolloutSpec();
    md.getSpec().rollout.strategy = RolloutSpec.Strategy.Canary;
    CanaryStep weight = new CanaryStep();
    weight.setWeight = 50;
    CanaryStep pause = new CanaryStep();
    pause.pause = new PauseStep();
    md.getSpec().rollout.steps = List.of(weight, pause);
    stored(md, reconcile(md, ok("2", STORAGE_2), false));
    stored(md, reconcile(md, ok("2", STORAGE_2), true));

    Pass moved = reconcile(md, ok("3", STORAGE_3), true);

    assertEquals("3", moved.status().rollout.canaryVersion);
    assertEquals(STORAGE_3, moved.status().rollout.canaryUri);
    stored(md, moved);
    ModelDeployment view = RegistryModels.servingView(md, version("3", STORAGE_3));
    assertEquals(
        STORAGE_2,
        podUri(ServingDeploymentDependent.build(view, "puller")),
        "the stable pods keep version 2");
    assertEquals(STORAGE_3, podUri(CanaryDeploymentDependent.build(view, "puller")));
  }

  @Test
  void aRegistryThatCannotAnswerKeepsThePinAndSaysSoOnce() {
    ModelDeployment md = iris("models:/iris@champion");
    stored(md, reconcile(md, ok("2", STORAGE_2), false));
    stored(md, reconcile(md, ok("2", STORAGE_2), true));
    ModelDeploymentStatus before = StatusChange.copy(md.getStatus(), ModelDeploymentStatus.class);

    Optional<Resolution> down =
        failed(Reason.RegistryUnreachable, "model registry mlflow could not answer (HTTP 503)");
    Pass failing = reconcile(md, down, true);

    assertInstanceOf(RegistryModels.Pinned.class, RegistryModels.decide(md, down));
    assertEquals("RegistryUnreachable", reason(failing.status()));
    assertTrue(
        message(failing.status()).contains("stays pinned to version 2 (" + STORAGE_2 + ")"),
        message(failing.status()));
    assertEquals(List.of("RegistryUnreachable"), reasons(failing.events()));
    assertEquals("2", failing.status().registry.version);
    assertEquals(before.servingModel.uri, failing.status().servingModel.uri);
    assertEquals(STORAGE_2, podUri(ServingDeploymentDependent.build(failing.view(), "puller")));
    Pass again = reconcile(stored(md, failing), down, true);
    assertEquals(List.of(), again.events(), "reported once");
    assertFalse(StatusChange.differs(failing.status(), again.status()));
  }

  @Test
  void anotherReferenceIsNotServedFromTheOldPin() {
    ModelDeployment md = iris("models:/iris@champion");
    stored(md, reconcile(md, ok("2", STORAGE_2), false));
    md.getSpec().model.uri = "models:/iris@challenger";
    assertInstanceOf(RegistryModels.Waiting.class, RegistryModels.decide(md, Optional.empty()));
    md.getSpec().model.uri = "models:/iris@champion";
    md.getSpec().model.registry = new ModelRegistrySpec();
    md.getSpec().model.registry.endpoint = "other";
    assertInstanceOf(RegistryModels.Waiting.class, RegistryModels.decide(md, Optional.empty()));
    md.getSpec().model.registry.endpoint = "mlflow";
    assertInstanceOf(
        RegistryModels.Pinned.class,
        RegistryModels.decide(md, Optional.empty()),
        "a restarted operator keeps the pin of the same reference");
  }

  @Test
  void goingBackToAStorageUriForgetsThePin() {
    ModelDeployment md = iris("models:/iris@champion");
    stored(md, reconcile(md, ok("2", STORAGE_2), false));
    md.getSpec().model.uri = "s3://models/iris/1/";
    md.getSpec().model.version = "1";
    Pass pass = reconcile(md, Optional.empty(), false);
    assertNull(pass.status().registry);
    assertTrue(Conditions.find(pass.status().conditions, RegistryModels.MODEL_RESOLVED).isEmpty());
  }

  /** A RetrainPolicy promoted models:/iris/4 with registryAlias champion. */
  static ModelDeployment promoted() {
    ModelDeployment md = iris("models:/iris/4");
    md.getSpec().model.version = "4";
    md.getMetadata()
        .setAnnotations(
            Map.of(
                ModelLineage.ANNOTATION,
                new ModelLineage(
                        "4",
                        "models:/iris/4",
                        "iris-drift",
                        "iris-drift-retrain-1",
                        "drift",
                        0.4,
                        T0.toString(),
                        "champion")
                    .toJson()));
    return md;
  }

  static Optional<Resolution> four() {
    return Optional.of(
        new Resolution(
            new Resolved("mlflow", "iris", null, "4", "s3://mlflow/4", "run4", null), null));
  }

  @Test
  void theAliasMovesOnlyOnceThePromotedVersionServes() {
    ModelDeployment md = promoted();
    Pass rolling = reconcile(md, four(), false);
    assertNull(rolling.status().history.get(0).aliasUpdate, "not before the rollout completed");
    assertEquals(Optional.empty(), RegistryModels.aliasDue(rolling.status()));
    assertEquals("iris-drift-retrain-1", rolling.status().history.get(0).source.job);

    Pass serving = reconcile(stored(md, rolling), four(), true);

    var update = serving.status().history.get(0).aliasUpdate;
    assertEquals("champion", update.alias);
    assertEquals(RegistryAliasUpdate.State.Pending, update.state);
    var request = RegistryModels.aliasDue(serving.status()).orElseThrow();
    assertEquals(new RegistryModels.AliasRequest("iris", "champion", "4"), request);

    var fold = RegistryModels.foldAlias(serving.status(), Optional.empty(), T1);
    assertTrue(fold.request(), "no attempt yet: ask");

    ModelDeploymentStatus failed = StatusChange.copy(serving.status(), ModelDeploymentStatus.class);
    var refused =
        new RegistryModels.AliasAttempt(
            request,
            Optional.of(new RegistryProblem(Reason.RegistryUnreachable, "registry down")),
            T1);
    var first = RegistryModels.foldAlias(failed, Optional.of(refused), T1.plusSeconds(5));
    assertEquals(List.of("RegistryAliasFailed"), reasons(first.events()));
    assertFalse(first.request(), "retried after a pause");
    assertEquals(Optional.of(RegistryModels.ALIAS_RETRY.minusSeconds(5)), first.wakeUpIn());
    var later = RegistryModels.foldAlias(failed, Optional.of(refused), T1.plusSeconds(40));
    assertEquals(List.of(), later.events(), "the same failure is reported once");
    assertTrue(later.request());

    var done =
        RegistryModels.foldAlias(
            failed,
            Optional.of(new RegistryModels.AliasAttempt(request, Optional.empty(), T1)),
            T1);
    assertEquals(List.of("RegistryAliasSet"), reasons(done.events()));
    assertEquals(RegistryAliasUpdate.State.Set, failed.history.get(0).aliasUpdate.state);
    assertEquals(Optional.empty(), RegistryModels.aliasDue(failed));
  }

  @Test
  void noAliasMovesWithoutALineageThatAsksOrARolloutThisStatusSaw() {
    ModelDeployment person = iris("models:/iris/4");
    Pass rolling = reconcile(person, four(), false);
    Pass serving = reconcile(stored(person, rolling), four(), true);
    assertNull(serving.status().history.get(0).aliasUpdate, "a person's version: no alias");

    ModelDeployment lost = promoted();
    Pass rebuilt = reconcile(lost, four(), true);
    assertEquals(Outcome.Serving, rebuilt.status().history.get(0).outcome);
    assertNull(
        rebuilt.status().history.get(0).aliasUpdate,
        "a status rebuilt after it was lost did not see the rollout: an alias moved since stays");
  }

  /** The model URI a serving Deployment's pods are rendered with. */
  static String podUri(Deployment deployment) {
    return deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(Keys.URI_ANNOTATION);
  }

  static List<String> reasons(List<Event> events) {
    return events.stream().map(Event::reason).toList();
  }

  static String reason(ModelDeploymentStatus status) {
    return Conditions.reason(status.conditions, RegistryModels.MODEL_RESOLVED).orElse(null);
  }

  static String message(ModelDeploymentStatus status) {
    return Conditions.find(status.conditions, RegistryModels.MODEL_RESOLVED)
        .orElseThrow()
        .getMessage();
  }
}
