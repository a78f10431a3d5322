package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Where a canary rollout stands; kept in status so a restarted operator resumes it exactly. */
public class RolloutStatus {
  @JsonPropertyDescription("Version under test.")
  public String canaryVersion;

  @JsonPropertyDescription("URI of the version under test.")
  public String canaryUri;

  @JsonPropertyDescription("Version the stable pods keep serving meanwhile.")
  public String stableVersion;

  @JsonPropertyDescription("URI of the stable version.")
  public String stableUri;

  @JsonPropertyDescription("When the rollout started.")
  public String startedAt;

  @JsonPropertyDescription("Index of the current step in spec.rollout.steps (0-based).")
  public Integer stepIndex;

  @JsonPropertyDescription("When the current step started.")
  public String stepStartedAt;

  @JsonPropertyDescription("Percentage of the serving pods that run the canary.")
  public Integer weight;

  @JsonPropertyDescription(
      "Set while the rollout waits for a person (an indefinite pause or inconclusive analysis).")
  public String pausedReason;

  @JsonPropertyDescription("Measurements of the current analysis step.")
  public AnalysisStatus analysis;

  @JsonPropertyDescription(
      "Promote and abort requests (annotation -> value) that this rollout ignores: a value naming"
          + " another version, or `true` set before the rollout started. The operator removes them.")
  public Map<String, String> ignoredRequests;

  /** Counters and recent results of one analysis step. */
  public static class AnalysisStatus {
    @JsonPropertyDescription("Successful measurements.")
    public Integer successes = 0;

    @JsonPropertyDescription("Failed measurements (including unmeasurable ones).")
    public Integer failures = 0;

    @JsonPropertyDescription("Inconclusive measurements.")
    public Integer inconclusive = 0;

    @JsonPropertyDescription("When the last measurement was taken.")
    public String lastMeasuredAt;

    @JsonPropertyDescription("The latest measurements, newest first (at most 10).")
    public List<String> results = new ArrayList<>();
  }
}
