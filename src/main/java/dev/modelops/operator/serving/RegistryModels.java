package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import dev.modelops.operator.api.v1alpha1.ModelSpec;
import dev.modelops.operator.api.v1alpha1.RegistryAliasUpdate;
import dev.modelops.operator.api.v1alpha1.RegistryModel;
import dev.modelops.operator.api.v1alpha1.RegistryReference;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.clients.MlflowRegistry.Resolution;
import dev.modelops.operator.clients.MlflowRegistry.Resolved;
import dev.modelops.operator.clients.RegistryProblem;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure: what a registry reference in spec.model.uri (models:/NAME/VERSION, models:/NAME@ALIAS)
 * means for a reconcile. The reference is pinned to an immutable version and its storage location
 * (status.registry); the rest of the reconcile sees a ModelDeployment whose spec.model is that
 * version at that location, so the rollout machinery (canary and analysis included) runs unchanged
 * and the pods never see the reference. A registry that cannot answer changes nothing that serves:
 * the last pin of the same reference is kept, and without one no child is touched.
 */
public final class RegistryModels {
  public static final String MODEL_RESOLVED = "ModelResolved";

  /** How long a failed alias update waits before it is tried again. */
  static final Duration ALIAS_RETRY = Duration.ofSeconds(30);

  /** What the reconcile knows of the reference. */
  public sealed interface Pin permits NotRegistry, Pinned, Waiting, Unresolved {}

  /** spec.model.uri is a storage location: nothing to resolve. */
  public record NotRegistry() implements Pin {}

  /**
   * Serve this version. {@code problem}: the latest lookup failed, and this is the last pin of the
   * same reference, kept.
   */
  public record Pinned(Resolved model, Optional<RegistryProblem> problem) implements Pin {}

  /** The first lookup of this reference has not answered yet: touch nothing. */
  public record Waiting(RegistryReference reference) implements Pin {}

  /** The registry cannot resolve this reference and nothing was pinned for it: touch nothing. */
  public record Unresolved(RegistryReference reference, RegistryProblem problem) implements Pin {}

  /** An alias to point at a version: what a promotion asked for, once the version serves. */
  public record AliasRequest(String name, String alias, String version) {
    public String describe() {
      return "alias " + alias + " of model " + name + " to version " + version;
    }
  }

  /**
   * How an alias request went: {@code problem} empty when the alias was set; {@code at} when the
   * attempt ended.
   */
  public record AliasAttempt(AliasRequest request, Optional<RegistryProblem> problem, Instant at) {}

  private RegistryModels() {}

  public static boolean isRegistry(ModelDeployment md) {
    return md.getSpec().model.registryReference().isPresent();
  }

  /**
   * @param latest the newest lookup made for the current spec.model (its registry, reference and
   *     credentials), if one has answered
   */
  public static Pin decide(ModelDeployment md, Optional<Resolution> latest) {
    Optional<RegistryReference> reference = md.getSpec().model.registryReference();
    if (reference.isEmpty()) {
      return new NotRegistry();
    }
    Optional<Resolved> stored = storedPin(md, reference.get());
    if (latest.isPresent() && latest.get().ok()) {
      return new Pinned(latest.get().model(), Optional.empty());
    }
    if (latest.isPresent()) {
      return stored
          .<Pin>map(pin -> new Pinned(pin, Optional.of(latest.get().problem())))
          .orElseGet(() -> new Unresolved(reference.get(), latest.get().problem()));
    }
    // A restarted operator keeps the pin of this reference until the registry answers again.
    return stored
        .<Pin>map(pin -> new Pinned(pin, Optional.empty()))
        .orElseGet(() -> new Waiting(reference.get()));
  }

