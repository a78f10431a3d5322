package dev.modelops.operator.status;

import dev.modelops.operator.observability.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * An error that a retry will not fix by itself: the API server refused (403) or rejected (422, 400)
 * what the operator sent. It becomes a Degraded condition and a Warning Event; JOSDK still retries
 * with backoff, so fixing RBAC or the input heals the resource without a restart.
 */
public record PermanentError(Event.Reason code, String message) {

  /** Raised by the operator's own code for a problem that only a person can fix. */
  public static class Raised extends RuntimeException {
    private final Event.Reason reason;

    public Raised(Event.Reason reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  /** The reason as conditions and Events show it. */
  public String reason() {
    return code.name();
  }

  public static Optional<PermanentError> classify(Throwable error) {
    Deque<Throwable> pending = new ArrayDeque<>();
    pending.add(error);
    while (!pending.isEmpty()) {
      Throwable current = pending.poll();
      if (current instanceof AggregatedOperatorException aggregated) {
        pending.addAll(aggregated.getAggregatedExceptions().values());
      }
      if (current instanceof Raised raised) {
        return Optional.of(new PermanentError(raised.reason, raised.getMessage()));
      }
      if (current instanceof KubernetesClientException k8s) {
        Optional<PermanentError> known = fromStatusCode(k8s);
        if (known.isPresent()) {
          return known;
        }
      }
      if (current.getCause() != null && current.getCause() != current) {
        pending.add(current.getCause());
      }
    }
    return Optional.empty();
  }

  private static Optional<PermanentError> fromStatusCode(KubernetesClientException e) {
    String detail =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return switch (e.getCode()) {
      case 403 ->
          Optional.of(
              new PermanentError(
                  Event.Reason.PermissionDenied,
                  "the operator's RBAC role does not allow this: " + detail));
      case 400, 422 ->
          Optional.of(
              new PermanentError(
                  Event.Reason.RejectedByApiServer,
                  "the API server rejected a child object: " + detail));
      default -> Optional.empty();
    };
  }
}
