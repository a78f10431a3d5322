package dev.modelops.operator.clients;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an administrator's list of NAME=URL declarations (metric endpoints, model registries): the
 * only addresses the operator calls on a tenant's behalf.
 */
final class DeclaredEndpoints {
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  private DeclaredEndpoints() {}

  /**
   * @param option the setting's name, for messages
   * @return base URL by name, in declaration order
   * @throws IllegalArgumentException naming the entry an administrator must fix
   */
  static Map<String, URI> parse(String option, List<String> declarations) {
    Map<String, URI> endpoints = new LinkedHashMap<>();
    for (String declaration : declarations) {
      String entry = declaration.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int equals = entry.indexOf('=');
      String name = equals < 0 ? "" : entry.substring(0, equals).strip();
      String url = equals < 0 ? "" : entry.substring(equals + 1).strip();
      if (!NAME.matcher(name).matches() || name.length() > 63) {
        throw new IllegalArgumentException(
            option + ": '" + entry + "' is not NAME=URL with a DNS-label NAME");
      }
      URI base =
          url(url)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          option
                              + ": the URL of "
                              + name
                              + " is not an absolute http:// or https:// URL without query"));
      endpoints.put(name, base);
    }
    return Collections.unmodifiableMap(endpoints);
  }

  /** An absolute http(s) URL without query, fragment or user info, trailing slashes removed. */
  static Optional<URI> url(String url) {
    if (url == null || url.length() > 2048) {
      return Optional.empty();
    }
    try {
      URI uri = URI.create(url.strip().replaceAll("/+$", "")).normalize();
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        return Optional.empty();
      }
      return Optional.of(
          new URI(
              scheme,
              null,
              uri.getHost().toLowerCase(),
              uri.getPort(),
              uri.getPath() == null ? "" : uri.getPath(),
              null,
              null));
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return Optional.empty();
    }
  }
}