  /** status.registry, when it pins the reference spec.model makes now. */
  static Optional<Resolved> storedPin(ModelDeployment md, RegistryReference reference) {
    RegistryModel stored = md.getStatus() == null ? null : md.getStatus().registry;
    if (stored == null
        || stored.version == null
        || stored.storageUri == null
        || stored.endpoint == null
        || !reference.name().equals(stored.name)
        || !(reference.pinned()
            ? reference.version().equals(stored.version)
            : reference.alias().equals(stored.alias))) {
      return Optional.empty();
    }
    String endpoint =
        md.getSpec().model.registry == null ? null : md.getSpec().model.registry.endpoint;
    if (endpoint != null && !endpoint.equals(stored.endpoint)) {
      return Optional.empty();
    }
    return Optional.of(resolved(stored));
  }

  /** A stored pin as the registry client speaks of it. */
  public static Resolved resolved(RegistryModel stored) {
    return new Resolved(
        stored.endpoint,
        stored.name,
        stored.alias,
        stored.version,
        stored.storageUri,
        stored.runId,
        stored.link);
  }

  /**
   * The ModelDeployment as the rest of the reconcile sees it: spec.model is the pinned version
   * (spec.model.version if set, which admission keeps equal to it) at its storage location. The
   * metadata and status are the original's; the original's spec is not changed.
   */
  public static ModelDeployment servingView(ModelDeployment md, Resolved model) {
    ModelSpec raw = md.getSpec().model;
    ModelSpec pinned = new ModelSpec();
    pinned.name = raw.name;
    pinned.version = model.version();
    pinned.uri = model.storageUri();
    pinned.format = raw.format;
    pinned.registry = raw.registry;
    ModelDeploymentSpec source = md.getSpec();
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = pinned;
    spec.runtime = source.runtime;
    spec.replicas = source.replicas;
    spec.autoscaling = source.autoscaling;
    spec.rollout = source.rollout;
    spec.scheduling = source.scheduling;
    spec.serviceAccountName = source.serviceAccountName;
    ModelDeployment view = new ModelDeployment();
    view.setMetadata(md.getMetadata());
    view.setSpec(spec);
    view.setStatus(md.getStatus());
    return view;
  }

  /**
   * Folds the pin into a status computed for this reconcile: status.registry, the history entries
   * of registry versions (their registry block and lineage), and the ModelResolved condition.
   *
   * @param md the ModelDeployment as stored (spec.model with the reference)
   * @return the Events the change deserves
   */
  public static List<Event> record(
      ModelDeployment md, ModelDeploymentStatus status, Pin pin, Instant now) {
    List<Event> events = new ArrayList<>();
    ModelDeploymentStatus before = md.getStatus();
    Long generation = md.getMetadata().getGeneration();
    Optional<Condition> previous =
        Conditions.find(before == null ? null : before.conditions, MODEL_RESOLVED);
    if (pin instanceof NotRegistry) {
      status.registry = null;
      status.conditions =
          new ArrayList<>(
              status.conditions.stream().filter(c -> !MODEL_RESOLVED.equals(c.getType())).toList());
    } else if (pin instanceof Pinned pinned) {
      Resolved model = pinned.model();
      RegistryModel was = before == null ? null : before.registry;
      boolean moved =
          was == null
              || !model.version().equals(was.version)
              || !model.storageUri().equals(was.storageUri)
              || !model.registry().equals(was.endpoint)
              || !model.name().equals(was.name);
      status.registry = toStatus(model, moved ? Conditions.timestamp(now) : was.resolvedAt);
      String reference = md.getSpec().model.uri;
      if (moved) {
        events.add(
            Event.of(
                Reason.ModelResolved,
                reference
                    + " resolved to version "
                    + model.version()
                    + " at "
                    + model.storageUri()
                    + (model.runId() == null ? "" : " (run " + model.runId() + ")")));
      }
      Condition condition =
          pinned.problem().isEmpty()
              ? Conditions.of(
                  MODEL_RESOLVED,
                  true,
                  "Resolved",
                  reference
                      + " is version "
                      + model.version()
                      + " of "
                      + model.name()
                      + " in model registry "
                      + model.registry()
                      + ", stored at "
                      + model.storageUri(),
                  generation,
                  now)
              : Conditions.of(
                  MODEL_RESOLVED,
                  false,
                  pinned.problem().get().reason().name(),
                  pinned.problem().get().message()
                      + "; "
                      + reference
                      + " stays pinned to version "
                      + model.version()
                      + " ("
                      + model.storageUri()
                      + "), nothing that serves is changed",
                  generation,
                  now);
      warnOnChange(previous, condition, events);
      status.conditions = Conditions.put(status.conditions, condition);
      annotateHistory(md, status);
    } else if (pin instanceof Waiting waiting) {
      // Neither a success nor a failure: Unknown, as metav1.Condition has it.
      Condition resolving =
          Conditions.of(
              MODEL_RESOLVED,
              false,
              "Resolving",
              "asking the model registry what "
                  + waiting.reference()
                  + " names; nothing is rolled out until it answers",
              generation,
              now);
      resolving.setStatus("Unknown");
      status.conditions = Conditions.put(status.conditions, resolving);
    } else if (pin instanceof Unresolved unresolved) {
      Condition condition =
          Conditions.of(
              MODEL_RESOLVED,
              false,
              unresolved.problem().reason().name(),
              unresolved.problem().message()
                  + "; "
                  + unresolved.reference()
                  + " is not rolled out"
                  + ServingConditions.keepsServing(status),
              generation,
              now);
      warnOnChange(previous, condition, events);
      status.conditions = Conditions.put(status.conditions, condition);
    }
    return events;
  }

