package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The model the stable pods serve: state of its own, never derived from the history. */
public class ServingModel {
  @JsonPropertyDescription("Version the stable pods serve.")
  public String version;

  @JsonPropertyDescription("URI of that version.")
  public String uri;

  public ServingModel() {}

  public ServingModel(String version, String uri) {
    this.version = version;
    this.uri = uri;
  }

  /** Whether this is the model of that version and URI. */
  public boolean is(String otherVersion, String otherUri) {
    return Objects.equals(version, otherVersion) && Objects.equals(uri, otherUri);
  }
}
