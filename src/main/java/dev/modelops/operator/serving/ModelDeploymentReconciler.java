package dev.modelops.operator.serving;

import dev.modelops.operator.admission.WorkloadReferences;
import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ServingModel;
import dev.modelops.operator.clients.ClusterReferences;
import dev.modelops.operator.clients.EventRecorder;
import dev.modelops.operator.clients.PrometheusAnalyzer;
import dev.modelops.operator.clients.RegistryResolver;
import dev.modelops.operator.clients.RequestAnnotations;
import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
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
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
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
// Explicit: references are checked before any child is applied, and a refused spec touches none.
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(
          name = ModelDeploymentReconciler.DEPLOYMENTS,
          type = ServingDeploymentDependent.class),
      @Dependent(
          name = "canary",
          type = CanaryDeploymentDependent.class,
          useEventSourceWithName = ModelDeploymentReconciler.DEPLOYMENTS,
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

  /** The serving Deployments' dependent and its informer (stable and canary share it). */
  static final String DEPLOYMENTS = "deployment";

  static final Duration PERMANENT_ERROR_RECHECK = Duration.ofMinutes(1);
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);
  private static final List<String> REQUESTS =
      List.of(Keys.PROMOTE_ANNOTATION, Keys.ABORT_ANNOTATION);

  /** How long to wait for a canary measurement's arrival event before looking anyway. */
  static final Duration MEASUREMENT_RECHECK = Duration.ofSeconds(30);

  static final Duration POD_TROUBLE_RECHECK = Duration.ofSeconds(15);

  private final EventRecorder events;
  private final RolloutMetrics metrics;
  private final ClusterReferences references;
  private final CanaryMeasurements measurements;
  private final RegistryResolver resolver;
  private final Duration minResolveInterval;
  private final RegistryAliasUpdates aliasUpdates;
  private RegistryResolutions resolutions;

  public ModelDeploymentReconciler(
      EventRecorder events,
      PrometheusAnalyzer analyzer,
      RolloutMetrics metrics,
      ClusterReferences references,
      RegistryResolver resolver,
      OperatorSettings settings) {
    this.events = events;
    this.metrics = metrics;
    this.references = references;
    this.measurements = new CanaryMeasurements(analyzer);
    this.resolver = resolver;
    this.minResolveInterval = settings.registry().minResolveInterval();
    this.aliasUpdates = new RegistryAliasUpdates(resolver);
  }

  @Override
  public List<EventSource<?, ModelDeployment>> prepareEventSources(
      EventSourceContext<ModelDeployment> context) {
    resolutions = new RegistryResolutions(context, resolver, minResolveInterval);
    return List.of(measurements, resolutions, aliasUpdates);
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment md, Context<ModelDeployment> context) {
    Instant now = Instant.now();
    List<String> refused = WorkloadReferences.servingRefusals(md.getSpec(), access(md));
    if (!refused.isEmpty()) {
      // Nothing that serves is touched: the children keep the last spec that was allowed.
      return degraded(md, Reason.ReferenceNotAllowed, String.join("; ", refused))
          .map(UpdateControl::patchStatus)
          .orElseGet(UpdateControl::noUpdate)
          .rescheduleAfter(PERMANENT_ERROR_RECHECK);
    }
    Optional<String> conflict =
        ServingNames.conflict(md, name -> deploymentNamed(context, md, name));
    if (conflict.isPresent()) {
      // Applying would take over (or delete) another ModelDeployment's Deployment: touch nothing.
      return degraded(md, Reason.NameConflict, conflict.get())
          .map(UpdateControl::patchStatus)
          .orElseGet(UpdateControl::noUpdate)
          .rescheduleAfter(PERMANENT_ERROR_RECHECK);
    }
    RegistryModels.Pin pin = RegistryModels.decide(md, resolutions.latest(md));
    if (pin instanceof RegistryModels.Waiting || pin instanceof RegistryModels.Unresolved) {
      // No version to roll out yet, or none for this reference: nothing that serves is touched.
      return holdForRegistry(md, pin, now);
    }
    // From here on spec.model is the pinned version at its storage location (a registry
    // reference), or as written: the children, the rollout and the status are computed from it.
    ModelDeployment view =
        pin instanceof RegistryModels.Pinned pinned
            ? RegistryModels.servingView(md, pinned.model())
            : md;
    List<Deployment> owned = context.getSecondaryResources(Deployment.class).stream().toList();
    ServingModels.Stable stable =
        ServingModels.resolve(view, named(owned, ServingNames.deploymentName(md)));
    if (stable instanceof ServingModels.Unknown unknown) {
      // Never guess: spec.model on the stable pods would skip the canary. Nothing is touched.
      return degraded(md, Reason.ServingModelUnknown, unknown.message())
          .map(UpdateControl::patchStatus)
          .orElseGet(UpdateControl::noUpdate)
          .rescheduleAfter(PERMANENT_ERROR_RECHECK);
    }
    if (stable instanceof ServingModels.Recovered recovered) {
      return recover(md, recovered);
    }
    var workflow = context.managedWorkflowAndDependentResourceContext();
    workflow.put(ServingDeploymentDependent.SERVING_VIEW, view);
    workflow.put(
        ServingDeploymentDependent.PULLER_ENV,
        PullerEnvironment.of(
            references.workloadSecrets(
                md.getMetadata().getNamespace(),
                md.getSpec().serviceAccountName == null
                    ? "default"
                    : md.getSpec().serviceAccountName)));
    workflow.reconcileManagedWorkflow();
    List<Deployment> deployments =
        context.getSecondaryResources(Deployment.class).stream().toList();
    Optional<List<Measurement>> taken = Optional.empty();
    boolean measuring = false;
    if (CanaryRollout.measurementDue(view, now)) {
      String slot = CanaryRollout.measurementSlot(md.getStatus().rollout);
      taken = measurements.taken(view, slot);
      if (taken.isEmpty()) {
        measurements.request(view, slot);
        measuring = true;
      }
    }
    Optional<Deployment> stableDeployment = named(deployments, ServingNames.deploymentName(md));
    Optional<Deployment> canary = named(deployments, CanaryDeploymentDependent.name(md));
    Optional<Deployment> waiting =
        Stream.of(canary, stableDeployment)
            .flatMap(Optional::stream)
            .filter(ModelDeploymentReconciler::waitsForPods)
            .findFirst();
    Optional<String> trouble = waiting.flatMap(d -> PodTrouble.describe(references.currentPods(d)));
    var result =
        ServingStatusCalculator.compute(
            new ServingStatusCalculator.Inputs(
                view, stableDeployment, canary, taken, trouble, now));
    ModelDeploymentStatus status = result.status();
    result.events().forEach(event -> events.record(md, event));
    RegistryModels.record(md, status, pin, now).forEach(event -> events.record(md, event));
    RegistryModels.openAliasUpdates(md, status);
    RegistryModels.AliasFold alias = RegistryModels.foldAlias(status, aliasUpdates.last(md), now);
    alias.events().forEach(event -> events.record(md, event));
    if (alias.request()) {
      RegistryModels.aliasDue(status).ifPresent(request -> aliasUpdates.request(md, request));
    }
    recordRolloutMetrics(md, result);

    boolean changed = StatusChange.differs(md.getStatus(), status);
    List<String> handled = handledRequests(md, status);
    Optional<Duration> settle =
        RequestAnnotations.settle(context.getClient(), md, changed, handled, handled);
    // While a measurement is taken, its arrival wakes the reconciler; the wake-up is a safety net.
    Optional<Duration> due = measuring ? Optional.of(MEASUREMENT_RECHECK) : result.wakeUpIn();
    // Pods that crash or fail their probe change no Deployment status: look again while waiting.
    Optional<Duration> recheckPods = waiting.map(d -> POD_TROUBLE_RECHECK);
    Optional<Duration> wakeUp =
        Stream.of(due, settle, recheckPods, alias.wakeUpIn())
            .flatMap(Optional::stream)
            .min(Duration::compareTo);
    UpdateControl<ModelDeployment> control = UpdateControl.noUpdate();
    if (changed) {
      md.setStatus(status);
      control = UpdateControl.patchStatus(md);
    }
    return wakeUp.map(control::rescheduleAfter).orElse(control);
  }

  /** A Deployment of this model with pods that are not available yet. */
  static boolean waitsForPods(Deployment deployment) {
    var status = deployment.getStatus();
    return status != null
        && status.getUnavailableReplicas() != null
        && status.getUnavailableReplicas() > 0;
  }

  /**
   * A registry reference with no version to roll out (the first lookup has not answered, or the
   * registry cannot resolve it and nothing was pinned for it): only the ModelResolved condition
   * changes, with a Warning Event the first time; the children stay as they are. The lookup's
   * answer wakes the reconciler; the recheck is a safety net.
   */
  private UpdateControl<ModelDeployment> holdForRegistry(
      ModelDeployment md, RegistryModels.Pin pin, Instant now) {
    ModelDeploymentStatus status =
        Optional.ofNullable(StatusChange.copy(md.getStatus(), ModelDeploymentStatus.class))
            .orElseGet(ModelDeploymentStatus::new);
    status.observedGeneration = md.getMetadata().getGeneration();
    if (status.phase == null) {
      status.phase = ModelDeploymentStatus.Phase.Pending;
    }
    List<Event> found = RegistryModels.record(md, status, pin, now);
    if (pin instanceof RegistryModels.Unresolved unresolved) {
      LOG.warnf(
          "%s/%s: %s",
          md.getMetadata().getNamespace(),
          md.getMetadata().getName(),
          unresolved.problem().message());
    }
    found.forEach(event -> events.record(md, event));
    UpdateControl<ModelDeployment> control = UpdateControl.noUpdate();
    if (StatusChange.differs(md.getStatus(), status)) {
      md.setStatus(status);
      control = UpdateControl.patchStatus(md);
    }
    return control.rescheduleAfter(PERMANENT_ERROR_RECHECK);
  }

  /**
   * Request annotations to remove: every one once no rollout runs (it acted, or there is nothing to
   * act on), and during a rollout those it ignores (status.rollout.ignoredRequests, exact value).
   */
  static List<String> handledRequests(ModelDeployment md, ModelDeploymentStatus status) {
    return REQUESTS.stream()
        .filter(key -> Keys.annotation(md, key) != null)
        .filter(
            key ->
                status.rollout == null
                    || (status.rollout.ignoredRequests != null
                        && Keys.annotation(md, key)
                            .equals(status.rollout.ignoredRequests.get(key))))
        .toList();
  }

  private WorkloadReferences.Access access(ModelDeployment md) {
    String ns = md.getMetadata().getNamespace();
    return new WorkloadReferences.Access() {
      @Override
      public boolean secretUsable(String name) {
        return references.secretUsable(ns, name, Keys.CREDENTIAL_WORKLOAD);
      }

      @Override
      public boolean serviceAccountUsable(String name) {
        return references.serviceAccountUsable(ns, name, Keys.IDENTITY_SERVING);
      }
    };
  }

  /**
   * The stored status with Degraded set to this problem, and a Warning Event the first time; empty
   * when the status already says so.
   */
  private Optional<ModelDeployment> degraded(ModelDeployment md, Reason reason, String message) {
    LOG.warnf("%s/%s: %s", md.getMetadata().getNamespace(), md.getMetadata().getName(), message);
    ModelDeploymentStatus status =
        Optional.ofNullable(StatusChange.copy(md.getStatus(), ModelDeploymentStatus.class))
            .orElseGet(ModelDeploymentStatus::new);
    boolean alreadyReported =
        reason
            .name()
            .equals(
                Conditions.reason(status.conditions, ServingStatusCalculator.DEGRADED).orElse(""));
    status.conditions =
        Conditions.put(
            status.conditions,
            Conditions.of(
                ServingStatusCalculator.DEGRADED,
                true,
                reason.name(),
                message,
                md.getMetadata().getGeneration(),
                Instant.now()));
    status.phase = ModelDeploymentStatus.Phase.Degraded;
    if (!alreadyReported) {
      events.record(md, Event.of(reason, message));
    }
    if (!StatusChange.differs(md.getStatus(), status)) {
      return Optional.empty();
    }
    md.setStatus(status);
    return Optional.of(md);
  }

  /**
   * status.servingModel was lost (e.g. the status was wiped) and the stable Deployment says what
   * its pods run: that is recorded first, alone, and the children are applied from it in the next
   * reconcile, so they are never rendered from a guess.
   */
  private UpdateControl<ModelDeployment> recover(
      ModelDeployment md, ServingModels.Recovered recovered) {
    ModelDeploymentStatus status =
        Optional.ofNullable(StatusChange.copy(md.getStatus(), ModelDeploymentStatus.class))
            .orElseGet(ModelDeploymentStatus::new);
    status.servingModel = new ServingModel(recovered.model().version(), recovered.model().uri());
    status.servingVersion = recovered.model().version();
    String message =
        "status.servingModel was missing; the stable pods serve "
            + recovered.model().version()
            + " ("
            + recovered.model().uri()
            + "), read from "
            + recovered.from();
    LOG.warnf("%s/%s: %s", md.getMetadata().getNamespace(), md.getMetadata().getName(), message);
    events.record(md, Event.of(Reason.ServingModelRecovered, message));
    md.setStatus(status);
    // JOSDK does not reconcile after its own status patch: come back to apply the children.
    return UpdateControl.patchStatus(md).rescheduleAfter(Duration.ofSeconds(1));
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

  /**
   * A serving Deployment by name from the informer's cache, whoever owns it (the secondary
   * resources of a ModelDeployment are only those it owns).
   */
  @SuppressWarnings("unchecked")
  private static Optional<Deployment> deploymentNamed(
      Context<ModelDeployment> context, ModelDeployment md, String name) {
    var deployments =
        (InformerEventSource<Deployment, ModelDeployment>)
            context.eventSourceRetriever().getEventSourceFor(Deployment.class, DEPLOYMENTS);
    return deployments.get(new ResourceID(name, md.getMetadata().getNamespace()));
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
    // Keep checking after JOSDK's retries run out, so fixing RBAC or input heals without a restart.
    return degraded(md, problem.code(), problem.message())
        .map(ErrorStatusUpdateControl::patchStatus)
        .orElseGet(ErrorStatusUpdateControl::noStatusUpdate)
        .rescheduleAfter(PERMANENT_ERROR_RECHECK);
  }
}