  /** A Warning Event for a failure the condition did not report yet (same reason and message). */
  private static void warnOnChange(
      Optional<Condition> previous, Condition condition, List<Event> events) {
    if (Conditions.TRUE.equals(condition.getStatus())) {
      return;
    }
    boolean reported =
        previous.isPresent()
            && Objects.equals(previous.get().getReason(), condition.getReason())
            && Objects.equals(previous.get().getMessage(), condition.getMessage());
    if (!reported) {
      events.add(Event.of(Reason.valueOf(condition.getReason()), condition.getMessage()));
    }
  }

  static RegistryModel toStatus(Resolved model, String resolvedAt) {
    RegistryModel status = new RegistryModel();
    status.endpoint = model.registry();
    status.name = model.name();
    status.alias = model.alias();
    status.version = model.version();
    status.modelUri = RegistryReference.pinnedUri(model.name(), model.version());
    status.storageUri = model.storageUri();
    status.runId = model.runId();
    status.link = model.link();
    status.resolvedAt = resolvedAt;
    return status;
  }

  /**
   * History entries of the pinned version get its registry block, and the lineage a RetrainPolicy
   * wrote for models:/NAME/VERSION (the entry is of the storage location, which the lineage does
   * not name).
   */
  private static void annotateHistory(ModelDeployment md, ModelDeploymentStatus status) {
    RegistryModel pin = status.registry;
    for (VersionHistoryEntry entry : status.history) {
      if (entry.registry != null
          || !pin.version.equals(entry.version)
          || !pin.storageUri.equals(entry.uri)) {
        continue;
      }
      entry.registry = StatusChange.copy(pin, RegistryModel.class);
      if (entry.source == null) {
        lineage(md, pin).ifPresent(l -> entry.source = ServingStatusCalculator.source(l));
      }
    }
  }

  /** The lineage annotation, when it describes this registry version. */
  private static Optional<ModelLineage> lineage(ModelDeployment md, RegistryModel pin) {
    return ModelLineage.of(md, pin.version).filter(l -> pin.modelUri.equals(l.uri()));
  }

