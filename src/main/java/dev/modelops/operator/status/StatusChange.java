package dev.modelops.operator.status;

import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Status is written only when it changed; compare as JSON so that no class needs a hand-written
 * equals.
 */
public final class StatusChange {
  private StatusChange() {}

  public static boolean differs(Object before, Object after) {
    if (before == null || after == null) {
      return before != after;
    }
    var mapper = Serialization.jsonMapper();
    return !mapper.valueToTree(before).equals(mapper.valueToTree(after));
  }

  /** A deep copy through JSON, so that a computed status never aliases the cached one. */
  public static <T> T copy(T value, Class<T> type) {
    if (value == null) {
      return null;
    }
    var mapper = Serialization.jsonMapper();
    return mapper.convertValue(mapper.valueToTree(value), type);
  }
}
