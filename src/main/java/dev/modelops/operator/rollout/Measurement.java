package dev.modelops.operator.rollout;

/**
 * Pure: one query's value (or why there is none) judged against its success condition and
 * inconclusive range.
 */
public record Measurement(String query, Double value, String error, Verdict verdict) {

  public enum Verdict {
    Success,
    Failure,
    Inconclusive
  }

  public static Measurement of(
      String query,
      double value,
      SuccessCondition condition,
      Double inconclusiveMin,
      Double inconclusiveMax) {
    Verdict verdict;
    if (Double.isNaN(value)) {
      verdict = Verdict.Failure;
    } else if (inconclusiveMin != null && value >= inconclusiveMin && value <= inconclusiveMax) {
      verdict = Verdict.Inconclusive;
    } else {
      verdict = condition.test(value) ? Verdict.Success : Verdict.Failure;
    }
    return new Measurement(query, value, null, verdict);
  }

  /**
   * A query that could not be measured counts as a failure: an unobservable canary is not a good
   * one.
   */
  public static Measurement unmeasurable(String query, String error) {
    return new Measurement(query, null, error, Verdict.Failure);
  }

  @Override
  public String toString() {
    return query
        + "="
        + (value != null ? String.valueOf(value) : "error(" + error + ")")
        + " "
        + verdict;
  }
}
