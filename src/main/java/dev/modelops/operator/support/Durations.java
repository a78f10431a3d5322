package dev.modelops.operator.support;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as the CRDs accept them: 500ms, 30s, 10m, 1h30m. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("^([0-9]+(ms|s|m|h))+$");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("not a duration: " + text + " (use e.g. 30s, 10m, 1h30m)");
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    return total;
  }

  public static Duration parseOr(String text, Duration fallback) {
    return text == null ? fallback : parse(text);
  }
}
