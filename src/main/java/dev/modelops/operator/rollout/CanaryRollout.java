package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry;
import dev.modelops.operator.api.v1alpha1.VersionHistoryEntry.Outcome;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Applies one canary step to a ModelDeployment's status: starts a rollout when a new version
 * appears under the Canary strategy, advances it (CanaryStateMachine) and ends it by promotion or
 * rollback, recording the outcome in history. Pure but for the measurement callback, which queries
 * Prometheus.
 */
public final class CanaryRollout {

  /** Takes one measurement of every analysis query. */
  public interface Analyzer {
    List<Measurement> measure(ModelDeployment md, AnalysisSpec analysis);
  }

  /** {@code ended}: "promoted" or "rolled_back" with the rollout's duration, for metrics. */
  public record Result(
      List<Event> events,
      Optional<Duration> wakeUpIn,
      Optional<String> started,
      Optional<String> ended,
      Duration duration,
      String progressReason,
      String progressMessage) {}

  private CanaryRollout() {}

  public static Result advance(
      ModelDeployment md,
      ModelDeploymentStatus status,
      Optional<Deployment> canary,
      int totalReplicas,
      Analyzer analyzer,
      Instant now) {
    List<Event> events = new ArrayList<>();
    String version = md.getSpec().model.version;
    String uri = md.getSpec().model.uri;
    RolloutStatus rollout = status.rollout;
    VersionHistoryEntry latest = status.history.get(0);

    if (rollout == null
        || !version.equals(rollout.canaryVersion)
        || !uri.equals(rollout.canaryUri)) {
      Optional<VersionHistoryEntry> serving =
          status.history.stream().filter(h -> h.outcome == Outcome.Serving).findFirst();
      boolean newVersion =
          latest.outcome == Outcome.Progressing
              && serving.isPresent()
              && !(serving.get().version.equals(version) && Objects.equals(serving.get().uri, uri));
      if (!newVersion) {
        status.rollout = null;
        return new Result(
            events,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO,
            null,
            null);
      }
      String stableVersion = rollout != null ? rollout.stableVersion : serving.get().version;
      String stableUri = rollout != null ? rollout.stableUri : serving.get().uri;
      status.rollout = CanaryStateMachine.start(version, uri, stableVersion, stableUri, now);
      events.add(
          Event.normal(
              "CanaryStarted", "canary " + version + " starts beside stable " + stableVersion));
      return new Result(
          events,
          Optional.of(Duration.ofSeconds(1)),
          Optional.of(version),
          Optional.empty(),
          Duration.ZERO,
          "CanaryStarting",
          "canary " + version + " is starting");
    }

    var spec = md.getSpec().rollout;
    int previousStep = rollout.stepIndex;
    boolean wasPaused = rollout.pausedReason != null;
    Optional<List<Measurement>> measurements =
        CanaryStateMachine.measurementDue(spec.steps, spec.analysis, rollout, now)
            ? Optional.of(analyzer.measure(md, spec.analysis))
            : Optional.empty();
    var decision =
        CanaryStateMachine.next(
            new CanaryStateMachine.Inputs(
                spec.steps,
                spec.analysis,
                rollout,
                availableCanaryPods(canary, version, uri),
                totalReplicas,
                measurements,
                "true".equals(annotation(md, ModelDeployment.PROMOTE_ANNOTATION)),
                "true".equals(annotation(md, ModelDeployment.ABORT_ANNOTATION)),
                now));
    Duration duration = Duration.between(Instant.parse(rollout.startedAt), now);
    VersionHistoryEntry entry =
        status.history.stream()
            .filter(h -> h.version.equals(version) && Objects.equals(h.uri, uri))
            .findFirst()
            .orElse(latest);

    switch (decision.action()) {
      case Promote -> {
        status.history.stream()
            .filter(h -> h.outcome == Outcome.Serving)
            .forEach(h -> h.outcome = Outcome.Superseded);
        entry.outcome = Outcome.Serving;
        entry.finishedAt = Conditions.timestamp(now);
        entry.message = "canary promoted: " + decision.message();
        status.servingVersion = version;
        status.rollout = null;
        events.add(
            Event.normal(
                "CanaryPromoted", "canary " + version + " promoted (" + decision.message() + ")"));
        return new Result(
            events,
            Optional.empty(),
            Optional.empty(),
            Optional.of("promoted"),
            duration,
            null,
            null);
      }
      case Rollback -> {
        entry.outcome = Outcome.RolledBack;
        entry.reason = decision.reason();
        entry.finishedAt = Conditions.timestamp(now);
        entry.message = decision.message();
        status.rollout = null;
        events.add(
            Event.warning(
                "RolledBack",
                "canary "
                    + version
                    + " rolled back ("
                    + decision.reason()
                    + "): "
                    + decision.message()
                    + "; "
                    + rollout.stableVersion
                    + " kept serving"));
        return new Result(
            events,
            Optional.empty(),
            Optional.empty(),
            Optional.of("rolled_back"),
            duration,
            null,
            null);
      }
      default -> {
        status.rollout = decision.state();
        if (status.rollout.stepIndex != previousStep) {
          events.add(
              Event.normal(
                  "CanaryStep",
                  "canary "
                      + version
                      + " reached step "
                      + (status.rollout.stepIndex + 1)
                      + "/"
                      + spec.steps.size()
                      + " at weight "
                      + status.rollout.weight
                      + "%"));
        }
        if (!wasPaused && status.rollout.pausedReason != null) {
          events.add(
              Event.normal(
                  "CanaryPaused", "canary " + version + " " + status.rollout.pausedReason));
        }
        String message =
            "canary "
                + version
                + " step "
                + (status.rollout.stepIndex + 1)
                + "/"
                + spec.steps.size()
                + ", weight "
                + status.rollout.weight
                + "%: "
                + decision.message();
        return new Result(
            events,
            decision.wakeUpIn(),
            Optional.empty(),
            Optional.empty(),
            duration,
            decision.reason(),
            message);
      }
    }
  }

  static int availableCanaryPods(Optional<Deployment> canary, String version, String uri) {
    if (canary.isEmpty() || canary.get().getStatus() == null) {
      return 0;
    }
    Map<String, String> template =
        canary.get().getSpec().getTemplate().getMetadata().getAnnotations();
    boolean runsVersion =
        template != null
            && version.equals(template.get("modelops.dev/model-version"))
            && uri.equals(template.get("modelops.dev/model-uri"));
    Integer available = canary.get().getStatus().getAvailableReplicas();
    return runsVersion && available != null ? available : 0;
  }

  private static String annotation(ModelDeployment md, String key) {
    var annotations = md.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
