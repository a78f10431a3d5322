package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import dev.modelops.operator.observability.Event;
import dev.modelops.operator.observability.Event.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure: which promote and abort requests act on the rollout that runs. A request names what it acts
 * on: {@code modelops.dev/promote=<version>} acts only on the canary of that version; {@code true}
 * acts only on a rollout that started before it was set, so a {@code true} already there when a
 * rollout starts (a leftover of the previous one) is ignored. An ignored request is kept in
 * status.rollout.ignoredRequests (so its Event is recorded once) until the operator has removed it.
 */
public final class CanaryRequests {
  /** The value that acts on whichever rollout runs, if the rollout is older than the request. */
  public static final String ANY = "true";

  static final List<String> KEYS = List.of(Keys.PROMOTE_ANNOTATION, Keys.ABORT_ANNOTATION);

  /**
   * @param ignoredRequests what rollout.ignoredRequests becomes (null when empty)
   * @param events RequestIgnored, once per request ignored
   */
  public record Read(
      boolean promote, boolean abort, Map<String, String> ignoredRequests, List<Event> events) {}

  private CanaryRequests() {}

  /**
   * The requests for a rollout that starts now: none acts yet; a {@code true} is older than the
   * rollout, and a version other than the canary's is not for it.
   */
  public static Read atStart(Map<String, String> annotations, String canaryVersion) {
    Map<String, String> ignored = new TreeMap<>();
    List<Event> events = new ArrayList<>();
    for (String key : KEYS) {
      String value = annotations == null ? null : annotations.get(key);
      if (value == null || value.equals(canaryVersion)) {
        continue;
      }
      ignored.put(key, value);
      events.add(
          ignore(
              key,
              value,
              canaryVersion,
              ANY.equals(value)
                  ? "it was set before the rollout of " + canaryVersion + " started"
                  : "it names version " + value + ", not the canary " + canaryVersion));
    }
    return new Read(false, false, ignored.isEmpty() ? null : ignored, events);
  }

  /** The requests for the rollout that runs (its stored state is not modified). */
  public static Read during(Map<String, String> annotations, RolloutStatus rollout) {
    Map<String, String> ignored = new TreeMap<>();
    List<Event> events = new ArrayList<>();
    boolean promote = false;
    boolean abort = false;
    for (String key : KEYS) {
      String value = annotations == null ? null : annotations.get(key);
      if (value == null) {
        continue;
      }
      String already = rollout.ignoredRequests == null ? null : rollout.ignoredRequests.get(key);
      if (value.equals(already)) {
        ignored.put(key, value);
      } else if (ANY.equals(value) || value.equals(rollout.canaryVersion)) {
        promote |= key.equals(Keys.PROMOTE_ANNOTATION);
        abort |= key.equals(Keys.ABORT_ANNOTATION);
      } else {
        ignored.put(key, value);
        events.add(
            ignore(
                key,
                value,
                rollout.canaryVersion,
                "it names version " + value + ", not the canary " + rollout.canaryVersion));
      }
    }
    return new Read(promote, abort, ignored.isEmpty() ? null : ignored, events);
  }

  private static Event ignore(String key, String value, String canaryVersion, String why) {
    return Event.of(
        Reason.RequestIgnored,
        key
            + "="
            + value
            + " ignored and removed: "
            + why
            + "; to act on this canary, annotate "
            + key
            + "="
            + canaryVersion);
  }
}
