package dev.modelops.operator.observability;

/**
 * A Kubernetes Event to record about a resource. The reason fixes the type (Normal or Warning) and,
 * for a retrain that ended, the outcome counted in modelops_retrain_outcomes_total.
 */
public record Event(Reason code, String message) {
  public enum Type {
    Normal,
    Warning
  }

  /** Every Event reason the operator records, a stable CamelCase word each. */
  public enum Reason {
    // ModelDeployment
    RolloutStarted(Type.Normal),
    RolloutComplete(Type.Normal),
    RolloutFailed(Type.Warning),
    ReplicaFailure(Type.Warning),
    CanaryStarted(Type.Normal),
    CanaryStep(Type.Normal),
    CanaryPaused(Type.Normal),
    CanaryPromoted(Type.Normal),
    RolledBack(Type.Warning),
    ServingModelUnknown(Type.Warning),
    ServingModelRecovered(Type.Warning),
    NameConflict(Type.Warning),
    RequestIgnored(Type.Warning),
    // ModelDeployment with a registry reference (models:/...): resolution and alias updates
    ModelResolved(Type.Normal),
    RegistryNotDeclared(Type.Warning),
    CredentialsNotUsable(Type.Warning),
    RegistryUnreachable(Type.Warning),
    RegistryAccessDenied(Type.Warning),
    InvalidRegistryResponse(Type.Warning),
    ModelNotFound(Type.Warning),
    ModelVersionNotFound(Type.Warning),
    AliasNotFound(Type.Warning),
    ModelVersionNotReady(Type.Warning),
    UnsupportedStorageUri(Type.Warning),
    RegistryAliasSet(Type.Normal),
    RegistryAliasFailed(Type.Warning),
    // RetrainPolicy
    RetrainTriggered(Type.Normal),
    RetrainSkipped(Type.Normal),
    RetrainAdopted(Type.Normal),
    RetrainSucceeded(Type.Normal, "succeeded"),
    RetrainFailed(Type.Warning, "failed"),
    UnreadableResult(Type.Warning, "failed"),
    Promoted(Type.Normal),
    PromotionRejected(Type.Warning),
    AwaitingApproval(Type.Normal),
    ApprovalIgnored(Type.Warning),
    CandidateDeployed(Type.Normal),
    ModelRolledBack(Type.Warning),
    TargetNotFound(Type.Warning),
    InvalidJobTemplate(Type.Warning),
    InvalidSchedule(Type.Warning),
    UnsafeJobTemplate(Type.Warning),
    JobNameTaken(Type.Warning),
    // Either kind: a Secret or ServiceAccount that did not opt in
    ReferenceNotAllowed(Type.Warning),
    // Either kind: the API server refused what the operator sent
    PermissionDenied(Type.Warning),
    RejectedByApiServer(Type.Warning);

    private final Type type;
    private final String retrainOutcome;

    Reason(Type type) {
      this(type, null);
    }

    Reason(Type type, String retrainOutcome) {
      this.type = type;
      this.retrainOutcome = retrainOutcome;
    }

    public Type type() {
      return type;
    }

    /** succeeded or failed for a reason that ends a retrain; null otherwise. */
    public String retrainOutcome() {
      return retrainOutcome;
    }
  }

  public static Event of(Reason reason, String message) {
    return new Event(reason, message);
  }

  public Type type() {
    return code.type();
  }

  /** The reason as Kubernetes shows it. */
  public String reason() {
    return code.name();
  }
}
