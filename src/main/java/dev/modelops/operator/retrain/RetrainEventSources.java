package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.clients.ServingPodCache;
import dev.modelops.operator.observability.RetrainMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The event sources of the RetrainPolicy controller: its Jobs, their pods, and drift (DriftPoller:
 * each policy on its own timer, measured asynchronously off the reconcile threads, an event only
 * when the measurement changed, so thousands of policies neither poll through the reconcile threads
 * nor starve them).
 */
final class RetrainEventSources {
  static final String TARGET_INDEX = "modelDeploymentRef";
  static final String TARGETS = "target-modeldeployments";
  static final String JOBS = "retrain-jobs";

  private RetrainEventSources() {}

  static List<EventSource<?, RetrainPolicy>> create(
      EventSourceContext<RetrainPolicy> context,
      RetrainMetrics metrics,
      DriftEvaluator evaluator,
      ServingPodCache servingPods) {
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
                .withName(JOBS)
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

    DriftPoller drift = new DriftPoller(context, evaluator, metrics, servingPods);
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
