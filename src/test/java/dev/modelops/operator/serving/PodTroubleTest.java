package dev.modelops.operator.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodTroubleTest {

  @Test
  void aPullerThatCrashesIsNamedWithItsExitCodeAndTerminationMessage() {
    ContainerStatus puller =
        new ContainerStatusBuilder()
            .withName("model-puller")
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(1)
            .withReason("Error")
            .withMessage("model-puller: s3://models/iris/missing/ has no objects\n")
            .endTerminated()
            .endLastState()
            .build();
    Pod pod = pod("iris-a", "False", List.of(puller), List.of());
    assertEquals(
        Optional.of(
            "pod iris-a: init container model-puller CrashLoopBackOff (exited 1: model-puller:"
                + " s3://models/iris/missing/ has no objects)"),
        PodTrouble.describe(List.of(pod)));
  }

  @Test
  void aServerThatRunsButFailsItsProbeIsSaidSo() {
    ContainerStatus server =
        new ContainerStatusBuilder()
            .withName("server")
            .withReady(false)
            .withNewState()
            .withNewRunning()
            .withStartedAt("2026-12-01T10:00:00Z")
            .endRunning()
            .endState()
            .build();
    assertEquals(
        Optional.of("pod iris-b: container server runs but is not ready yet (readiness probe)"),
        PodTrouble.describe(List.of(pod("iris-b", "False", List.of(), List.of(server)))));
  }

  @Test
  void aPullerStillRunningIsSaidSo() {
    ContainerStatus puller =
        new ContainerStatusBuilder()
            .withName("model-puller")
            .withNewState()
            .withNewRunning()
            .withStartedAt("2026-12-01T10:00:00Z")
            .endRunning()
            .endState()
            .build();
    assertEquals(
        Optional.of(
            "pod iris-d: init container model-puller still running since 2026-12-01T10:00:00Z"),
        PodTrouble.describe(List.of(pod("iris-d", "False", List.of(puller), List.of()))));
  }

  @Test
  void readyPodsAndPodsStillStartingAreNoTrouble() {
    ContainerStatus creating =
        new ContainerStatusBuilder()
            .withName("server")
            .withNewState()
            .withNewWaiting()
            .withReason("ContainerCreating")
            .endWaiting()
            .endState()
            .build();
    assertTrue(
        PodTrouble.describe(
                List.of(
                    pod("ok", "True", List.of(), List.of()),
                    pod("starting", "False", List.of(), List.of(creating))))
            .isEmpty());
  }

  @Test
  void anUnschedulablePodAndALongMessageAreShortened() {
    Pod pending =
        new PodBuilder()
            .withNewMetadata()
            .withName("iris-c")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withMessage("0/2 nodes are available: " + "x".repeat(2000))
            .endCondition()
            .endStatus()
            .build();
    String trouble = PodTrouble.describe(List.of(pending)).orElseThrow();
    assertTrue(trouble.startsWith("pod iris-c: not scheduled: 0/2 nodes are available"), trouble);
    assertTrue(trouble.length() < 400, "capped: " + trouble.length());
  }

  static Pod pod(
      String name, String ready, List<ContainerStatus> init, List<ContainerStatus> containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .endCondition()
        .withInitContainerStatuses(init)
        .withContainerStatuses(containers)
        .endStatus()
        .build();
  }
}
