package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.EventRecorder;
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
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Applies the serving children (managed dependents, Server-Side Apply) and reports how the rollout goes. */
@Workflow(dependents = {
    @Dependent(name = "deployment", type = ServingDeploymentDependent.class),
    @Dependent(name = "service", type = ServingServiceDependent.class),
    @Dependent(name = "autoscaler", type = AutoscalerDependent.class,
        reconcilePrecondition = AutoscalerDependent.AutoscalingRequested.class)
})
@ControllerConfiguration(name = ModelDeploymentReconciler.NAME)
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {
  public static final String NAME = "modeldeployment";
  static final java.time.Duration PERMANENT_ERROR_RECHECK = java.time.Duration.ofMinutes(1);
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  private final EventRecorder events;

  public ModelDeploymentReconciler(EventRecorder events) {
    this.events = events;
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(ModelDeployment md, Context<ModelDeployment> context) {
    Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
    var result = ServingStatusCalculator.compute(md, deployment, Instant.now());
    result.events().forEach(event -> events.record(md, event));
    return writeIfChanged(md, result.status());
  }

  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(ModelDeployment md,
      Context<ModelDeployment> context, Exception error) {
    Optional<PermanentError> permanent = PermanentError.classify(error);
    if (permanent.isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    PermanentError problem = permanent.get();
    LOG.warnf("%s/%s: %s", md.getMetadata().getNamespace(), md.getMetadata().getName(), problem.message());
    ModelDeploymentStatus status = StatusChange.copy(md.getStatus(), ModelDeploymentStatus.class);
    if (status == null) {
      status = new ModelDeploymentStatus();
    }
    boolean alreadyReported = problem.reason().equals(
        Conditions.reason(status.conditions, ServingStatusCalculator.DEGRADED).orElse(""));
    status.conditions = Conditions.put(status.conditions, Conditions.of(ServingStatusCalculator.DEGRADED, true,
        problem.reason(), problem.message(), md.getMetadata().getGeneration(), Instant.now()));
    status.phase = ModelDeploymentStatus.Phase.Degraded;
    if (!alreadyReported) {
      events.record(md, Event.warning(problem.reason(), problem.message()));
    }
    if (!StatusChange.differs(md.getStatus(), status)) {
      return ErrorStatusUpdateControl.<ModelDeployment>noStatusUpdate().rescheduleAfter(PERMANENT_ERROR_RECHECK);
    }
    md.setStatus(status);
    // Keep checking after JOSDK's retries run out, so fixing RBAC or input heals without a restart.
    return ErrorStatusUpdateControl.patchStatus(md).rescheduleAfter(PERMANENT_ERROR_RECHECK);
  }

  private static UpdateControl<ModelDeployment> writeIfChanged(ModelDeployment md, ModelDeploymentStatus status) {
    if (!StatusChange.differs(md.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    md.setStatus(status);
    return UpdateControl.patchStatus(md);
  }
}
