package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Defaults;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.clients.MlflowRegistry;
import dev.modelops.operator.clients.RegistryResolver;
import dev.modelops.operator.support.Durations;
import dev.modelops.operator.support.TimerChains;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ExternalResourceCachingEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Resolves every registry reference (spec.model.uri models:/...) on its own timer and turns a
 * changed answer into an event for the reconciler, which never asks the registry itself. One timer
 * thread starts the lookups, which are asynchronous (RegistryResolver, MlflowRegistry), so the
 * number of ModelDeployments sets the load, not a pool size. Each ModelDeployment is looked up at
 * its registry.resolveInterval (at least the administrator's floor), jittered by a tenth either
 * way, with the first lookups after a start spread over a few seconds: a thousand references do not
 * ask at once. A new reference (spec.model changed) is looked up at once.
 */
final class RegistryResolutions
    extends ExternalResourceCachingEventSource<RegistryResolutions.Result, ModelDeployment, String>
    implements ResourceEventAware<ModelDeployment> {
  static final String NAME = "registry-resolutions";

  /** The first lookups after a start are spread over this, so a restart is no stampede. */
  static final Duration STARTUP_SPREAD = Duration.ofSeconds(5);

  private static final Logger LOG = Logger.getLogger(RegistryResolutions.class);

  /** The latest lookup of one spec.model (see {@link RegistryResolver#key}). */
  record Result(String key, MlflowRegistry.Resolution resolution) {}

  private final IndexerResourceCache<ModelDeployment> deployments;
  private final RegistryResolver resolver;
  private final Duration floor;

  /** The lookups of each ModelDeployment: one at a time, for one key; a new key replaces them. */
  private final TimerChains<ResourceID> chains = new TimerChains<>("registry-timers");

  RegistryResolutions(
      EventSourceContext<ModelDeployment> context, RegistryResolver resolver, Duration floor) {
    super(NAME, Result.class, result -> "resolution");
    this.deployments = context.getPrimaryCache();
    this.resolver = resolver;
    this.floor = floor;
  }

  /** The latest answer for what spec.model asks now, if one came. */
  Optional<MlflowRegistry.Resolution> latest(ModelDeployment md) {
    String key = RegistryResolver.key(md.getSpec().model);
    return getSecondaryResource(ResourceID.fromResource(md))
        .filter(r -> r.key().equals(key))
        .map(Result::resolution);
  }

  @Override
  public void onResourceCreated(ModelDeployment md) {
    schedule(md, spread(md));
  }

  @Override
  public void onResourceUpdated(ModelDeployment md, ModelDeployment old) {
    // A new reference is looked up at once; the same one keeps its timer.
    schedule(md, Duration.ZERO);
  }

  @Override
  public void onResourceDeleted(ModelDeployment md) {
    ResourceID id = ResourceID.fromResource(md);
    chains.cancel(id);
    handleDelete(id);
  }

  @Override
  public void stop() {
    super.stop();
    chains.shutdown();
  }

  /** Starts the lookups of the current reference, unless they run already. */
  private void schedule(ModelDeployment md, Duration delay) {
    ResourceID id = ResourceID.fromResource(md);
    if (!RegistryModels.isRegistry(md)) {
      chains.cancel(id);
      if (!getSecondaryResources(id).isEmpty()) {
        handleResources(id, Set.of(), false);
      }
      return;
    }
    chains.start(id, RegistryResolver.key(md.getSpec().model), delay, this::resolve);
  }

  private void resolve(ResourceID id, TimerChains.Chain chain) {
    ModelDeployment md = deployments.get(id).orElse(null);
    if (md == null
        || !RegistryModels.isRegistry(md)
        || !chain.tag().equals(RegistryResolver.key(md.getSpec().model))
        || !isRunning()) {
      chains.end(id, chain);
      return;
    }
    String key = (String) chain.tag();
    resolver
        .resolve(id.getNamespace().orElse(""), md.getSpec().model, known(id, key, md))
        .whenComplete(
            (resolution, error) -> {
              try {
                if (resolution != null && chains.current(id, chain)) {
                  handleResources(id, Set.of(new Result(key, resolution)), true);
                } else if (error != null) {
                  LOG.warnf(error, "%s: registry lookup failed", id);
                }
              } catch (Throwable t) {
                LOG.warnf(t, "%s: could not record the registry lookup", id);
              } finally {
                next(id, chain);
              }
            });
  }

  /** What this reference was pinned to: the last answer, or (after a restart) the status. */
  private Optional<MlflowRegistry.Resolved> known(ResourceID id, String key, ModelDeployment md) {
    Optional<MlflowRegistry.Resolved> answered =
        getSecondaryResource(id)
            .filter(r -> r.key().equals(key) && r.resolution().ok())
            .map(r -> r.resolution().model());
    return answered.or(
        () ->
            md.getStatus() == null || md.getStatus().registry == null
                ? Optional.empty()
                : Optional.of(RegistryModels.resolved(md.getStatus().registry)));
  }

  /** The next lookup of this chain, at the interval the ModelDeployment has now. */
  private void next(ResourceID id, TimerChains.Chain chain) {
    ModelDeployment md = deployments.get(id).orElse(null);
    if (md == null || !RegistryModels.isRegistry(md)) {
      chains.end(id, chain);
      return;
    }
    chains.next(id, chain, jittered(interval(md)), this::resolve);
  }

  private Duration interval(ModelDeployment md) {
    var registry = md.getSpec().model.registry;
    Duration wanted;
    try {
      wanted =
          registry == null
              ? Durations.parse(Defaults.RESOLVE_INTERVAL)
              : registry.resolveIntervalOrDefault();
    } catch (IllegalArgumentException e) {
      wanted = Durations.parse(Defaults.RESOLVE_INTERVAL); // an object admission did not check
    }
    return wanted.compareTo(floor) < 0 ? floor : wanted;
  }

  /** Within a tenth of the interval either way, so that lookups started together drift apart. */
  static Duration jittered(Duration interval) {
    long millis = interval.toMillis();
    long tenth = Math.max(1, millis / 10);
    return Duration.ofMillis(millis - tenth + ThreadLocalRandom.current().nextLong(2 * tenth + 1));
  }

  /** A random moment within the first seconds, and never later than the interval. */
  private Duration spread(ModelDeployment md) {
    if (!RegistryModels.isRegistry(md)) {
      return Duration.ZERO;
    }
    long bound = Math.min(STARTUP_SPREAD.toMillis(), interval(md).toMillis());
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, bound)));
  }
}
