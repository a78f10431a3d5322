package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A registry alias the operator moves to a version once that version serves: what a RetrainPolicy
 * with registryAlias asked for when it promoted the version.
 */
public class RegistryAliasUpdate {
  /** Where the update stands. */
  public enum State {
    Pending,
    Set
  }

  @JsonPropertyDescription("The alias, e.g. champion.")
  public String alias;

  @JsonPropertyDescription(
      "Pending (the version serves; the alias is being set, retried while the registry refuses"
          + " or is unreachable) or Set.")
  public State state;

  @JsonPropertyDescription("Why the last attempt failed, while Pending.")
  public String message;

  @JsonPropertyDescription("When the alias was set (RFC 3339).")
  public String setAt;
}
