package dev.modelops.operator.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelops.operator.api.v1alpha1.ModelRules;
import dev.modelops.operator.api.v1alpha1.RegistryReference;
import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.observability.Event.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * The MLflow model registry's REST API (2.0), as far as the operator uses it: an alias or a version
 * to an immutable registered version and its storage location, and setting an alias. Every request
 * goes to a declared registry only, through BoundedHttp (size cap, one deadline that covers the
 * body, no redirects), with at most a number of requests in flight per registry. Nothing a registry
 * answers reaches a message but the HTTP status, MLflow's documented error code and the values the
 * operator pins (version, run id, storage location, after they pass its rules).
 *
 * <p>Paths: {@code GET registered-models/alias?name=&alias=} (alias to version), {@code GET
 * model-versions/get?name=&version=} (status READY, run_id), {@code GET
 * model-versions/get-download-uri?name=&version=} (the storage location: in MLflow 3 a version's
 * source may be models:/m-ID, the download URI is where its files are), {@code GET
 * registered-models/get?name=} (only to tell a missing model from a missing alias or version),
 * {@code POST registered-models/alias} {name, alias, version}.
 */
@ApplicationScoped
public class MlflowRegistry {
  static final String API = "/api/2.0/mlflow";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION = Pattern.compile("^[1-9][0-9]{0,17}$");
  private static final Pattern RUN_ID = Pattern.compile("^[A-Za-z0-9]{1,64}$");
  private static final Pattern CODE = Pattern.compile("^[A-Z][A-Z_]{0,63}$");

  /** What a registry said a reference names: immutable, so equal values mean nothing moved. */
  public record Resolved(
      String registry,
      String name,
      String alias,
      String version,
      String storageUri,
      String runId,
      String link) {}

  /** One resolution: the model, or why there is none. */
  public record Resolution(Resolved model, RegistryProblem problem) {
    public boolean ok() {
      return model != null;
    }
  }

  /** An answer: its HTTP status and its JSON, if the body was JSON. */
  private record Answer(int status, Optional<JsonNode> json) {
    String code() {
      String code = json.map(j -> j.path("error_code").asText("")).orElse("");
      return CODE.matcher(code).matches() ? ", " + code : "";
    }
  }

  /** A problem, carried through a future chain. */
  private static final class Refused extends RuntimeException {
    final RegistryProblem problem;

    Refused(Reason reason, String message) {
      super(message, null, false, false);
      this.problem = new RegistryProblem(reason, message);
    }
  }

  private final BoundedHttp http;
  private final AsyncLimiter perRegistry;
  private final Duration timeout;

  @Inject
  public MlflowRegistry(BoundedHttp http, OperatorSettings settings) {
    this(http, settings.registry().maxConcurrentPerRegistry(), settings.registry().timeout());
  }

  public MlflowRegistry(BoundedHttp http, int maxConcurrentPerRegistry, Duration timeout) {
    this.http = http;
    this.perRegistry = new AsyncLimiter(maxConcurrentPerRegistry);
    this.timeout = timeout;
  }

  /**
   * What the reference names now. Never fails: a problem is a {@link Resolution} too.
   *
   * @param known the last resolution of this reference; its storage location is reused when the
   *     version is the same (a registered version's files do not move), which saves a request
   */
  public CompletableFuture<Resolution> resolve(
      ModelRegistries.Registry registry,
      RegistryReference ref,
      HttpAuth auth,
      Optional<Resolved> known) {
    String lookup =
        ref.pinned()
            ? "/model-versions/get?name=" + q(ref.name()) + "&version=" + q(ref.version())
            : "/registered-models/alias?name=" + q(ref.name()) + "&alias=" + q(ref.alias());
    CompletableFuture<JsonNode> version =
        get(registry, lookup, auth)
            .thenCompose(
                a ->
                    a.status() == 200
                        ? CompletableFuture.completedFuture(modelVersion(registry, ref, a))
                        : missing(registry, ref, a, auth));
    return version
        .thenCompose(v -> pin(registry, ref, v, auth, known))
        .thenApply(model -> new Resolution(model, null))
        .exceptionally(error -> new Resolution(null, problem(error, registry)));
  }

