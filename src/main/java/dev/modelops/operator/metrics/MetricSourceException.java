package dev.modelops.operator.metrics;

/**
 * A metric source could not give a usable answer (unreachable, timed out, HTTP error, unparseable
 * body). The reason is a CamelCase word for the SourceAvailable condition; the message never
 * contains credentials.
 */
public class MetricSourceException extends Exception {
  private final String reason;

  public MetricSourceException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
