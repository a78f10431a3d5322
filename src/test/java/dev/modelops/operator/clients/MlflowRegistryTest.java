package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.RegistryReference;
import dev.modelops.operator.observability.Event.Reason;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MLflow REST client against a fake registry on loopback: answers, faults and bounds. */
class MlflowRegistryTest {
  static FakeMlflow fake;
  static ModelRegistries.Registry registry;
  final MlflowRegistry client =
      new MlflowRegistry(BoundedHttp.standalone(), 2, Duration.ofSeconds(1));

  @BeforeAll
  static void start() throws Exception {
    fake = new FakeMlflow();
    registry =
        new ModelRegistries.Registry(
            "mlflow", URI.create(fake.url()), Optional.of(URI.create("https://mlflow.example")));
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @BeforeEach
  void clear() {
    fake.reset();
  }

  MlflowRegistry.Resolution resolve(String uri) {
    return resolve(uri, Optional.empty());
  }

  MlflowRegistry.Resolution resolve(String uri, Optional<MlflowRegistry.Resolved> known) {
    return client.resolve(registry, RegistryReference.parse(uri).orElseThrow(), null, known).join();
  }

  @Test
  void anAliasResolvesToItsVersionAndTheVersionsDownloadUri() {
    fake.register("iris", "s3://models/iris/1/", null);
    fake.register("iris", "s3://mlflow/1/abc/artifacts/model", "0123abcd");
    fake.alias("iris", "champion", "2");

    var resolution = resolve("models:/iris@champion");

    assertTrue(resolution.ok(), String.valueOf(resolution.problem()));
    assertEquals(
        new MlflowRegistry.Resolved(
            "mlflow",
            "iris",
            "champion",
            "2",
            "s3://mlflow/1/abc/artifacts/model",
            "0123abcd",
            "https://mlflow.example/#/models/iris/versions/2"),
        resolution.model(),
        "the storage location is the download URI, not the version's source (models:/m-... in"
            + " MLflow 3)");
  }

  @Test
  void aPinnedVersionResolvesAndAKnownLocationIsNotAskedAgain() {
    fake.register("iris", "gs://bucket/iris/1", null);
    var first = resolve("models:/iris/1");
    assertEquals("gs://bucket/iris/1", first.model().storageUri());
    assertNull(first.model().alias());
    assertNull(first.model().runId(), "an empty run_id is none");
    int asked = fake.requests().size();

    var again = resolve("models:/iris/1", Optional.of(first.model()));

    assertEquals(first, again);
    assertEquals(1, fake.requests().size() - asked, "one request: the version's files do not move");
  }

  @Test
  void missingModelsVersionsAndAliasesAreToldApart() {
    fake.register("iris", "s3://models/iris/1/", null);
    assertProblem(
        resolve("models:/nope@champion"),
        Reason.ModelNotFound,
        "model registry mlflow has no registered model nope");
    assertProblem(
        resolve("models:/iris@champion"),
        Reason.AliasNotFound,
        "model iris in model registry mlflow has no alias champion");
    assertProblem(
        resolve("models:/iris/7"),
        Reason.ModelVersionNotFound,
        "model iris in model registry mlflow has no version 7");
    assertProblem(resolve("models:/nope/1"), Reason.ModelNotFound, "no registered model nope");
  }

  @Test
  void aDeletedVersionTakesItsAliasAlong() {
    fake.register("iris", "s3://models/iris/1/", null);
    fake.register("iris", "s3://models/iris/2/", null);
    fake.alias("iris", "champion", "2");
    fake.delete("iris", "2");
    assertProblem(resolve("models:/iris@champion"), Reason.AliasNotFound, "no alias champion");
    assertProblem(resolve("models:/iris/2"), Reason.ModelVersionNotFound, "no version 2");
  }

  @Test
  void aVersionThatIsNotReadyIsNotServed() {
    fake.register("iris", "s3://models/iris/1/", null);
    fake.setStatus("iris", "1", "PENDING_REGISTRATION");
    assertProblem(
        resolve("models:/iris/1"),
        Reason.ModelVersionNotReady,
        "version 1 of model iris in model registry mlflow is PENDING_REGISTRATION, not READY");
  }

  @Test
  void onlyLocationsThePullerFetchesAreAccepted() {
    for (String source :
        List.of(
            "file:///etc/passwd",
            "/mnt/models/iris",
            "hdfs://nn/iris",
            "http://plain/iris",
            "runs:/abc/model",
            "s3://b/a/../../x",
            "s3://b/model\nx")) {
      fake.reset();
      fake.register("iris", source, null);
      var resolution = resolve("models:/iris/1");
      assertProblem(resolution, Reason.UnsupportedStorageUri, "cannot fetch it");
      assertFalse(
          resolution.problem().message().contains("passwd")
              || resolution.problem().message().contains("nn/iris"),
          "the location is not echoed: " + resolution.problem().message());
    }
  }

  @Test
  void aRegistryThatIsDownSlowOrAnsweringGarbageIsReportedWithoutItsWords() {
    fake.register("iris", "s3://models/iris/1/", null);
    fake.down(true);
    assertProblem(
        resolve("models:/iris/1"),
        Reason.RegistryUnreachable,
        "model registry mlflow could not answer for a model version (HTTP 503,"
            + " TEMPORARILY_UNAVAILABLE)");
    fake.down(false);
    fake.garbage("<html>proxy error: secret internals</html>");
    var garbage = resolve("models:/iris/1");
    assertProblem(garbage, Reason.InvalidRegistryResponse, "is it an MLflow server?");
    assertFalse(garbage.problem().message().contains("secret"));
    fake.garbage(null);
    fake.delay(1_500);
    assertProblem(
        resolve("models:/iris/1"),
        Reason.RegistryUnreachable,
        "model registry mlflow did not answer within 1 s");
  }

  @Test
  void aRegistryNobodyListensOnIsUnreachable() {
    var closed =
        new ModelRegistries.Registry("gone", URI.create("http://127.0.0.1:9"), Optional.empty());
    var resolution =
        client
            .resolve(
                closed,
                RegistryReference.parse("models:/iris/1").orElseThrow(),
                null,
                Optional.empty())
            .join();
    assertProblem(resolution, Reason.RegistryUnreachable, "model registry gone");
  }

  @Test
  void refusedCredentialsAreAccessDenied() {
    var guarded = new ModelRegistries.Registry("mlflow", URI.create(fake.url()), Optional.empty());
    fake.register("iris", "s3://models/iris/1/", null);
    var resolution =
        client
            .resolve(
                guarded,
                RegistryReference.parse("models:/iris/1").orElseThrow(),
                HttpAuth.bearer("t0ken"),
                Optional.empty())
            .join();
    assertTrue(resolution.ok());
    assertEquals("Bearer t0ken", fake.authorizations().get(0));
    assertFalse(resolution.toString().contains("t0ken"));
  }

  @Test
  void setsAnAliasAndSaysWhyItCouldNot() {
    fake.register("iris", "s3://models/iris/1/", null);
    assertEquals(Optional.empty(), client.setAlias(registry, "iris", "champion", "1", null).join());
    assertEquals("1", fake.aliasOf("iris", "champion"));
    assertTrue(fake.requests().contains("POST /api/2.0/mlflow/registered-models/alias"));

    Optional<RegistryProblem> missing =
        client.setAlias(registry, "iris", "champion", "9", null).join();
    assertEquals(Reason.ModelVersionNotFound, missing.orElseThrow().reason());
    fake.down(true);
    assertEquals(
        Reason.RegistryUnreachable,
        client.setAlias(registry, "iris", "champion", "1", null).join().orElseThrow().reason());
    assertEquals("1", fake.aliasOf("iris", "champion"));
  }

  static void assertProblem(MlflowRegistry.Resolution resolution, Reason reason, String text) {
    assertFalse(resolution.ok(), String.valueOf(resolution.model()));
    assertEquals(reason, resolution.problem().reason(), resolution.problem().message());
    assertTrue(
        resolution.problem().message().contains(text),
        "expected '" + text + "' in: " + resolution.problem().message());
    assertFalse(
        resolution.problem().message().contains("secret internals"),
        "the registry's own words never reach a message");
  }
}