  /**
   * Points the alias at the version. Completes with the problem when the registry refused or could
   * not be reached; never fails.
   */
  public CompletableFuture<Optional<RegistryProblem>> setAlias(
      ModelRegistries.Registry registry, String name, String alias, String version, HttpAuth auth) {
    ObjectNode body = JSON.createObjectNode();
    body.put("name", name);
    body.put("alias", alias);
    body.put("version", version);
    URI uri = URI.create(registry.base() + API + "/registered-models/alias");
    return perRegistry
        .submit(
            registry.name(),
            () -> http.postJson(uri, headers(auth), body.toString(), timeout, registry.describe()))
        .thenApplyAsync(
            response -> {
              Answer answer = answer(response);
              if (answer.status() == 200) {
                return Optional.<RegistryProblem>empty();
              }
              if (answer.status() == 404) {
                throw versionNotFound(registry, name, version, answer);
              }
              throw unexpected(registry, answer, "setting alias " + alias);
            },
            http.executor())
        .exceptionally(error -> Optional.of(problem(error, registry)));
  }

  /** The model_version object of an answer, checked: its version is a registered number. */
  private static JsonNode modelVersion(
      ModelRegistries.Registry registry, RegistryReference ref, Answer answer) {
    JsonNode version = answer.json().map(j -> j.path("model_version")).orElse(null);
    if (version == null
        || !version.isObject()
        || !VERSION.matcher(version.path("version").asText("")).matches()
        || !ref.name().equals(version.path("name").asText(ref.name()))
        || (ref.pinned() && !ref.version().equals(version.path("version").asText()))) {
      throw invalid(registry, "a model version");
    }
    return version;
  }

  /** A version the registry gave: READY, and where its files are. */
  private CompletableFuture<Resolved> pin(
      ModelRegistries.Registry registry,
      RegistryReference ref,
      JsonNode modelVersion,
      HttpAuth auth,
      Optional<Resolved> known) {
    String version = modelVersion.path("version").asText();
    String status = modelVersion.path("status").asText("");
    if (!"READY".equals(status)) {
      throw new Refused(
          Reason.ModelVersionNotReady,
          described(registry, ref.name(), version)
              + " is "
              + (CODE.matcher(status).matches() ? status : "not in a known state")
              + ", not READY");
    }
    String runId = modelVersion.path("run_id").asText("");
    Optional<String> link =
        registry.ui().map(ui -> ui + "/#/models/" + ref.name() + "/versions/" + version);
    Optional<String> storage =
        known
            .filter(k -> k.registry().equals(registry.name()))
            .filter(k -> k.name().equals(ref.name()) && k.version().equals(version))
            .map(Resolved::storageUri);
    CompletableFuture<String> location =
        storage.isPresent()
            ? CompletableFuture.completedFuture(storage.get())
            : get(
                    registry,
                    "/model-versions/get-download-uri?name="
                        + q(ref.name())
                        + "&version="
                        + q(version),
                    auth)
                .thenApply(a -> downloadUri(registry, ref, version, a));
    return location.thenApply(
        uri ->
            new Resolved(
                registry.name(),
                ref.name(),
                ref.alias(),
                version,
                uri,
                RUN_ID.matcher(runId).matches() ? runId : null,
                link.orElse(null)));
  }

  private static String downloadUri(
      ModelRegistries.Registry registry, RegistryReference ref, String version, Answer answer) {
    if (answer.status() == 404) {
      throw versionNotFound(registry, ref.name(), version, answer);
    }
    if (answer.status() != 200) {
      throw unexpected(registry, answer, "the download URI of version " + version);
    }
    String uri = answer.json().map(j -> j.path("artifact_uri").asText("")).orElse("");
    if (uri.isEmpty()) {
      throw invalid(registry, "a download URI");
    }
    List<String> problems = ModelRules.storageUriProblems(uri);
    if (!problems.isEmpty()) {
      throw new Refused(
          Reason.UnsupportedStorageUri,
          described(registry, ref.name(), version)
              + " is stored where the model puller cannot fetch it ("
              + scheme(uri)
              + "): "
              + String.join("; ", problems)
              + "; register it from an s3://, gs:// or https:// location");
    }
    return uri;
  }

