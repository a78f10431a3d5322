package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.clients.ServingPodCache;
import dev.modelops.operator.observability.RetrainMetrics;
import dev.modelops.operator.support.TimerChains;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ExternalResourceCachingEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Measures every policy's drift on its own timer and turns a changed measurement into an event for
 * the reconciler. Unlike a polling source that fetches on the thread that asks, it never measures
 * on a reconcile thread (a reconcile only reads the latest measurement, or none yet): one timer
 * thread starts the measurements, which are asynchronous (DriftEvaluator), so the number of
 * policies sets the load, not a pool size. A measurement that fails in any way is an unavailable
 * source, and the policy is measured again at its next interval.
 */
final class DriftPoller
    extends ExternalResourceCachingEventSource<DriftEvaluation, RetrainPolicy, String>
    implements ResourceEventAware<RetrainPolicy> {
  static final String NAME = "drift-evaluations";

  /** The first measurements after a start are spread over this, so a restart is no stampede. */
  static final Duration STARTUP_SPREAD = Duration.ofSeconds(5);

  private static final Logger LOG = Logger.getLogger(DriftPoller.class);

  private final IndexerResourceCache<RetrainPolicy> policies;
  private final DriftEvaluator evaluator;
  private final RetrainMetrics metrics;
  private final ServingPodCache pods;

  /** The measurement chain of each policy: one at a time, a new one replaces the old. */
  private final TimerChains<ResourceID> chains = new TimerChains<>("drift-timers");

  DriftPoller(
      EventSourceContext<RetrainPolicy> context,
      DriftEvaluator evaluator,
      RetrainMetrics metrics,
      ServingPodCache pods) {
    super(NAME, DriftEvaluation.class, evaluation -> "drift");
    this.policies = context.getPrimaryCache();
    this.evaluator = evaluator;
    this.metrics = metrics;
    this.pods = pods;
  }

  @Override
  public void onResourceCreated(RetrainPolicy policy) {
    schedule(policy, spread(policy));
  }

  @Override
  public void onResourceUpdated(RetrainPolicy policy, RetrainPolicy old) {
    DriftSpec now = policy.getSpec().drift;
    DriftSpec before = old.getSpec().drift;
    boolean sourceChanged =
        !Objects.equals(json(now), json(before))
            || policy.getSpec().suspended() != old.getSpec().suspended();
    if (sourceChanged) {
      // Measure what the policy now says at once, not at the end of the old interval.
      chains.cancel(ResourceID.fromResource(policy));
      releasePods(old);
      schedule(policy, Duration.ZERO);
    } else {
      schedule(policy, spread(policy));
    }
  }

  @Override
  public void onResourceDeleted(RetrainPolicy policy) {
    ResourceID id = ResourceID.fromResource(policy);
    chains.cancel(id);
    handleDelete(id);
    releasePods(policy);
    metrics.forget(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
  }

  @Override
  public void stop() {
    super.stop();
    chains.shutdown();
  }

  /** Starts the policy's measurements, unless they run already. */
  private void schedule(RetrainPolicy policy, Duration delay) {
    ResourceID id = ResourceID.fromResource(policy);
    if (!measured(policy)) {
      chains.cancel(id);
      if (!getSecondaryResources(id).isEmpty()) {
        handleResources(id, Set.of(), true);
      }
      return;
    }
    chains.start(id, NAME, delay, this::measure);
  }

  private void measure(ResourceID id, TimerChains.Chain chain) {
    RetrainPolicy policy = policies.get(id).orElse(null);
    if (policy == null || !measured(policy) || !isRunning()) {
      chains.end(id, chain);
      return;
    }
    if (usesPods(policy.getSpec().drift)) {
      pods.use(id.getNamespace().orElse(""), id.getName());
    }
    evaluator
        .evaluate(policy)
        .whenComplete(
            (evaluation, error) -> {
              try {
                if (evaluation != null) {
                  record(policy, evaluation);
                  handleResources(id, Set.of(evaluation), true);
                } else {
                  LOG.warnf(error, "%s: drift measurement failed", id);
                }
              } catch (Throwable t) {
                LOG.warnf(t, "%s: could not record the drift measurement", id);
              } finally {
                next(id, chain);
              }
            });
  }

  /** The next measurement of this chain, at the interval the policy has now. */
  private void next(ResourceID id, TimerChains.Chain chain) {
    RetrainPolicy policy = policies.get(id).filter(DriftPoller::measured).orElse(null);
    if (policy == null) {
      chains.end(id, chain);
      return;
    }
    chains.next(id, chain, policy.getSpec().drift.evaluationIntervalOrDefault(), this::measure);
  }

  private void record(RetrainPolicy policy, DriftEvaluation evaluation) {
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    metrics.evaluation(ns, name, evaluation.available());
    if (evaluation.available()) {
      metrics.score(ns, name, RetrainMetrics.ALL_FEATURES, evaluation.score());
      evaluation.features().forEach((feature, score) -> metrics.score(ns, name, feature, score));
    }
  }

  private void releasePods(RetrainPolicy policy) {
    if (policy.getSpec().drift != null && usesPods(policy.getSpec().drift)) {
      pods.release(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
    }
  }

  static boolean measured(RetrainPolicy policy) {
    return policy.getSpec().drift != null && !policy.getSpec().suspended();
  }

  static boolean usesPods(DriftSpec drift) {
    return drift.podMetrics != null
        || (drift.distribution != null && drift.distribution.podMetrics != null);
  }

  /** A random moment within the first seconds, and never later than the policy's interval. */
  private static Duration spread(RetrainPolicy policy) {
    long bound =
        Math.min(
            STARTUP_SPREAD.toMillis(),
            measured(policy) ? policy.getSpec().drift.evaluationIntervalOrDefault().toMillis() : 1);
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, bound)));
  }

  private static String json(Object value) {
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(value);
  }
}
