package dev.modelops.operator.retrain;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/** Pure: the cron slots of a policy's schedule (UTC), parsed once per call. */
public final class RetrainSchedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final Map<String, String> MACROS =
      Map.of(
          "@hourly",
          "0 * * * *",
          "@daily",
          "0 0 * * *",
          "@midnight",
          "0 0 * * *",
          "@weekly",
          "0 0 * * 0",
          "@monthly",
          "0 0 1 * *",
          "@yearly",
          "0 0 1 1 *",
          "@annually",
          "0 0 1 1 *");

  private final ExecutionTime execution;

  private RetrainSchedule(ExecutionTime execution) {
    this.execution = execution;
  }

  /**
   * @throws IllegalArgumentException with a message for the ScheduleInvalid condition
   */
  public static RetrainSchedule parse(String expression) {
    String cron = MACROS.getOrDefault(expression.strip(), expression.strip());
    try {
      return new RetrainSchedule(ExecutionTime.forCron(PARSER.parse(cron)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "schedule '" + expression + "' is not a valid cron expression: " + e.getMessage());
    }
  }

  /**
   * The latest slot in (after, now], if any: the one slot to act on now (missed older slots are not
   * replayed).
   */
  public Optional<Instant> dueSlot(Instant after, Instant now) {
    return execution
        .lastExecution(utc(now).plusSeconds(1))
        .map(ZonedDateTime::toInstant)
        .filter(slot -> slot.isAfter(after) && !slot.isAfter(now));
  }

  public Optional<Instant> nextSlot(Instant now) {
    return execution.nextExecution(utc(now)).map(ZonedDateTime::toInstant);
  }

  private static ZonedDateTime utc(Instant instant) {
    return instant.atZone(ZoneOffset.UTC);
  }
}
