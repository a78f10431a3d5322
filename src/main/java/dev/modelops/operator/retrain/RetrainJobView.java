package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: what a retraining Job (and its pods) says, in the terms the policy needs. Its labels and
 * annotations are read without ever throwing: a Job someone edited is still shown, with what could
 * be read.
 */
public record RetrainJobView(
    String name,
    long sequence,
    Trigger trigger,
    Optional<TriggerId> triggerId,
    Double score,
    State state,
    Instant finishedAt,
    String terminationMessage,
    String failure) {

  public enum State {
    Running,
    Succeeded,
    Failed
  }

  public static final String TRIGGER_ID_ANNOTATION = Keys.TRIGGER_ID_ANNOTATION;

  public boolean finished() {
    return state != State.Running;
  }

  public static RetrainJobView of(Job job, Collection<Pod> podsOfPolicy) {
    Map<String, String> annotations =
        job.getMetadata().getAnnotations() == null ? Map.of() : job.getMetadata().getAnnotations();
    Optional<JobCondition> complete = condition(job, "Complete");
    Optional<JobCondition> failed = condition(job, "Failed");
    State state =
        complete.isPresent() ? State.Succeeded : failed.isPresent() ? State.Failed : State.Running;
    Instant finishedAt =
        complete
            .or(() -> failed)
            .map(JobCondition::getLastTransitionTime)
            .flatMap(RetrainJobView::instant)
            .orElse(null);
    String failure = failed.map(c -> c.getReason() + ": " + c.getMessage()).orElse(null);
    return new RetrainJobView(
        job.getMetadata().getName(),
        number(annotations.get(Keys.SEQUENCE_ANNOTATION)).map(Double::longValue).orElse(0L),
        trigger(Keys.label(job, Keys.TRIGGER_LABEL)),
        TriggerId.parse(annotations.get(Keys.TRIGGER_ID_ANNOTATION)),
        number(annotations.get(Keys.SCORE_ANNOTATION)).orElse(null),
        state,
        finishedAt,
        state == State.Succeeded ? terminationMessage(job, podsOfPolicy) : null,
        failure);
  }

  private static boolean controlledBy(Pod pod, String uid) {
    return uid != null
        && pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid()));
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    return job.getStatus() == null || job.getStatus().getConditions() == null
        ? Optional.empty()
        : job.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst();
  }

  private static Trigger trigger(String label) {
    for (Trigger trigger : Trigger.values()) {
      if (trigger.name().equals(label)) {
        return trigger;
      }
    }
    return Trigger.manual;
  }

  private static Optional<Double> number(String text) {
    try {
      double value = Double.parseDouble(text);
      return Double.isFinite(value) ? Optional.of(value) : Optional.empty();
    } catch (NullPointerException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The message of the newest succeeded pod of the Job, where the kubelet copies
   * /dev/termination-log. Only a pod the Job controls (its UID as controller owner) counts: a pod
   * someone labelled like it cannot hand the policy a model.
   */
  static String terminationMessage(Job job, Collection<Pod> pods) {
    String jobName = job.getMetadata().getName();
    String jobUid = job.getMetadata().getUid();
    return pods.stream()
        .filter(
            p ->
                jobName.equals(Keys.label(p, Keys.LEGACY_JOB_NAME_LABEL))
                    || jobName.equals(Keys.label(p, Keys.JOB_NAME_LABEL)))
        .filter(p -> controlledBy(p, jobUid))
        .filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()))
        .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
        .flatMap(
            p ->
                Optional.ofNullable(p.getStatus().getContainerStatuses()).stream()
                    .flatMap(Collection::stream)
                    .map(ContainerStatus::getState)
                    .filter(
                        s ->
                            s != null
                                && s.getTerminated() != null
                                && s.getTerminated().getMessage() != null
                                && !s.getTerminated().getMessage().isBlank())
                    .map(s -> s.getTerminated().getMessage())
                    .findFirst())
        .orElse(null);
  }
}
