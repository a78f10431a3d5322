package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class RetrainPolicyStatus {

  /** A one-word summary for `kubectl get rtp`. */
  public enum Phase {
    Watching,
    Drifting,
    Retraining,
    AwaitingApproval,
    Suspended,
    Degraded
  }

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "DriftDetected, Retraining and SourceAvailable, in the metav1.Condition shape.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "Watching, Drifting, Retraining, AwaitingApproval, Suspended or Degraded.")
  public Phase phase;

  @JsonPropertyDescription("The latest drift score (rounded to 4 decimals).")
  public Double score;

  @JsonPropertyDescription("The latest score of each feature, for a distribution source.")
  public Map<String, Double> features;

  @JsonPropertyDescription(
      "When the reported score last changed. The score is measured every evaluationInterval;"
          + " status is written only when what it reports changes.")
  public String lastEvaluationTime;

  @JsonPropertyDescription(
      "Since when the score has been above the threshold (unset while it is not).")
  public String breachStartedAt;

  @JsonPropertyDescription("The retraining Job that is running, if any.")
  public String activeJob;

  @JsonPropertyDescription("When the last retraining Job was created.")
  public String lastRetrainTime;

  @JsonPropertyDescription(
      "When the last retrain ended, whatever its outcome (succeeded, failed, unreadable result,"
          + " Job deleted, promotion rejected); the cooldown counts from here.")
  public String lastRetrainFinishedTime;

  @JsonPropertyDescription(
      "Retrains that failed in a row (reset by a success). Each one doubles the cooldown"
          + " drift waits for: cooldown x 2^(consecutiveFailures-1), at most 24h (or the cooldown"
          + " when it is longer).")
  public Integer consecutiveFailures;

  @JsonPropertyDescription(
      "When drift may trigger the next retrain (RFC 3339): lastRetrainFinishedTime plus the"
          + " cooldown in force. A schedule slot and modelops.dev/retrain-now do not wait for it.")
  public String nextEligibleTime;

  @JsonPropertyDescription(
      "The last schedule slot that triggered (or was skipped), so that a restart does not repeat it.")
  public String lastScheduleTime;

  @JsonPropertyDescription("How many retrains this policy has triggered; names the next Job.")
  public Long retrainCount;

  @JsonPropertyDescription("A trained model waiting for approval (promotion: Manual).")
  public RetrainCandidate candidate;

  @JsonPropertyDescription("The last retrains, newest first (at most 10).")
  public List<RetrainRecord> history = new ArrayList<>();
}
