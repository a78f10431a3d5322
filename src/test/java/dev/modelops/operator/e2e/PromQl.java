package dev.modelops.operator.e2e;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough PromQL to list the metric names an expression reads (for checking dashboards). */
final class PromQl {
  private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern STRINGS = Pattern.compile("\"[^\"]*\"");
  private static final Pattern IDENTIFIER =
      Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "offset",
          "bool",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan");

  private PromQl() {}

  static Set<String> metricNames(String expression) {
    String stripped = expression;
    // label_values(metric, label) in dashboard variables: the second argument is a label.
    stripped =
        stripped.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
    for (Pattern noise : new Pattern[] {STRINGS, LABEL_MATCHERS, RANGES, GROUPING}) {
      stripped = noise.matcher(stripped).replaceAll(" ");
    }
    Set<String> names = new TreeSet<>();
    Matcher matcher = IDENTIFIER.matcher(stripped);
    while (matcher.find()) {
      boolean isFunction = matcher.group(2) != null;
      String name = matcher.group(1);
      if (!isFunction
          && !KEYWORDS.contains(name.toLowerCase())
          && !Character.isDigit(name.charAt(0))) {
        names.add(name);
      }
    }
    return names;
  }
}
