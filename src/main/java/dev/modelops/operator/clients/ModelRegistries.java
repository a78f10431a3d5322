package dev.modelops.operator.clients;

import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.observability.Event.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model registries the administrator declared (modelops.model-registries, NAME=URL pairs, and
 * optionally their UI addresses in modelops.model-registry-links). They are the only addresses the
 * operator resolves a registry reference through: a tenant names one, so no ModelDeployment can
 * make the operator call an address of its choosing.
 */
@ApplicationScoped
public class ModelRegistries {
  static final String OPTION = "modelops.model-registries";
  static final String LINKS_OPTION = "modelops.model-registry-links";

  /**
   * A declared registry: its name, REST base URL (no trailing slash) and, when declared, the base
   * of its UI.
   */
  public record Registry(String name, URI base, Optional<URI> ui) {
    /** How messages name it: never more than its name, which the administrator chose. */
    public String describe() {
      return "model registry " + name;
    }
  }

  /** The registry a ModelDeployment may use, or why there is none. */
  public record Choice(Optional<Registry> registry, RegistryProblem problem) {}

  private final Map<String, Registry> byName;

  @Inject
  public ModelRegistries(OperatorSettings settings) {
    this(
        settings.modelRegistries().orElse(List.of()),
        settings.modelRegistryLinks().orElse(List.of()));
  }

  /**
   * @throws IllegalArgumentException naming the entry an administrator must fix
   */
  public ModelRegistries(List<String> declarations, List<String> links) {
    Map<String, URI> bases = DeclaredEndpoints.parse(OPTION, declarations);
    Map<String, URI> uis = DeclaredEndpoints.parse(LINKS_OPTION, links);
    for (String name : uis.keySet()) {
      if (!bases.containsKey(name)) {
        throw new IllegalArgumentException(
            LINKS_OPTION + ": " + name + " is not a registry declared in " + OPTION);
      }
    }
    Map<String, Registry> registries = new LinkedHashMap<>();
    bases.forEach(
        (name, base) ->
            registries.put(name, new Registry(name, base, Optional.ofNullable(uis.get(name)))));
    this.byName = Map.copyOf(registries);
  }

  public boolean any() {
    return !byName.isEmpty();
  }

  /**
   * The registry a spec names (spec.model.registry.endpoint), or the only one declared when it
   * names none.
   */
  public Choice choose(String endpoint) {
    if (endpoint != null) {
      Registry registry = byName.get(endpoint);
      return registry != null
          ? new Choice(Optional.of(registry), null)
          : notDeclared(
              "spec.model.registry.endpoint "
                  + endpoint
                  + " is not a model registry the administrator declared"
                  + declared());
    }
    if (byName.size() == 1) {
      return new Choice(Optional.of(byName.values().iterator().next()), null);
    }
    return notDeclared(
        byName.isEmpty()
            ? "model.uri is a registry reference, but no model registry is declared: ask for "
                + OPTION
                + " (the chart's modelRegistries)"
            : "model.uri is a registry reference and several registries are declared: name one with"
                + " spec.model.registry.endpoint"
                + declared());
  }

  private static Choice notDeclared(String message) {
    return new Choice(Optional.empty(), new RegistryProblem(Reason.RegistryNotDeclared, message));
  }

  private String declared() {
    return byName.isEmpty()
        ? " (none is declared: ask for " + OPTION + " / the chart's modelRegistries)"
        : " (declared: " + String.join(", ", byName.keySet().stream().sorted().toList()) + ")";
  }
}
