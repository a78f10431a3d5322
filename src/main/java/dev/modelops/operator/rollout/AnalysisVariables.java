package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RolloutStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pure: the variables an analysis query may name, so that one query judges whichever version is the
 * canary now: {@code {{namespace}}}, {@code {{name}}} (the ModelDeployment), {@code
 * {{canaryVersion}}} and {@code {{stableVersion}}}. Without them a query over a window (rate over
 * 1m) also reads the pods of the canary before, rolled back a moment ago. Values are the
 * ModelDeployment's own (names and versions that admission checked); other text is left alone.
 */
public final class AnalysisVariables {
  private AnalysisVariables() {}

  public static Map<String, String> of(ModelDeployment md) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("namespace", md.getMetadata().getNamespace());
    values.put("name", md.getMetadata().getName());
    RolloutStatus rollout = md.getStatus() == null ? null : md.getStatus().rollout;
    values.put(
        "canaryVersion", rollout != null ? rollout.canaryVersion : md.getSpec().model.version);
    if (rollout != null && rollout.stableVersion != null) {
      values.put("stableVersion", rollout.stableVersion);
    }
    return values;
  }

  public static String render(String query, Map<String, String> values) {
    String rendered = query;
    for (var variable : values.entrySet()) {
      rendered = rendered.replace("{{" + variable.getKey() + "}}", variable.getValue());
    }
    return rendered;
  }
}
