package dev.modelops.operator.api.v1alpha1;

import java.util.Optional;

/**
 * A model registry reference in spec.model.uri, as {@link ModelRules} admits it: {@code
 * models:/NAME/VERSION} (pinned: an immutable registered version) or {@code models:/NAME@ALIAS} (a
 * name that the registry may move to another version).
 *
 * @param version the registered version, null for an alias
 * @param alias the alias, null for a pinned version
 */
public record RegistryReference(String name, String version, String alias) {

  /** The reference an admitted URI makes; empty for a storage URI or one admission refuses. */
  public static Optional<RegistryReference> parse(String uri) {
    if (!ModelRules.isRegistryReference(uri) || !ModelRules.uriProblems(uri).isEmpty()) {
      return Optional.empty();
    }
    String rest = uri.substring(ModelRules.REGISTRY_PREFIX.length());
    int at = rest.indexOf('@');
    if (at >= 0) {
      return Optional.of(
          new RegistryReference(rest.substring(0, at), null, rest.substring(at + 1)));
    }
    int slash = rest.lastIndexOf('/');
    return Optional.of(
        new RegistryReference(rest.substring(0, slash), rest.substring(slash + 1), null));
  }

  /** models:/NAME/VERSION. */
  public static String pinnedUri(String name, String version) {
    return ModelRules.REGISTRY_PREFIX + name + "/" + version;
  }

  public boolean pinned() {
    return version != null;
  }

  /** The URI this reference was read from. */
  public String uri() {
    return pinned() ? pinnedUri(name, version) : ModelRules.REGISTRY_PREFIX + name + "@" + alias;
  }

  /** How messages name it: the URI. */
  @Override
  public String toString() {
    return uri();
  }
}