  /**
   * A version a RetrainPolicy promoted with a registryAlias gets its alias update (Pending) when
   * its rollout completes in this reconcile: its entry was Progressing in the stored status and
   * serves now, after the canary and its analysis, never for a rolled-back one. A status lost and
   * rebuilt opens none (it did not see the rollout), so an alias a person moved since is not moved
   * back.
   */
  public static void openAliasUpdates(ModelDeployment md, ModelDeploymentStatus status) {
    List<VersionHistoryEntry> stored =
        md.getStatus() == null || md.getStatus().history == null
            ? List.of()
            : md.getStatus().history;
    for (VersionHistoryEntry entry : status.history) {
      if (entry.outcome != Outcome.Serving || entry.registry == null || entry.aliasUpdate != null) {
        continue;
      }
      boolean rolledOutNow =
          stored.stream()
              .anyMatch(
                  h ->
                      h.outcome == Outcome.Progressing
                          && entry.version.equals(h.version)
                          && Objects.equals(entry.uri, h.uri));
      Optional<String> alias =
          lineage(md, entry.registry).map(ModelLineage::registryAlias).filter(a -> !a.isBlank());
      if (rolledOutNow && alias.isPresent()) {
        entry.aliasUpdate = new RegistryAliasUpdate();
        entry.aliasUpdate.alias = alias.get();
        entry.aliasUpdate.state = RegistryAliasUpdate.State.Pending;
      }
    }
  }

  /** The pending alias update of the version that serves, if any. */
  public static Optional<AliasRequest> aliasDue(ModelDeploymentStatus status) {
    return status.history.stream()
        .filter(h -> h.outcome == Outcome.Serving && h.registry != null && h.aliasUpdate != null)
        .filter(h -> h.aliasUpdate.state == RegistryAliasUpdate.State.Pending)
        .findFirst()
        .map(h -> new AliasRequest(h.registry.name, h.aliasUpdate.alias, h.registry.version));
  }

  /**
   * Folds the last attempt at the pending alias update into the status.
   *
   * @return the Events, and whether to try again now (the last attempt failed long enough ago, or
   *     there was none)
   */
  public static AliasFold foldAlias(
      ModelDeploymentStatus status, Optional<AliasAttempt> attempt, Instant now) {
    Optional<AliasRequest> due = aliasDue(status);
    if (due.isEmpty()) {
      return new AliasFold(List.of(), false, Optional.empty());
    }
    VersionHistoryEntry entry =
        status.history.stream()
            .filter(h -> h.outcome == Outcome.Serving && h.aliasUpdate != null)
            .findFirst()
            .orElseThrow();
    Optional<AliasAttempt> last = attempt.filter(a -> a.request().equals(due.get()));
    if (last.isEmpty()) {
      return new AliasFold(List.of(), true, Optional.of(ALIAS_RETRY));
    }
    if (last.get().problem().isEmpty()) {
      entry.aliasUpdate.state = RegistryAliasUpdate.State.Set;
      entry.aliasUpdate.message = null;
      entry.aliasUpdate.setAt = Conditions.timestamp(last.get().at());
      return new AliasFold(
          List.of(
              Event.of(
                  Reason.RegistryAliasSet,
                  "set "
                      + due.get().describe()
                      + " in model registry "
                      + entry.registry.endpoint
                      + ": it serves, its rollout completed")),
          false,
          Optional.empty());
    }
    String message =
        Conditions.cap(
            "could not set " + due.get().describe() + ": " + last.get().problem().get().message(),
            Conditions.MAX_MESSAGE);
    List<Event> events =
        message.equals(entry.aliasUpdate.message)
            ? List.of()
            : List.of(Event.of(Reason.RegistryAliasFailed, message + "; retried"));
    entry.aliasUpdate.message = message;
    Duration since = Duration.between(last.get().at(), now);
    boolean retry = since.compareTo(ALIAS_RETRY) >= 0;
    return new AliasFold(
        events, retry, Optional.of(retry ? ALIAS_RETRY : ALIAS_RETRY.minus(since)));
  }

  /**
   * @param request whether to ask for the alias update now
   * @param wakeUpIn when to look again (a retry, or the safety net of an attempt in flight)
   */
  public record AliasFold(List<Event> events, boolean request, Optional<Duration> wakeUpIn) {}
}
