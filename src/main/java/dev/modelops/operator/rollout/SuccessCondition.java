package dev.modelops.operator.rollout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure: a comparison such as "< 0.05" applied to a measured value. */
public record SuccessCondition(String operator, double bound) {
  private static final Pattern FORM =
      Pattern.compile("^\\s*(<=|>=|==|!=|<|>)\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE]-?[0-9]+)?)\\s*$");

  public static SuccessCondition parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a comparison with a number: " + text);
    }
    return new SuccessCondition(m.group(1), Double.parseDouble(m.group(2)));
  }

  public boolean test(double value) {
    return switch (operator) {
      case "<" -> value < bound;
      case "<=" -> value <= bound;
      case ">" -> value > bound;
      case ">=" -> value >= bound;
      case "==" -> value == bound;
      default -> value != bound;
    };
  }

  @Override
  public String toString() {
    return operator + " " + bound;
  }
}