  /** After a 4xx for a version or alias: is the model missing, or only the version or alias? */
  private CompletableFuture<JsonNode> missing(
      ModelRegistries.Registry registry, RegistryReference ref, Answer answer, HttpAuth auth) {
    if (answer.status() != 400 && answer.status() != 404) {
      throw unexpected(registry, answer, ref.pinned() ? "a model version" : "an alias");
    }
    return get(registry, "/registered-models/get?name=" + q(ref.name()), auth)
        .thenApply(
            model -> {
              if (model.status() == 400 || model.status() == 404) {
                throw new Refused(
                    Reason.ModelNotFound,
                    registry.describe()
                        + " has no registered model "
                        + ref.name()
                        + " (HTTP "
                        + model.status()
                        + model.code()
                        + ")");
              }
              if (model.status() != 200) {
                throw unexpected(registry, model, "model " + ref.name());
              }
              if (ref.pinned()) {
                throw versionNotFound(registry, ref.name(), ref.version(), answer);
              }
              throw new Refused(
                  Reason.AliasNotFound,
                  "model "
                      + ref.name()
                      + " in "
                      + registry.describe()
                      + " has no alias "
                      + ref.alias()
                      + " (HTTP "
                      + answer.status()
                      + answer.code()
                      + ")");
            });
  }

  private static Refused versionNotFound(
      ModelRegistries.Registry registry, String name, String version, Answer answer) {
    return new Refused(
        Reason.ModelVersionNotFound,
        "model "
            + name
            + " in "
            + registry.describe()
            + " has no version "
            + version
            + ", or it was deleted (HTTP "
            + answer.status()
            + answer.code()
            + ")");
  }

  private CompletableFuture<Answer> get(
      ModelRegistries.Registry registry, String pathAndQuery, HttpAuth auth) {
    URI uri = URI.create(registry.base() + API + pathAndQuery);
    return perRegistry
        .submit(
            registry.name(), () -> http.get(uri, headers(auth), timeout, null, registry.describe()))
        .thenApplyAsync(MlflowRegistry::answer, http.executor());
  }

  private static Answer answer(BoundedHttp.Response response) {
    Optional<JsonNode> json;
    try {
      json =
          response.body().length == 0
              ? Optional.empty()
              : Optional.of(JSON.readTree(response.body()));
    } catch (Exception e) {
      json = Optional.empty();
    }
    return new Answer(response.status(), json.filter(JsonNode::isObject));
  }

  private static Map<String, String> headers(HttpAuth auth) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    if (auth != null) {
      headers.put("Authorization", auth.header());
    }
    return headers;
  }

  private static Refused unexpected(ModelRegistries.Registry registry, Answer answer, String what) {
    int status = answer.status();
    if (status == 401 || status == 403) {
      return new Refused(
          Reason.RegistryAccessDenied,
          registry.describe()
              + " refused the request for "
              + what
              + " (HTTP "
              + status
              + answer.code()
              + "): check spec.model.registry.authSecretRef and what its credentials may do");
    }
    if (status == 429 || status >= 500) {
      return new Refused(
          Reason.RegistryUnreachable,
          registry.describe()
              + " could not answer for "
              + what
              + " (HTTP "
              + status
              + answer.code()
              + ")");
    }
    return new Refused(
        Reason.InvalidRegistryResponse,
        registry.describe() + " answered HTTP " + status + answer.code() + " for " + what);
  }

  private static Refused invalid(ModelRegistries.Registry registry, String what) {
    return new Refused(
        Reason.InvalidRegistryResponse,
        registry.describe()
            + " answered something that is not "
            + what
            + " of the MLflow REST API; is it an MLflow server?");
  }

  private static RegistryProblem problem(Throwable error, ModelRegistries.Registry registry) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof Refused refused) {
      return refused.problem;
    }
    if (cause instanceof MetricSourceException source) {
      Reason reason =
          "ResponseTooLarge".equals(source.reason())
              ? Reason.InvalidRegistryResponse
              : Reason.RegistryUnreachable;
      return new RegistryProblem(reason, source.getMessage());
    }
    return new RegistryProblem(
        Reason.RegistryUnreachable,
        registry.describe() + " could not be asked (" + cause.getClass().getSimpleName() + ")");
  }

  /** "version 4 of model iris in model registry mlflow". */
  private static String described(ModelRegistries.Registry registry, String name, String version) {
    return "version " + version + " of model " + name + " in " + registry.describe();
  }

  /** The scheme of a location, for a message: at most a short word, else "no scheme". */
  private static String scheme(String uri) {
    int colon = uri.indexOf(':');
    String scheme = colon < 0 ? "" : uri.substring(0, colon);
    return scheme.matches("^[A-Za-z][A-Za-z0-9+.-]{0,15}$") ? scheme + ":" : "no known scheme";
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
