package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Starts the watch on target ModelDeployments once, from the first policy reconcile, before any
 * reconcile reads a target. An operator that only serves models (no RetrainPolicy) keeps a single
 * ModelDeployment cache: the ModelDeployment controller's. JOSDK starts a dynamically registered
 * informer and waits for its first list, so no policy sees its target missing while the cache
 * fills.
 */
final class TargetWatch {
  private volatile boolean started;

  void ensureStarted(Context<RetrainPolicy> context) {
    if (started) {
      return;
    }
    synchronized (this) {
      if (!started) {
        var sources = context.eventSourceRetriever();
        try {
          sources.dynamicallyRegisterEventSource(
              RetrainEventSources.targets(sources.eventSourceContextForDynamicRegistration()));
        } catch (RuntimeException e) {
          // JOSDK keeps a source that failed to start registered and would hand it back unstarted
          // next
          // time: drop it, so that the retry of this reconcile starts a fresh one.
          sources.dynamicallyDeRegisterEventSource(RetrainEventSources.TARGETS);
          throw e;
        }
        started = true;
      }
    }
  }
}
