package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.Measurement;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ExternalResourceCachingEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Canary measurements, taken off the reconcile thread: a reconcile that finds a measurement due
 * asks for it and carries on; when it is taken, it is cached under the measurement's slot and an
 * event wakes the reconciler, which passes it to the canary step. A slot is measured once.
 */
final class CanaryMeasurements
    extends ExternalResourceCachingEventSource<CanaryMeasurements.Taken, ModelDeployment, String>
    implements ResourceEventAware<ModelDeployment> {
  static final String NAME = "canary-measurements";
  private static final Logger LOG = Logger.getLogger(CanaryMeasurements.class);

  /** One measurement of every query, for one slot of one rollout. */
  record Taken(String slot, List<Measurement> measurements) {}

  private final CanaryRollout.Analyzer analyzer;
  private final Map<ResourceID, String> inFlight = new ConcurrentHashMap<>();

  CanaryMeasurements(CanaryRollout.Analyzer analyzer) {
    super(NAME, Taken.class, taken -> "measurement");
    this.analyzer = analyzer;
  }

  /** The measurement of this slot, once it has been taken. */
  Optional<List<Measurement>> taken(ModelDeployment md, String slot) {
    return getSecondaryResource(ResourceID.fromResource(md))
        .filter(t -> t.slot().equals(slot))
        .map(Taken::measurements);
  }

  /** Takes the slot's measurement unless it is being taken; its arrival is an event. */
  void request(ModelDeployment md, String slot) {
    ResourceID id = ResourceID.fromResource(md);
    if (inFlight.putIfAbsent(id, slot) != null) {
      return; // one measurement at a time; one for an older slot ends within its timeouts
    }
    analyzer
        .measure(md, md.getSpec().rollout.analysis)
        .whenComplete(
            (measurements, error) -> {
              inFlight.remove(id, slot);
              if (measurements != null) {
                handleResources(id, Set.of(new Taken(slot, measurements)), true);
              } else {
                LOG.warnf(error, "%s: canary measurement failed", id);
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
