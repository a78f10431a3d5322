package dev.modelops.operator.clients;

import dev.modelops.operator.metrics.MetricSourceException;
import dev.modelops.operator.metrics.PrometheusResponse;
import dev.modelops.operator.metrics.Sample;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Instant queries against the Prometheus HTTP API (/api/v1/query). Thread-safe; one instance (and
 * one connection pool per CA bundle) shared by drift evaluation and canary analysis.
 */
@ApplicationScoped
public class PrometheusClient {

  /** Credentials for a request; toString never shows them. */
  public record Auth(String bearerToken, String username, String password) {
    public static Auth bearer(String token) {
      return new Auth(token, null, null);
    }

    public static Auth basic(String username, String password) {
      return new Auth(null, username, password);
    }

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

  private final HttpClient plainClient =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, HttpClient> clientsByCa = new ConcurrentHashMap<>();

  public List<Sample> query(
      String baseUrl, String promql, Auth auth, String caPem, Duration timeout)
      throws MetricSourceException {
    URI uri =
        URI.create(
            baseUrl.replaceAll("/+$", "")
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    if (auth != null) {
      request.header("Authorization", auth.header());
    }
    HttpResponse<String> response;
    try {
      response = client(caPem).send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new MetricSourceException(
          "SourceTimeout",
          "Prometheus at " + baseUrl + " did not answer within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw new MetricSourceException(
          "SourceUnreachable",
          "cannot reach Prometheus at "
              + baseUrl
              + ": "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetricSourceException("SourceUnreachable", "interrupted while querying " + baseUrl);
    }
    return PrometheusResponse.parse(baseUrl, response.statusCode(), response.body());
  }

  private HttpClient client(String caPem) throws MetricSourceException {
    if (caPem == null || caPem.isBlank()) {
      return plainClient;
    }
    HttpClient cached = clientsByCa.get(caPem);
    if (cached != null) {
      return cached;
    }
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int n = 0;
      for (Certificate cert :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + n++, cert);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, factory.getTrustManagers(), null);
      HttpClient client =
          HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(ssl).build();
      clientsByCa.put(caPem, client);
      return client;
    } catch (GeneralSecurityException | IOException e) {
      throw new MetricSourceException(
          "InvalidCaBundle", "the CA bundle (ca.crt) is not a PEM certificate: " + e.getMessage());
    }
  }
}
