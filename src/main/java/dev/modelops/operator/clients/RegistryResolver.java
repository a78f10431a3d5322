package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import dev.modelops.operator.api.v1alpha1.RegistryReference;
import dev.modelops.operator.observability.Event.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves a ModelDeployment's registry reference and sets aliases for it: picks the declared
 * registry its spec names, reads its credentials (only a Secret labelled
 * modelops.dev/credential=registry, and the refusal reads the same whether the Secret is missing,
 * not labelled or without the keys), and asks the registry (MlflowRegistry). Never fails: a problem
 * is an answer too.
 */
@ApplicationScoped
public class RegistryResolver {
  private final ModelRegistries registries;
  private final MlflowRegistry mlflow;
  private final ClusterReader cluster;

  public RegistryResolver(
      ModelRegistries registries, MlflowRegistry mlflow, ClusterReader cluster) {
    this.registries = registries;
    this.mlflow = mlflow;
    this.cluster = cluster;
  }

  /**
   * What a spec asks the registry: a resolution is used only for the spec it was made for (its
   * registry, reference and credentials).
   */
  public static String key(ModelSpec model) {
    var registry = model.registry;
    return (registry == null || registry.endpoint == null ? "" : registry.endpoint)
        + " "
        + model.uri
        + " "
        + (registry == null || registry.authSecretRef == null ? "" : registry.authSecretRef.name);
  }

  public CompletableFuture<MlflowRegistry.Resolution> resolve(
      String namespace, ModelSpec model, Optional<MlflowRegistry.Resolved> known) {
    Optional<RegistryReference> ref = model.registryReference();
    if (ref.isEmpty()) {
      return CompletableFuture.completedFuture(
          new MlflowRegistry.Resolution(
              null,
              new RegistryProblem(
                  Reason.ModelNotFound,
                  "model.uri " + model.uri + " is not a registry reference")));
    }
    ModelRegistries.Choice choice = registries.choose(endpoint(model));
    if (choice.registry().isEmpty()) {
      return CompletableFuture.completedFuture(
          new MlflowRegistry.Resolution(null, choice.problem()));
    }
    ModelRegistries.Registry registry = choice.registry().get();
    return credentials(namespace, model)
        .thenCompose(
            auth ->
                auth.problem() != null
                    ? CompletableFuture.completedFuture(
                        new MlflowRegistry.Resolution(null, auth.problem()))
                    : mlflow.resolve(registry, ref.get(), auth.auth(), known));
  }

  /** Points the alias of the spec's registry at a version; the problem if that failed. */
  public CompletableFuture<Optional<RegistryProblem>> setAlias(
      String namespace, ModelSpec model, String name, String alias, String version) {
    ModelRegistries.Choice choice = registries.choose(endpoint(model));
    if (choice.registry().isEmpty()) {
      return CompletableFuture.completedFuture(Optional.of(choice.problem()));
    }
    return credentials(namespace, model)
        .thenCompose(
            auth ->
                auth.problem() != null
                    ? CompletableFuture.completedFuture(Optional.of(auth.problem()))
                    : mlflow.setAlias(choice.registry().get(), name, alias, version, auth.auth()));
  }

  private record Credentials(HttpAuth auth, RegistryProblem problem) {}

  private CompletableFuture<Credentials> credentials(String namespace, ModelSpec model) {
    if (model.registry == null || model.registry.authSecretRef == null) {
      return CompletableFuture.completedFuture(new Credentials(null, null));
    }
    String name = model.registry.authSecretRef.name;
    return cluster
        .credential(namespace, name, Keys.CREDENTIAL_REGISTRY)
        .thenApply(
            data ->
                data.flatMap(HttpAuth::fromSecret)
                    .map(auth -> new Credentials(auth, null))
                    .orElseGet(() -> new Credentials(null, refused(name))))
        .exceptionally(
            error ->
                new Credentials(
                    null,
                    new RegistryProblem(
                        Reason.RegistryUnreachable,
                        "the registry credentials (Secret "
                            + name
                            + ") could not be read now ("
                            + error.getClass().getSimpleName()
                            + ")")));
  }

  private static RegistryProblem refused(String name) {
    return new RegistryProblem(
        Reason.CredentialsNotUsable,
        "Secret "
            + name
            + " cannot be used for the model registry: only a Secret labelled "
            + Keys.CREDENTIAL_LABEL
            + "="
            + Keys.CREDENTIAL_REGISTRY
            + " (not a service-account token) with a `token` key, or `username` and `password`"
            + " keys, can be");
  }

  private static String endpoint(ModelSpec model) {
    return model.registry == null ? null : model.registry.endpoint;
  }
}
