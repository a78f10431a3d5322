package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;

/**
 * Where a promoted model came from. The RetrainPolicy writes it as an annotation next to the new
 * version; the ModelDeployment's history entry for that version copies it, so any served model can
 * be traced back.
 *
 * @param registryAlias for a registry model (models:/NAME/VERSION): the alias to move to it once it
 *     serves (the policy's registryAlias), or null
 */
public record ModelLineage(
    String version,
    String uri,
    String policy,
    String job,
    String trigger,
    Double driftScore,
    String promotedAt,
    String registryAlias) {
  public static final String ANNOTATION = Keys.PROMOTED_BY_ANNOTATION;
  private static final ObjectMapper JSON = new ObjectMapper();

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The lineage of the given version, if the annotation describes that version (and is readable).
   */
  public static Optional<ModelLineage> of(ModelDeployment md, String version) {
    Map<String, String> annotations = md.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(ANNOTATION);
    if (json == null || version == null) {
      return Optional.empty();
    }
    try {
      ModelLineage lineage = JSON.readValue(json, ModelLineage.class);
      return version.equals(lineage.version()) ? Optional.of(lineage) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
