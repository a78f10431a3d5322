package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import java.util.Optional;

/**
 * What one retrain answers, written on its Job (annotation modelops.dev/trigger-id) so that a
 * trigger is never answered twice: a manual request's annotation value, a schedule slot, or the
 * start of a drift breach.
 */
public record TriggerId(Trigger trigger, String value) {

  public static TriggerId manual(String requestValue) {
    return new TriggerId(Trigger.manual, requestValue);
  }

  public static TriggerId schedule(String slot) {
    return new TriggerId(Trigger.schedule, slot);
  }

  public static TriggerId drift(String breachStartedAt) {
    return new TriggerId(Trigger.drift, breachStartedAt);
  }

  /** The annotation's value; empty when it is missing or not one of ours (never throws). */
  public static Optional<TriggerId> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String kind = text.substring(0, colon);
    for (Trigger trigger : Trigger.values()) {
      if (trigger.name().equals(kind)) {
        return Optional.of(new TriggerId(trigger, text.substring(colon + 1)));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return trigger.name() + ":" + value;
  }
}
