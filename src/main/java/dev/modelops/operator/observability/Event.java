package dev.modelops.operator.observability;

/** A Kubernetes Event to record about a resource; reasons are stable CamelCase words. */
public record Event(Type type, String reason, String message) {
  public enum Type {
    Normal,
    Warning
  }

  public static Event normal(String reason, String message) {
    return new Event(Type.Normal, reason, message);
  }

  public static Event warning(String reason, String message) {
    return new Event(Type.Warning, reason, message);
  }
}
