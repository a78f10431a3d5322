package dev.modelops.operator.clients;

import dev.modelops.operator.config.OperatorSettings;
import dev.modelops.operator.metrics.MetricSourceException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Every HTTP call the operator makes to a metric source or a model registry: asynchronous (no
 * thread waits on a socket), with a deadline that covers the whole exchange including a body that
 * trickles in, and a size cap on the body. Failures become a {@link MetricSourceException} with a
 * fixed reason and a message that never contains the body, a remote error text or credentials.
 */
@ApplicationScoped
public class BoundedHttp {
  /** HTTP clients (connection pools) kept per CA bundle; the oldest goes beyond this. */
  static final int MAX_CA_CLIENTS = 32;

  /** An answer: its status and at most the capped number of body bytes. */
  public record Response(int status, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final int maxBytes;
  private final ExecutorService executor;
  private final HttpClient plain;
  private final Map<String, HttpClient> byCa =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, HttpClient> eldest) {
          return size() > MAX_CA_CLIENTS;
        }
      };

  @Inject
  public BoundedHttp(OperatorSettings settings) {
    this(settings.fetch().maxResponseBytes(), settings.drift().fetchThreads());
  }

  BoundedHttp(int maxBytes, int threads) {
    this.maxBytes = maxBytes;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            Math.max(1, threads),
            r -> {
              Thread t = new Thread(r, "metric-fetch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.plain = builder().build();
  }

  /** For tests and small tools: 4 MiB, two threads. */
  public static BoundedHttp standalone() {
    return new BoundedHttp(4 * 1024 * 1024, 2);
  }

  /** Where answers are handled; callers continue on it (thenApplyAsync). */
  public ExecutorService executor() {
    return executor;
  }

  @PreDestroy
  void close() {
    executor.shutdownNow();
  }

  /**
   * @param what names the source in messages (e.g. "Prometheus endpoint default", "pod x"); never a
   *     URL a tenant chose
   * @param caPem a CA bundle for https, or null for the JVM's trust store
   */
  public CompletableFuture<Response> get(
      URI uri, Map<String, String> headers, Duration deadline, String caPem, String what) {
    return send(HttpRequest.newBuilder(uri).GET(), headers, deadline, caPem, what);
  }

  /**
   * A POST of a JSON body, bounded the same way (a registry write, e.g. setting a model alias).
   *
   * @param what names the target in messages, as for {@link #get}
   */
  public CompletableFuture<Response> postJson(
      URI uri, Map<String, String> headers, String json, Duration deadline, String what) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    return send(request, headers, deadline, null, what);
  }

  private CompletableFuture<Response> send(
      HttpRequest.Builder request,
      Map<String, String> headers,
      Duration deadline,
      String caPem,
      String what) {
    HttpClient client;
    try {
      client = client(caPem);
    } catch (MetricSourceException e) {
      return CompletableFuture.failedFuture(e);
    }
    request.timeout(deadline);
    headers.forEach(request::header);
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(request.build(), info -> new CappedBody(maxBytes));
    CompletableFuture<Response> answer =
        exchange
            .orTimeout(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .handleAsync(
                (response, error) -> {
                  if (error != null) {
                    exchange.cancel(true); // the deadline passed: let go of the connection
                    throw new CompletionException(failure(unwrap(error), what, deadline));
                  }
                  return new Response(response.statusCode(), response.body());
                },
                executor);
    return answer;
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private MetricSourceException failure(Throwable error, String what, Duration deadline) {
    if (error instanceof MetricSourceException known) {
      return known;
    }
    if (error instanceof TimeoutException
        || error instanceof HttpTimeoutException
            && !(error instanceof HttpConnectTimeoutException)) {
      return new MetricSourceException(
          "SourceTimeout", what + " did not answer within " + deadline.toSeconds() + " s");
    }
    if (error instanceof ResponseTooLarge) {
      return new MetricSourceException(
          "ResponseTooLarge", what + " answered more than " + maxBytes + " bytes");
    }
    String kind =
        error instanceof ConnectException || error instanceof HttpConnectTimeoutException
            ? "refused or did not accept the connection"
            : "could not be read (" + error.getClass().getSimpleName() + ")";
    return new MetricSourceException("SourceUnreachable", what + " " + kind);
  }

  private HttpClient.Builder builder() {
    return HttpClient.newBuilder()
        .executor(executor)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER);
  }

  private HttpClient client(String caPem) throws MetricSourceException {
    if (caPem == null || caPem.isBlank()) {
      return plain;
    }
    String key = fingerprint(caPem);
    synchronized (byCa) {
      HttpClient cached = byCa.get(key);
      if (cached != null) {
        return cached;
      }
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
      if (n == 0) {
        throw new GeneralSecurityException("no certificate");
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, factory.getTrustManagers(), null);
      HttpClient client = builder().sslContext(ssl).build();
      synchronized (byCa) {
        byCa.put(key, client);
      }
      return client;
    } catch (GeneralSecurityException | IOException e) {
      throw new MetricSourceException(
          "InvalidCaBundle", "the CA bundle (ca.crt) is not a PEM certificate");
    }
  }

  private static String fingerprint(String pem) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(pem.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The body exceeded the cap. */
  static final class ResponseTooLarge extends IOException {
    ResponseTooLarge() {
      super("response too large");
    }
  }

  /** Collects the body up to a number of bytes; beyond it cancels the exchange. */
  static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final List<ByteBuffer> parts = new ArrayList<>();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private int size;

    CappedBody(int max) {
      this.max = max;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        size += item.remaining();
        if (size > max) {
          subscription.cancel();
          parts.clear();
          result.completeExceptionally(new ResponseTooLarge());
          return;
        }
        parts.add(item);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      parts.clear();
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      byte[] all = new byte[size];
      int at = 0;
      for (ByteBuffer part : parts) {
        int n = part.remaining();
        part.get(all, at, n);
        at += n;
      }
      parts.clear();
      result.complete(all);
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> getBody() {
      return result;
    }
  }
}
