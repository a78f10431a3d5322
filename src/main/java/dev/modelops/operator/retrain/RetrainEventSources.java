package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.observability.RetrainMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The event sources of the RetrainPolicy controller. Drift is measured by JOSDK's per-resource
 * polling source on a bounded pool of its own, each policy on its own interval; it emits an event
 * only when the measurement changed, so thousands of policies neither poll through the reconcile
 * threads nor starve them.
 */
final class RetrainEventSources {
  static final String TARGET_INDEX = "modelDeploymentRef";
  static final String TARGETS = "target-modeldeployments";

  private RetrainEventSources() {}

  static List<EventSource<?, RetrainPolicy>> create(
      EventSourceContext<RetrainPolicy> context,
      int fetchThreads,
      RetrainMetrics metrics,
      DriftEvaluator evaluator) {
    context
        .getPrimaryCache()
        .addIndexer(
            TARGET_INDEX,
            policy ->
                List.of(
                    key(
                        policy.getMetadata().getNamespace(),
                        policy.getSpec().modelDeploymentRef.name)));

    InformerEventSource<Job, RetrainPolicy> jobs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, RetrainPolicy.class)
                .withName("retrain-jobs")
                .withLabelSelector(Keys.POLICY_LABEL)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(RetrainPolicy.class))
                .build(),
            context);

    // Retraining pods only (their termination message carries the trained model); serving pods
    // are watched by ServingPodCache, and only in namespaces whose policies scrape them.
    InformerEventSource<Pod, RetrainPolicy> pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, RetrainPolicy.class)
                .withName("retrain-pods")
                .withLabelSelector(Keys.POLICY_LABEL)
                .withSecondaryToPrimaryMapper(
                    pod -> {
                      String policy = pod.getMetadata().getLabels().get(Keys.POLICY_LABEL);
                      return policy == null
                          ? Set.of()
                          : Set.of(new ResourceID(policy, pod.getMetadata().getNamespace()));
                    })
                .build(),
            context);

    PerResourcePollingEventSource.ResourceFetcher<DriftEvaluation, RetrainPolicy> fetcher =
        new PerResourcePollingEventSource.ResourceFetcher<>() {
          @Override
          public Set<DriftEvaluation> fetchResources(RetrainPolicy policy) {
            if (policy.getSpec().drift == null || policy.getSpec().suspended()) {
              return Set.of();
            }
            DriftEvaluation evaluation = evaluator.evaluate(policy);
            String ns = policy.getMetadata().getNamespace();
            String name = policy.getMetadata().getName();
            metrics.evaluation(ns, name, evaluation.available());
            if (evaluation.available()) {
              metrics.score(ns, name, RetrainMetrics.ALL_FEATURES, evaluation.score());
              evaluation
                  .features()
                  .forEach((feature, score) -> metrics.score(ns, name, feature, score));
            }
            return Set.of(evaluation);
          }

          @Override
          public Optional<Duration> fetchDelay(Set<DriftEvaluation> last, RetrainPolicy policy) {
            return Optional.of(
                policy.getSpec().drift == null
                    ? Duration.ofMinutes(5)
                    : policy.getSpec().drift.evaluationIntervalOrDefault());
          }
        };
    PerResourcePollingEventSource<DriftEvaluation, RetrainPolicy, String> drift =
        new PerResourcePollingEventSource<>(
            DriftEvaluation.class,
            context,
            new PerResourcePollingConfigurationBuilder<DriftEvaluation, RetrainPolicy, String>(
                    fetcher, Duration.ofSeconds(60))
                .withName("drift-evaluations")
                .withExecutorService(Executors.newScheduledThreadPool(fetchThreads))
                .withResourceIDMapper(evaluation -> "drift")
                .build());
    return List.of(jobs, pods, drift);
  }

  /**
   * The ModelDeployments policies target. Registered by {@link TargetWatch} when the first policy
   * is reconciled: the ModelDeployment controller already caches every ModelDeployment, and a
   * second cache only pays off once a policy needs it.
   */
  static InformerEventSource<ModelDeployment, RetrainPolicy> targets(
      EventSourceContext<RetrainPolicy> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(ModelDeployment.class, RetrainPolicy.class)
            .withName(TARGETS)
            .withSecondaryToPrimaryMapper(
                md ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            TARGET_INDEX,
                            key(md.getMetadata().getNamespace(), md.getMetadata().getName()))
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (RetrainPolicy policy) ->
                    Set.of(
                        new ResourceID(
                            policy.getSpec().modelDeploymentRef.name,
                            policy.getMetadata().getNamespace())))
            .build(),
        context);
  }

  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
