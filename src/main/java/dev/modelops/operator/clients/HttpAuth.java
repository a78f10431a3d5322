package dev.modelops.operator.clients;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** Credentials for a request to a metric source or a registry; toString never shows them. */
public record HttpAuth(String bearerToken, String username, String password) {
  public static HttpAuth bearer(String token) {
    return new HttpAuth(token, null, null);
  }

  public static HttpAuth basic(String username, String password) {
    return new HttpAuth(null, username, password);
  }

  /**
   * From the data of a Secret that opted in: key {@code token} (bearer), or keys {@code username}
   * and {@code password} (basic); empty when it has neither.
   */
  public static Optional<HttpAuth> fromSecret(Map<String, String> keys) {
    if (keys.get("token") != null) {
      return Optional.of(bearer(keys.get("token")));
    }
    if (keys.get("username") != null) {
      return Optional.of(basic(keys.get("username"), keys.getOrDefault("password", "")));
    }
    return Optional.empty();
  }

  /** The Authorization header's value. */
  String header() {
    if (bearerToken != null) {
      return "Bearer " + bearerToken.strip();
    }
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return bearerToken != null ? "Auth[bearer ***]" : "Auth[basic " + username + ":***]";
  }
}
