package dev.modelops.operator.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelRegistrySpec;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import dev.modelops.operator.api.v1alpha1.SecretReference;
import dev.modelops.operator.observability.Event.Reason;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A ModelDeployment's reference: the registry it names and the credentials it may use. */
class RegistryResolverTest {
  static FakeMlflow fake;
  static RegistryResolver resolver;

  /** Secrets as ClusterReferences hands them out: data only for the use they opted in to. */
  static final ClusterReader SECRETS =
      new ClusterReader() {
        @Override
        public CompletableFuture<Optional<Map<String, String>>> credential(
            String namespace, String name, String use) {
          boolean optedIn = name.equals("mlflow-token") && use.equals(Keys.CREDENTIAL_REGISTRY);
          return CompletableFuture.completedFuture(
              optedIn ? Optional.of(Map.of("token", "s3cr3t")) : Optional.empty());
        }

        @Override
        public CompletableFuture<Optional<String>> configMapValue(
            String namespace, String name, String key) {
          return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletableFuture<List<Pod>> servingPods(String namespace, String md) {
          return CompletableFuture.completedFuture(List.of());
        }
      };

  @BeforeAll
  static void start() throws Exception {
    fake = new FakeMlflow();
    fake.register("iris", "s3://models/iris/1/", "0a1b");
    fake.alias("iris", "champion", "1");
    resolver =
        new RegistryResolver(
            new ModelRegistries(List.of("mlflow=" + fake.url()), List.of()),
            new MlflowRegistry(BoundedHttp.standalone(), 4, Duration.ofSeconds(2)),
            SECRETS);
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  static ModelSpec model(String uri, String endpoint, String secret) {
    ModelSpec model = new ModelSpec();
    model.name = "iris";
    model.uri = uri;
    if (endpoint != null || secret != null) {
      model.registry = new ModelRegistrySpec();
      model.registry.endpoint = endpoint;
      if (secret != null) {
        model.registry.authSecretRef = new SecretReference();
        model.registry.authSecretRef.name = secret;
      }
    }
    return model;
  }

  @Test
  void anOptedInSecretsTokenIsSentAndNeverShown() {
    var resolution =
        resolver
            .resolve(
                "ml", model("models:/iris@champion", "mlflow", "mlflow-token"), Optional.empty())
            .join();
    assertTrue(resolution.ok(), String.valueOf(resolution.problem()));
    assertEquals("1", resolution.model().version());
    assertTrue(fake.authorizations().contains("Bearer s3cr3t"));
    assertFalse(resolution.toString().contains("s3cr3t"));
  }

  @Test
  void aSecretThatDidNotOptInIsNotUsableAndNothingIsAsked() {
    int asked = fake.requests().size();
    var resolution =
        resolver
            .resolve("ml", model("models:/iris@champion", null, "db-password"), Optional.empty())
            .join();
    assertEquals(Reason.CredentialsNotUsable, resolution.problem().reason());
    assertTrue(
        resolution
            .problem()
            .message()
            .contains("only a Secret labelled modelops.dev/credential=registry"),
        resolution.problem().message());
    assertEquals(asked, fake.requests().size());
  }

  @Test
  void anUndeclaredRegistryIsNeverAsked() {
    var resolution =
        resolver.resolve("ml", model("models:/iris/1", "elsewhere", null), Optional.empty()).join();
    assertEquals(Reason.RegistryNotDeclared, resolution.problem().reason());
    assertTrue(resolution.problem().message().contains("(declared: mlflow)"));
  }

  @Test
  void aResolutionBelongsToTheSpecItWasMadeFor() {
    String key = RegistryResolver.key(model("models:/iris@champion", null, null));
    assertEquals(key, RegistryResolver.key(model("models:/iris@champion", null, null)));
    assertFalse(key.equals(RegistryResolver.key(model("models:/iris@challenger", null, null))));
    assertFalse(key.equals(RegistryResolver.key(model("models:/iris@champion", "mlflow", null))));
    assertFalse(
        key.equals(RegistryResolver.key(model("models:/iris@champion", null, "mlflow-token"))));
  }
}
