package dev.modelops.operator.support;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go-style durations as the CRDs accept them: 500ms, 30s, 10m, 1h30m. Parsing cannot overflow:
 * anything longer than {@link #LONGEST} counts as {@link #LONGEST}, which no timer in the operator
 * comes near.
 */
public final class Durations {
  /** Ten years: the longest duration the operator distinguishes. */
  public static final Duration LONGEST = Duration.ofDays(3650);

  private static final Pattern WHOLE = Pattern.compile("^([0-9]+(ms|s|m|h))+$");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException when the text is not a duration (the CRDs' patterns keep such
   *     text out of admitted objects)
   */
  public static Duration parse(String text) {
    if (text == null || text.length() > 64 || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("not a duration: " + text + " (use e.g. 30s, 10m, 1h30m)");
    }
    long millis = 0;
    long longest = LONGEST.toMillis();
    Matcher part = PART.matcher(text);
    while (part.find()) {
      String digits = part.group(1).replaceFirst("^0+(?=.)", "");
      if (digits.length() > 15) {
        return LONGEST;
      }
      long n = Long.parseLong(digits);
      long unit =
          switch (part.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
          };
      if (n > longest / unit) {
        return LONGEST;
      }
      millis += n * unit;
      if (millis > longest) {
        return LONGEST;
      }
    }
    return Duration.ofMillis(millis);
  }

  /** {@code value}, or {@code floor} (a duration text) when the value is shorter. */
  public static Duration atLeast(Duration value, String floor) {
    Duration min = parse(floor);
    return value.compareTo(min) < 0 ? min : value;
  }

  public static Duration parseOr(String text, Duration fallback) {
    return text == null ? fallback : parse(text);
  }

  /** The shortest text {@link #parse} reads back as this duration (whole milliseconds): 1h30m. */
  public static String format(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis == 0) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    long[] units = {3_600_000, 60_000, 1_000, 1};
    String[] names = {"h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (millis >= units[i]) {
        text.append(millis / units[i]).append(names[i]);
        millis %= units[i];
      }
    }
    return text.toString();
  }
}
