package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.clients.EventRecorder;
import dev.modelops.operator.clients.PrometheusAnalyzer;
import dev.modelops.operator.clients.RequestAnnotations;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.RolloutMetrics;
import dev.modelops.operator.rollout.CanaryRollout;
import dev.modelops.operator.rollout.Measurement;
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
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Applies the serving children (managed dependents, Server-Side Apply) and reports how the rollout
 * goes: reads the children, measures the canary when due, computes the status in one pass
 * (ServingStatusCalculator), records Events and metrics, patches status when it changed.
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
  static final Duration PERMANENT_ERROR_RECHECK = Duration.ofMinutes(1);
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);
  private static final List<String> REQUESTS =
      List.of(Keys.PROMOTE_ANNOTATION, Keys.ABORT_ANNOTATION);

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
    Optional<List<Measurement>> measurements =
        CanaryRollout.measurementDue(md, now)
            ? Optional.of(analyzer.measure(md, md.getSpec().rollout.analysis))
            : Optional.empty();
    var result =
        ServingStatusCalculator.compute(
            new ServingStatusCalculator.Inputs(
                md,
                named(deployments, ServingNames.deploymentName(md)),
                named(deployments, CanaryDeploymentDependent.name(md)),
                measurements,
                now));
    ModelDeploymentStatus status = result.status();
    result.events().forEach(event -> events.record(md, event));
    recordRolloutMetrics(md, result);

    boolean changed = StatusChange.differs(md.getStatus(), status);
    List<String> handled =
        status.rollout == null
            ? REQUESTS.stream().filter(key -> Keys.annotation(md, key) != null).toList()
            : List.of();
    Optional<Duration> settle =
        RequestAnnotations.settle(context.getClient(), md, changed, handled, handled);
    Optional<Duration> wakeUp =
        Stream.of(result.wakeUpIn(), settle).flatMap(Optional::stream).min(Duration::compareTo);
    UpdateControl<ModelDeployment> control = UpdateControl.noUpdate();
    if (changed) {
      md.setStatus(status);
      control = UpdateControl.patchStatus(md);
    }
    return wakeUp.map(control::rescheduleAfter).orElse(control);
  }

  private void recordRolloutMetrics(ModelDeployment md, ServingStatusCalculator.Result result) {
    if (!CanaryRollout.isCanary(md)) {
      return;
    }
    String ns = md.getMetadata().getNamespace();
    String name = md.getMetadata().getName();
    CanaryRollout.Step step = result.canary();
    if (step.started()) {
      metrics.started(ns, name);
    }
    step.endedOutcome().ifPresent(outcome -> metrics.ended(ns, name, outcome, step.duration()));
    var rollout = result.status().rollout;
    metrics.step(ns, name, rollout == null ? 0 : rollout.stepIndex + 1);
  }

  private static Optional<Deployment> named(List<Deployment> deployments, String name) {
    return deployments.stream().filter(d -> name.equals(d.getMetadata().getName())).findFirst();
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
      events.record(md, Event.of(problem.code(), problem.message()));
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
