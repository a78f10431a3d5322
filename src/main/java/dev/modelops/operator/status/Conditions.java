package dev.modelops.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** metav1.Condition helpers: lastTransitionTime moves only when the status flips. */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";

  private Conditions() {}

  /** The longest condition message kept: status stays far below etcd's object size limit. */
  public static final int MAX_MESSAGE = 1024;

  public static Condition of(
      String type, boolean status, String reason, String message, Long generation, Instant now) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? TRUE : FALSE)
        .withReason(reason)
        .withMessage(cap(message, MAX_MESSAGE))
        .withObservedGeneration(generation)
        .withLastTransitionTime(timestamp(now))
        .build();
  }

  /** A copy of {@code existing} with {@code update} in place of the condition of its type. */
  public static List<Condition> put(List<Condition> existing, Condition update) {
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition current : existing == null ? List.<Condition>of() : existing) {
      if (current.getType().equals(update.getType())) {
        Condition merged = new ConditionBuilder(update).build();
        if (Objects.equals(current.getStatus(), update.getStatus())) {
          merged.setLastTransitionTime(current.getLastTransitionTime());
        }
        result.add(merged);
        replaced = true;
      } else {
        result.add(current);
      }
    }
    if (!replaced) {
      result.add(update);
    }
    return result;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  public static Optional<String> reason(List<Condition> conditions, String type) {
    return find(conditions, type).map(Condition::getReason);
  }

  /** At most {@code max} characters, with an ellipsis when cut. */
  public static String cap(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return text.substring(0, max - 1) + "…";
  }

  /** RFC 3339 with second precision, as the API server writes it. */
  public static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
