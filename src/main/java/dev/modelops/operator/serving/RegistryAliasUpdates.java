package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.clients.RegistryResolver;
import dev.modelops.operator.serving.RegistryModels.AliasAttempt;
import dev.modelops.operator.serving.RegistryModels.AliasRequest;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ExternalResourceCachingEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Sets registry aliases off the reconcile thread: a reconcile that finds an alias update due asks
 * for it and carries on; when the registry has answered, the attempt is cached and an event wakes
 * the reconciler, which records it. One attempt at a time per ModelDeployment.
 */
final class RegistryAliasUpdates
    extends ExternalResourceCachingEventSource<AliasAttempt, ModelDeployment, String>
    implements ResourceEventAware<ModelDeployment> {
  static final String NAME = "registry-alias-updates";
  private static final Logger LOG = Logger.getLogger(RegistryAliasUpdates.class);

  private final RegistryResolver resolver;
  private final Map<ResourceID, AliasRequest> inFlight = new ConcurrentHashMap<>();

  RegistryAliasUpdates(RegistryResolver resolver) {
    super(NAME, AliasAttempt.class, attempt -> "alias");
    this.resolver = resolver;
  }

  /** The last attempt, if one ended. */
  Optional<AliasAttempt> last(ModelDeployment md) {
    return getSecondaryResource(ResourceID.fromResource(md));
  }

  /** Sets the alias unless an attempt is in flight; the attempt's end is an event. */
  void request(ModelDeployment md, AliasRequest request) {
    ResourceID id = ResourceID.fromResource(md);
    if (inFlight.putIfAbsent(id, request) != null) {
      return;
    }
    resolver
        .setAlias(
            md.getMetadata().getNamespace(),
            md.getSpec().model,
            request.name(),
            request.alias(),
            request.version())
        .whenComplete(
            (problem, error) -> {
              inFlight.remove(id, request);
              if (problem != null) {
                handleResources(
                    id, Set.of(new AliasAttempt(request, problem, Instant.now())), true);
              } else {
                LOG.warnf(error, "%s: setting %s failed", id, request.describe());
              }
            });
  }

  @Override
  public void onResourceDeleted(ModelDeployment md) {
    ResourceID id = ResourceID.fromResource(md);
    inFlight.remove(id);
    handleDelete(id);
  }
}
