package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.EventRecorder;
import dev.modelops.operator.observability.RolloutMetrics;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.PrometheusAnalyzer;
import dev.modelops.operator.status.Conditions;
import dev.modelops.operator.status.PermanentError;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Applies the serving children (managed dependents, Server-Side Apply) and reports how the rollout
 * goes.
 */
@Workflow(
    dependents = {
      @Dependent(name = "deployment", type = ServingDeploymentDependent.class),
      @Dependent(
          name = "canary",
          type = CanaryDeploymentDependent.class,
          useEventSourceWithName = "deployment",
          reconcilePrecondition = CanaryDeploymentDependent.RolloutRunning.class),
      @Dependent(name = "service", type = ServingServiceDependent.class),
      @Dependent(
          name = "autoscaler",
          type = AutoscalerDependent.class,
          reconcilePrecondition = AutoscalerDependent.AutoscalingRequested.class)
    })
// Not generation-aware: the promote and abort annotations must wake it.
@ControllerConfiguration(
    name = ModelDeploymentReconciler.NAME,
    generationAwareEventProcessing = false)
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {
  public static final String NAME = "modeldeployment";
  static final java.time.Duration PERMANENT_ERROR_RECHECK = java.time.Duration.ofMinutes(1);
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  private final EventRecorder events;
  private final CanaryRollout.Analyzer analyzer;
  private final RolloutMetrics metrics;

  public ModelDeploymentReconciler(
      EventRecorder events, PrometheusAnalyzer analyzer, RolloutMetrics metrics) {
    this.events = events;
    this.analyzer = analyzer;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment md, Context<ModelDeployment> context) {
    Instant now = Instant.now();
    List<Deployment> deployments =
        context.getSecondaryResources(Deployment.class).stream().toList();
    Optional<Deployment> stable = named(deployments, ServingNames.deploymentName(md));
    var result = ServingStatusCalculator.compute(md, stable, now);
    List<Event> recorded = new ArrayList<>(result.events());
    ModelDeploymentStatus status = result.status();
    Optional<Duration> wakeUp = Optional.empty();
    if (ServingModels.isCanary(md)) {
      var canary =
          CanaryRollout.advance(
              md,
              status,
              named(deployments, CanaryDeploymentDependent.name(md)),
              ServingReplicas.desired(md.getSpec()),
              analyzer,
              now);
      recorded.addAll(canary.events());
      canary
          .started()
          .ifPresent(
              v -> metrics.started(md.getMetadata().getNamespace(), md.getMetadata().getName()));
      canary
          .ended()
          .ifPresent(
              outcome ->
                  metrics.ended(
                      md.getMetadata().getNamespace(),
                      md.getMetadata().getName(),
                      outcome,
                      canary.duration()));
      // History changed: derive the conditions again from it, then say where the canary is.
      ModelDeployment updated = withStatus(md, status);
      var again = ServingStatusCalculator.compute(updated, stable, now);
      recorded.addAll(again.events());
      status = again.status();
      ServingStatusCalculator.countCanaryPods(
          status,
          named(deployments, CanaryDeploymentDependent.name(md)),
          ServingReplicas.desired(md.getSpec()));
      if (status.rollout != null && canary.progressReason() != null) {
        status.conditions =
            Conditions.put(
                status.conditions,
                Conditions.of(
                    ServingStatusCalculator.PROGRESSING,
                    true,
                    canary.progressReason(),
                    canary.progressMessage(),
                    md.getMetadata().getGeneration(),
                    now));
        status.phase = ServingStatusCalculator.phase(status);
      }
      metrics.step(
          md.getMetadata().getNamespace(),
          md.getMetadata().getName(),
          status.rollout == null ? 0 : status.rollout.stepIndex + 1);
      wakeUp = canary.wakeUpIn();
      if (childrenChange(md.getStatus(), status)) {
        // The children's desired state comes from status (weight, stable version), and JOSDK does
        // not
        // reconcile again after this controller's own status patch: ask for the next round now.
        wakeUp = Optional.of(Duration.ofSeconds(1));
      }
    } else {
      status.rollout = null;
    }
    recorded.forEach(event -> events.record(md, event));
    UpdateControl<ModelDeployment> control;
    boolean handledAnnotations = status.rollout == null && hasRolloutRequest(md);
    if (StatusChange.differs(md.getStatus(), status)) {
      md.setStatus(status);
      control = UpdateControl.patchStatus(md);
      if (handledAnnotations) {
        // Removing them now would make this status patch conflict; a second later they go (below).
        wakeUp = Optional.of(Duration.ofSeconds(1));
      }
    } else {
      // Status already shows the rollout has ended: the promote/abort annotations have done their
      // work.
      if (handledAnnotations) {
        dev.modelops.operator.status.Annotations.remove(
            context.getClient(),
            md,
            ModelDeployment.PROMOTE_ANNOTATION,
            ModelDeployment.ABORT_ANNOTATION);
      }
      control = UpdateControl.noUpdate();
    }
    return wakeUp.map(control::rescheduleAfter).orElse(control);
  }

  /** Whether the stable or canary Deployment's desired state differs between the two statuses. */
  static boolean childrenChange(ModelDeploymentStatus before, ModelDeploymentStatus after) {
    var was = before == null ? null : before.rollout;
    var now = after.rollout;
    boolean rolloutChanged =
        (was == null) != (now == null)
            || (was != null && !java.util.Objects.equals(was.weight, now.weight));
    return rolloutChanged
        || !java.util.Objects.equals(
            before == null ? null : before.servingVersion, after.servingVersion);
  }

  private static boolean hasRolloutRequest(ModelDeployment md) {
    return dev.modelops.operator.status.Annotations.get(md, ModelDeployment.PROMOTE_ANNOTATION)
            != null
        || dev.modelops.operator.status.Annotations.get(md, ModelDeployment.ABORT_ANNOTATION)
            != null;
  }

  private static Optional<Deployment> named(List<Deployment> deployments, String name) {
    return deployments.stream().filter(d -> name.equals(d.getMetadata().getName())).findFirst();
  }

  private static ModelDeployment withStatus(ModelDeployment md, ModelDeploymentStatus status) {
    ModelDeployment copy = new ModelDeployment();
    copy.setMetadata(md.getMetadata());
    copy.setSpec(md.getSpec());
    copy.setStatus(status);
    return copy;
  }

  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(
      ModelDeployment md, Context<ModelDeployment> context, Exception error) {
    Optional<PermanentError> permanent = PermanentError.classify(error);
    if (permanent.isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    PermanentError problem = permanent.get();
    LOG.warnf(
        "%s/%s: %s",
        md.getMetadata().getNamespace(), md.getMetadata().getName(), problem.message());
    ModelDeploymentStatus status = StatusChange.copy(md.getStatus(), ModelDeploymentStatus.class);
    if (status == null) {
      status = new ModelDeploymentStatus();
    }
    boolean alreadyReported =
        problem
            .reason()
            .equals(
                Conditions.reason(status.conditions, ServingStatusCalculator.DEGRADED).orElse(""));
    status.conditions =
        Conditions.put(
            status.conditions,
            Conditions.of(
                ServingStatusCalculator.DEGRADED,
                true,
                problem.reason(),
                problem.message(),
                md.getMetadata().getGeneration(),
                Instant.now()));
    status.phase = ModelDeploymentStatus.Phase.Degraded;
    if (!alreadyReported) {
      events.record(md, Event.warning(problem.reason(), problem.message()));
    }
    if (!StatusChange.differs(md.getStatus(), status)) {
      return ErrorStatusUpdateControl.<ModelDeployment>noStatusUpdate()
          .rescheduleAfter(PERMANENT_ERROR_RECHECK);
    }
    md.setStatus(status);
    // Keep checking after JOSDK's retries run out, so fixing RBAC or input heals without a restart.
    return ErrorStatusUpdateControl.patchStatus(md).rescheduleAfter(PERMANENT_ERROR_RECHECK);
  }
}
