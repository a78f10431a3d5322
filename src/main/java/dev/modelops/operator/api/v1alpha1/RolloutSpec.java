package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@ValidationRule(
    value = "self.strategy != 'Canary' || (has(self.steps) && size(self.steps) > 0)",
    message = "a Canary rollout needs at least one step")
@ValidationRule(
    value =
        "!has(self.steps) || self.steps.filter(s, has(s.setWeight)).map(s, s.setWeight).isSorted()",
    message = "canary setWeight steps must not decrease (e.g. 10, 50, 100)")
@ValidationRule(
    value = "!has(self.steps) || !self.steps.exists(s, has(s.analysis)) || has(self.analysis)",
    message = "an analysis step needs rollout.analysis (the queries it runs)")
public class RolloutSpec {

  /** How pods move to a new model version. */
  public enum Strategy {
    RollingUpdate,
    Canary
  }

  @Default(Defaults.STRATEGY)
  @JsonPropertyDescription(
      "RollingUpdate replaces pods one batch at a time and never takes a ready pod away"
          + " before its replacement is ready (maxUnavailable 0). Canary runs the new version beside the stable"
          + " one through `steps`, checks it with `analysis`, then promotes it or rolls it back.")
  public Strategy strategy;

  @Default("" + Defaults.PROGRESS_DEADLINE_SECONDS)
  @Min(10)
  @Max(86400)
  @JsonPropertyDescription(
      "Seconds a rollout may go without progress (e.g. pods that never get ready) before"
          + " the ModelDeployment is marked Degraded; a canary whose pods are not ready this long"
          + " after its setWeight step began is rolled back (ProgressDeadlineExceeded). The pods"
          + " already serving keep serving.")
  public Integer progressDeadlineSeconds;

  @Default("" + Defaults.SURGE)
  @JsonPropertyDescription(
      "Canary only. true: canary pods are added beside the stable ones. false: each canary"
          + " pod replaces a stable pod, for models whose capacity (e.g. GPUs) cannot double.")
  public Boolean surge;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Canary only: the steps, in order. The Service spans stable and canary pods, so"
          + " traffic splits by pod count: setWeight 10 with 4 replicas gives 1 canary pod.")
  public List<CanaryStep> steps;

  @JsonPropertyDescription("Canary only: the Prometheus queries that an analysis step runs.")
  public AnalysisSpec analysis;

  public Strategy strategyOrDefault() {
    return strategy != null ? strategy : Strategy.valueOf(Defaults.STRATEGY);
  }

  public int progressDeadlineSecondsOrDefault() {
    return progressDeadlineSeconds != null
        ? progressDeadlineSeconds
        : Defaults.PROGRESS_DEADLINE_SECONDS;
  }

  public boolean surgeOrDefault() {
    return surge != null ? surge : Defaults.SURGE;
  }
}
