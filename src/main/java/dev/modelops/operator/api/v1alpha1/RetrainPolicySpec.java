package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import dev.modelops.operator.support.Durations;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

@ValidationRule(
    value = "has(self.drift) || has(self.schedule)",
    message = "a RetrainPolicy needs a reason to retrain: set drift, schedule, or both")
public class RetrainPolicySpec {

  /** Forbid keeps a running Job; Replace deletes it and starts the new one. */
  public enum Concurrency {
    Forbid,
    Replace
  }

  /**
   * Automatic rolls the new model out at once; Manual waits for an approval or a commit of the
   * model.
   */
  public enum Promotion {
    Automatic,
    Manual
  }

  @Required
  @JsonPropertyDescription(
      "The ModelDeployment (same namespace) whose model this policy watches and retrains.")
  public ModelDeploymentRef modelDeploymentRef;

  @JsonPropertyDescription(
      "How drift is measured and when it counts: exactly one source, a threshold, how long"
          + " the breach must hold and how often to evaluate.")
  public DriftSpec drift;

  @Size(max = 128)
  @ValidationRule(
      value = "self.matches('^\\\\s*(\\\\S+\\\\s+){4}\\\\S+\\\\s*$') || self.startsWith('@')",
      message =
          "schedule must be a cron expression with 5 fields (minute hour day-of-month month day-of-week),"
              + " e.g. '0 3 * * 1', or a macro such as @daily")
  @JsonPropertyDescription(
      "Also retrain on a calendar: a cron expression in UTC (5 fields, e.g. '0 3 * * 1' for"
          + " Mondays at 03:00) or @hourly, @daily, @weekly, @monthly.")
  public String schedule;

  @Default(Defaults.COOLDOWN)
  @Size(max = 32)
  @ValidationRule(
      value =
          "self.matches('^([0-9]+(ms|s|m|h))+$') && duration(self) >= duration('"
              + Defaults.MIN_COOLDOWN
              + "')",
      message =
          "cooldown must be a duration of at least "
              + Defaults.MIN_COOLDOWN
              + ", such as 30m, 1h or 1h30m")
  @JsonPropertyDescription(
      "After a retrain ends, whatever its outcome, drift does not trigger another one for this"
          + " long (at least "
          + Defaults.MIN_COOLDOWN
          + "); each failure in a row doubles it, up to 24h, until a success"
          + " (status.consecutiveFailures, status.nextEligibleTime). Manual and scheduled triggers"
          + " are not held back.")
  public String cooldown;

  @Default(Defaults.CONCURRENCY)
  @JsonPropertyDescription(
      "What a trigger does while a retraining Job runs: Forbid (skip it) or Replace (delete"
          + " the running Job and start a new one).")
  public Concurrency concurrency;

  @Required
  @PreserveUnknownFields
  @JsonPropertyDescription(
      "A batch/v1 JobTemplateSpec ({metadata, spec}) for the retraining Job. The operator adds"
          + " MODEL_NAME, MODEL_VERSION, MODEL_URI, DRIFT_SCORE and TRIGGER to every container. The trainer reports"
          + " the new model as JSON in its termination message: {\"version\": \"...\", \"uri\": \"...\"}.")
  public JsonNode jobTemplate;

  @Default(Defaults.PROMOTION)
  @JsonPropertyDescription(
      "Automatic: a successful Job's model is written to the ModelDeployment, which rolls it"
          + " out with its rollout strategy. Manual: it is recorded as status.candidate until you annotate the"
          + " policy modelops.dev/approve=<version>, or until the ModelDeployment's spec.model carries its version"
          + " and URI (e.g. committed to Git).")
  public Promotion promotion;

  @Size(max = 255)
  @ValidationRule(
      value =
          "self.matches('^[-A-Za-z0-9_]+$') && !self.matches('"
              + ModelRules.RESERVED_ALIAS_BARE
              + "')",
      message =
          "registryAlias must be an MLflow alias: letters, digits, '-' and '_' (not latest or"
              + " v<number>, which MLflow reserves), e.g. champion")
  @JsonPropertyDescription(
      "For trainers that register their model (a result uri of models:/NAME/VERSION): the alias"
          + " to set on that version in the registry once the ModelDeployment serves it, i.e. after"
          + " its rollout (canary and analysis included) completed; never for a version that was"
          + " rolled back. promotion: Manual sets it the same way after the approval's rollout."
          + " Uses the ModelDeployment's spec.model.registry (endpoint and credentials). Unset: no"
          + " alias is touched.")
  public String registryAlias;

  @Default("" + Defaults.SUCCESSFUL_JOBS_HISTORY_LIMIT)
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("How many successful retraining Jobs to keep.")
  public Integer successfulJobsHistoryLimit;

  @Default("" + Defaults.FAILED_JOBS_HISTORY_LIMIT)
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("How many failed retraining Jobs to keep.")
  public Integer failedJobsHistoryLimit;

  @Default("" + Defaults.SUSPEND)
  @JsonPropertyDescription("Stop evaluating and triggering; a running Job is left to finish.")
  public Boolean suspend;

  public Duration cooldownOrDefault() {
    return Durations.atLeast(
        Durations.parse(cooldown != null ? cooldown : Defaults.COOLDOWN), Defaults.MIN_COOLDOWN);
  }

  public Concurrency concurrencyOrDefault() {
    return concurrency != null ? concurrency : Concurrency.valueOf(Defaults.CONCURRENCY);
  }

  public Promotion promotionOrDefault() {
    return promotion != null ? promotion : Promotion.valueOf(Defaults.PROMOTION);
  }

  public int successfulJobsHistoryLimitOrDefault() {
    return successfulJobsHistoryLimit != null
        ? successfulJobsHistoryLimit
        : Defaults.SUCCESSFUL_JOBS_HISTORY_LIMIT;
  }

  public int failedJobsHistoryLimitOrDefault() {
    return failedJobsHistoryLimit != null
        ? failedJobsHistoryLimit
        : Defaults.FAILED_JOBS_HISTORY_LIMIT;
  }

  public boolean suspended() {
    return suspend != null ? suspend : Defaults.SUSPEND;
  }
}
