package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A registry reference pinned to what the registry said: an immutable registered version and the
 * storage location of its files. The serving pods only ever see {@link #storageUri}.
 */
public class RegistryModel {
  @JsonPropertyDescription("The declared registry that was asked (spec.model.registry.endpoint).")
  public String endpoint;

  @JsonPropertyDescription("Registered model name.")
  public String name;

  @JsonPropertyDescription("The alias that was resolved, when spec.model.uri names one.")
  public String alias;

  @JsonPropertyDescription("The registered version: what the pods are labelled and rolled out by.")
  public String version;

  @JsonPropertyDescription(
      "models:/NAME/VERSION: the immutable reference of this version. Going back to it is one edit"
          + " of spec.model.uri.")
  public String modelUri;

  @JsonPropertyDescription(
      "Where the version's files are (the registry's download URI): what the model puller fetches.")
  public String storageUri;

  @JsonPropertyDescription("The MLflow run that produced the version, when the registry names one.")
  public String runId;

  @JsonPropertyDescription(
      "The version's page in the registry's UI, when the administrator declared a UI address.")
  public String link;

  @JsonPropertyDescription("When the reference was first resolved to this version (RFC 3339).")
  public String resolvedAt;
}
