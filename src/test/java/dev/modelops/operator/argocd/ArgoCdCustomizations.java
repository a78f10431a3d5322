package dev.modelops.operator.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Lua scripts of deploy/argocd/argocd-cm.yaml, read the way Argo CD reads its argocd-cm: a
 * health script per `resource.customizations.health.<group>_<Kind>` key, and under
 * `resource.customizations.actions.<group>_<Kind>` a YAML document with `discovery.lua` and
 * `definitions` (name, action.lua). So the tested Lua is the shipped Lua.
 */
final class ArgoCdCustomizations {
  static final String GROUP = "modelops.dev";
  private static final YAMLMapper YAML = new YAMLMapper();

  private final JsonNode data;

  private ArgoCdCustomizations(JsonNode data) {
    this.data = data;
  }

  static ArgoCdCustomizations load(Path configMap) throws IOException {
    JsonNode cm = YAML.readTree(configMap.toFile());
    if (!"ConfigMap".equals(cm.path("kind").asText())
        || !"argocd-cm".equals(cm.path("metadata").path("name").asText())) {
      throw new IllegalStateException(configMap + " is not the argocd-cm ConfigMap");
    }
    return new ArgoCdCustomizations(cm.path("data"));
  }

  String health(String kind) {
    return text("resource.customizations.health." + GROUP + "_" + kind);
  }

  String discovery(String kind) throws IOException {
    return required(actions(kind).path("discovery.lua"), kind + " discovery.lua");
  }

  String action(String kind, String name) throws IOException {
    for (JsonNode definition : actions(kind).path("definitions")) {
      if (name.equals(definition.path("name").asText())) {
        return required(definition.path("action.lua"), kind + " action " + name);
      }
    }
    throw new IllegalArgumentException("no action " + name + " for " + kind);
  }

  List<String> actionNames(String kind) throws IOException {
    List<String> names = new ArrayList<>();
    actions(kind)
        .path("definitions")
        .forEach(definition -> names.add(definition.path("name").asText()));
    return names;
  }

  /**
   * Argo CD parses the value of an actions key as YAML (ResourceActions: discovery.lua,
   * definitions).
   */
  JsonNode actions(String kind) throws IOException {
    return YAML.readTree(text("resource.customizations.actions." + GROUP + "_" + kind));
  }

  private String text(String key) {
    return required(data.path(key), "data key " + key);
  }

  private static String required(JsonNode node, String what) {
    if (!node.isTextual() || node.asText().isBlank()) {
      throw new IllegalStateException("argocd-cm.yaml has no " + what);
    }
    return node.asText();
  }
}
