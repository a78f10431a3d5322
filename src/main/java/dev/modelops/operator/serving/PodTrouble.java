package dev.modelops.operator.serving;

import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure: why pods of a version being rolled out are not ready, in one line for a condition: the
 * first pod (by name) with a problem, and the problem as the kubelet reports it: unschedulable, an
 * init container (the model puller) or the server failing, with its exit code and termination
 * message, or a server that runs but fails its readiness probe. The messages come from containers
 * the user runs: they are shortened and kept in the user's own status.
 */
public final class PodTrouble {
  static final int MAX_DETAIL = 300;

  private PodTrouble() {}

  public static Optional<String> describe(List<Pod> pods) {
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && !ready(p))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(PodTrouble::problem)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<String> problem(Pod pod) {
    String name = "pod " + pod.getMetadata().getName() + ": ";
    var status = pod.getStatus();
    if (status == null) {
      return Optional.empty();
    }
    Optional<PodCondition> unscheduled =
        condition(pod, "PodScheduled").filter(c -> "False".equals(c.getStatus()));
    if (unscheduled.isPresent()) {
      return Optional.of(name + "not scheduled: " + shorten(unscheduled.get().getMessage()));
    }
    Optional<String> init = failing(status.getInitContainerStatuses(), "init container ");
    if (init.isPresent()) {
      return Optional.of(name + init.get());
    }
    Optional<String> main = failing(status.getContainerStatuses(), "container ");
    if (main.isPresent()) {
      return Optional.of(name + main.get());
    }
    Optional<ContainerStatus> initializing =
        status.getInitContainerStatuses() == null
            ? Optional.empty()
            : status.getInitContainerStatuses().stream()
                .filter(c -> c.getState() != null && c.getState().getRunning() != null)
                .findFirst();
    if (initializing.isPresent()) {
      // E.g. a puller retrying a store that does not answer.
      return Optional.of(
          name
              + "init container "
              + initializing.get().getName()
              + " still running since "
              + initializing.get().getState().getRunning().getStartedAt());
    }
    return status.getContainerStatuses() == null
        ? Optional.empty()
        : status.getContainerStatuses().stream()
            .filter(c -> c.getState() != null && c.getState().getRunning() != null)
            .filter(c -> !Boolean.TRUE.equals(c.getReady()))
            .findFirst()
            .map(
                c ->
                    name
                        + "container "
                        + c.getName()
                        + " runs but is not ready yet (readiness probe)");
  }

  /** A container that waits after a failure, or ended in one. */
  private static Optional<String> failing(List<ContainerStatus> statuses, String kind) {
    if (statuses == null) {
      return Optional.empty();
    }
    for (ContainerStatus c : statuses) {
      var state = c.getState();
      if (state == null) {
        continue;
      }
      ContainerStateTerminated last =
          c.getLastState() != null ? c.getLastState().getTerminated() : null;
      if (state.getWaiting() != null
          && !"PodInitializing".equals(state.getWaiting().getReason())
          && !"ContainerCreating".equals(state.getWaiting().getReason())) {
        String waiting = kind + c.getName() + " " + state.getWaiting().getReason();
        if (last != null) {
          return Optional.of(waiting + " (" + ended(last) + ")");
        }
        String message = state.getWaiting().getMessage();
        return Optional.of(waiting + (message == null ? "" : ": " + shorten(message)));
      }
      ContainerStateTerminated now = state.getTerminated();
      if (now != null && now.getExitCode() != null && now.getExitCode() != 0) {
        return Optional.of(kind + c.getName() + " " + ended(now));
      }
    }
    return Optional.empty();
  }

  private static String ended(ContainerStateTerminated t) {
    String detail =
        t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage() : t.getReason();
    return "exited " + t.getExitCode() + (detail == null ? "" : ": " + shorten(detail));
  }

  private static boolean ready(Pod pod) {
    return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null
        ? Optional.empty()
        : pod.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst();
  }

  private static String shorten(String text) {
    return text == null ? "" : Conditions.cap(text.strip().replaceAll("\\s+", " "), MAX_DETAIL);
  }
}
