package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Pure: what a retraining Job (and its pods) says, in the terms the policy needs. */
public record RetrainJobView(
    String name,
    long sequence,
    Trigger trigger,
    String triggerId,
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

  public static final String TRIGGER_ID_ANNOTATION = "modelops.dev/trigger-id";

  public boolean finished() {
    return state != State.Running;
  }

  public static RetrainJobView of(Job job, Collection<Pod> podsOfPolicy) {
    var annotations = job.getMetadata().getAnnotations();
    long sequence =
        Long.parseLong(annotations.getOrDefault(RetrainJobFactory.SEQUENCE_ANNOTATION, "0"));
    Trigger trigger =
        Trigger.valueOf(
            job.getMetadata().getLabels().getOrDefault(RetrainJobFactory.TRIGGER_LABEL, "manual"));
    String scoreText = annotations.get(RetrainJobFactory.SCORE_ANNOTATION);
    Double score = scoreText == null ? null : Double.valueOf(scoreText);
    Optional<JobCondition> complete = condition(job, "Complete");
    Optional<JobCondition> failed = condition(job, "Failed");
    State state =
        complete.isPresent() ? State.Succeeded : failed.isPresent() ? State.Failed : State.Running;
    Instant finishedAt =
        complete
            .or(() -> failed)
            .map(JobCondition::getLastTransitionTime)
            .map(Instant::parse)
            .orElse(null);
    String failure = failed.map(c -> c.getReason() + ": " + c.getMessage()).orElse(null);
    return new RetrainJobView(
        job.getMetadata().getName(),
        sequence,
        trigger,
        annotations.get(TRIGGER_ID_ANNOTATION),
        score,
        state,
        finishedAt,
        state == State.Succeeded
            ? terminationMessage(job.getMetadata().getName(), podsOfPolicy)
            : null,
        failure);
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    return job.getStatus() == null || job.getStatus().getConditions() == null
        ? Optional.empty()
        : job.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst();
  }

  /**
   * The message of the newest succeeded pod of the Job, where the kubelet copies
   * /dev/termination-log.
   */
  static String terminationMessage(String jobName, Collection<Pod> pods) {
    return pods.stream()
        .filter(
            p ->
                jobName.equals(p.getMetadata().getLabels().get("job-name"))
                    || jobName.equals(
                        p.getMetadata().getLabels().get("batch.kubernetes.io/job-name")))
        .filter(p -> "Succeeded".equals(p.getStatus().getPhase()))
        .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
        .flatMap(
            p ->
                p.getStatus().getContainerStatuses().stream()
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
