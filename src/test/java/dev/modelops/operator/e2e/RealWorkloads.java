package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the tests with real pods share: the platform the real node brings (object store,
 * Prometheus), the example images, models seeded into the store, the model server's protocol, the
 * load generator, and the offline oracle (scikit-learn on the host, in the examples' venv).
 */
final class RealWorkloads {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SERVER_IMAGE = "ghcr.io/modelops-dev/sklearn-server:0.1.0";
  static final String TRAINER_IMAGE = "ghcr.io/modelops-dev/trainer:0.1.0";
  static final String LOAD_GENERATOR_IMAGE = "ghcr.io/modelops-dev/load-generator:0.1.0";
  static final Path VENV =
      Path.of(
          System.getenv()
              .getOrDefault(
                  "MODELOPS_EXAMPLES_VENV",
                  System.getProperty("user.home") + "/.cache/modelops-examples-venv"));

  /** Rows of iris with their true classes (0 setosa, 1 versicolor, 2 virginica). */
  static final double[][] IRIS_ROWS = {
    {5.1, 3.5, 1.4, 0.2}, {4.9, 3.0, 1.4, 0.2}, {7.0, 3.2, 4.7, 1.4}, {6.4, 3.2, 4.5, 1.5},
    {6.3, 3.3, 6.0, 2.5}, {5.8, 2.7, 5.1, 1.9}, {6.0, 2.2, 5.0, 1.5}, {4.9, 2.5, 4.5, 1.7},
    {5.9, 3.0, 5.1, 1.8}, {6.7, 3.0, 5.0, 1.7}
  };

  /** Their true classes. */
  static final long[] IRIS_CLASSES = {0, 0, 1, 1, 2, 2, 2, 2, 2, 1};

  private static final Set<String> SEEDED = new HashSet<>();

  private RealWorkloads() {}

  /** These tests need pods that run: the real node (root; MODELOPS_REAL_NODE=0 opts out). */
  static void requireRealNode() {
    assumeTrue(
        LocalControlPlane.REAL_NODE, "needs the real node: run as root (MODELOPS_REAL_NODE != 0)");
    cluster();
  }

  static LocalControlPlane cluster() {
    return LocalControlPlane.get();
  }

  static Processes.Result hack(long timeoutSeconds, String... command) {
    Processes.Result result =
        Processes.run(LocalControlPlane.ROOT, Map.of(), null, timeoutSeconds, List.of(command));
    assertEquals(0, result.exitCode(), String.join(" ", command) + ": " + result.output());
    return result;
  }

  /** kubectl apply of YAML into the namespace; a refusal fails the test with kubectl's message. */
  static void apply(String namespace, String yaml) {
    Processes.Result result = cluster().kubectlWithInput(yaml, "apply", "-n", namespace, "-f", "-");
    assertEquals(0, result.exitCode(), "kubectl apply: " + result.output() + "\n" + yaml);
  }

  /**
   * The Secret model-store on the namespace's default ServiceAccount (the puller's credentials).
   */
  static void storeSecret(String namespace) {
    hack(60, "hack/store-secret.sh", namespace);
  }

  /**
   * Version {@code version} of iris in s3://models/iris/VERSION/, trained by the example trainer's
   * seed mode (iris only; {@code bad}: shuffled labels). Idempotent.
   */
  static synchronized String seed(String version, boolean bad) {
    if (SEEDED.add(version)) {
      List<String> command = new ArrayList<>(List.of("hack/seed-models.sh", "--version", version));
      if (bad) {
        command.add("--bad");
      }
      hack(240, command.toArray(String[]::new));
    }
    return "s3://models/iris/" + version + "/";
  }

  /** What scikit-learn predicts offline with the model file of {@code uri}. */
  static Predictions offline(String uri, double[][] rows) throws IOException {
    Path python = VENV.resolve("bin/python");
    if (!Files.isExecutable(python)) {
      throw new IllegalStateException(
          python
              + " missing: examples/test.sh builds the examples' venv (make test runs it first)");
    }
    Map<String, String> env = new HashMap<>(s3Environment());
    Processes.Result result =
        Processes.run(
            LocalControlPlane.ROOT,
            env,
            JSON.writeValueAsString(rows),
            120,
            List.of(python.toString(), "src/test/resources/e2e/offline_predict.py", uri));
    assertEquals(0, result.exitCode(), result.output());
    JsonNode answer = JSON.readTree(result.stdout());
    return new Predictions(
        JSON.convertValue(answer.get("predict"), long[].class),
        JSON.convertValue(answer.get("predict_proba"), double[][].class),
        null);
  }

  /** The object store's address and credentials for a client on this host. */
  static Map<String, String> s3Environment() throws IOException {
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(LocalControlPlane.STATE.resolve("platform/s3.env"))) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  /** The model's answer: class indices, probabilities, and the version that answered. */
  record Predictions(long[] classes, double[][] probabilities, String version) {}

  /**
   * One v2 inference through the Service's cluster IP (kube-proxy balances connections: each
   * request opens its own, as the load generator does).
   */
  static Predictions predict(String namespace, String service, double[][] rows) throws IOException {
    String ip =
        api().services().inNamespace(namespace).withName(service).get().getSpec().getClusterIP();
    List<Double> flat = new ArrayList<>();
    for (double[] row : rows) {
      for (double v : row) {
        flat.add(v);
      }
    }
    String body =
        JSON.writeValueAsString(
            Map.of(
                "inputs",
                List.of(
                    Map.of(
                        "name",
                        "input-0",
                        "shape",
                        List.of(rows.length, 4),
                        "datatype",
                        "FP64",
                        "data",
                        flat)),
                "outputs",
                List.of(Map.of("name", "predict"), Map.of("name", "predict_proba"))));
    Http.Response response = Http.post(ip, 80, "/v2/models/iris/infer", body);
    if (response.status() != 200) {
      throw new IOException("inference answered " + response.status() + ": " + response.body());
    }
    JsonNode answer = JSON.readTree(response.body());
    long[] classes = null;
    double[][] probabilities = null;
    for (JsonNode output : answer.get("outputs")) {
      if ("predict".equals(output.get("name").asText())) {
        classes = JSON.convertValue(output.get("data"), long[].class);
      } else if ("predict_proba".equals(output.get("name").asText())) {
        double[] flatProba = JSON.convertValue(output.get("data"), double[].class);
        int classesPerRow = flatProba.length / rows.length;
        probabilities = new double[rows.length][classesPerRow];
        for (int r = 0; r < rows.length; r++) {
          System.arraycopy(flatProba, r * classesPerRow, probabilities[r], 0, classesPerRow);
        }
      }
    }
    return new Predictions(classes, probabilities, answer.path("model_version").asText(null));
  }

  /**
   * Every pod of the ModelDeployment runs {@code version}, terminating ones included: a pod that
   * drains still answers for a moment after its rollout, which would make a prediction ambiguous.
   */
  static void awaitOnly(String namespace, String name, String version) {
    await(namespace + "/" + name + ": only pods of version " + version)
        .atMost(E2ESupport.CONVERGE)
        .until(
            () -> {
              var pods = E2ESupport.servingPods(namespace, name);
              return !pods.isEmpty()
                  && pods.stream()
                      .allMatch(
                          p ->
                              version.equals(
                                  p.getMetadata().getLabels().get("modelops.dev/model-version")));
            });
  }

  static io.fabric8.kubernetes.client.KubernetesClient api() {
    return cluster().admin();
  }

  /**
   * The example load generator (examples/load-generator) as a Deployment {@code name} in the
   * namespace, sending RATE predictions a second to the Service {@code target} and feeding the true
   * labels back after a second; {@code env} adds or overrides variables.
   */
  static LoadGenerator startLoadGenerator(
      String namespace, String name, String target, Map<String, String> env) {
    Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("TARGET_URL", "http://" + target);
    all.put("MODEL_NAME", "iris");
    all.put("RATE", "10");
    all.put("FEEDBACK_DELAY", "1");
    all.put("STATS_LOG_INTERVAL", "10");
    all.putAll(env);
    StringBuilder vars = new StringBuilder();
    all.forEach(
        (k, v) ->
            vars.append("            - {name: ")
                .append(k)
                .append(", value: \"")
                .append(v)
                .append("\"}\n"));
    String yaml =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          replicas: 1
          selector: {matchLabels: {app.kubernetes.io/name: %s}}
          template:
            metadata:
              labels: {app.kubernetes.io/name: %s, app.kubernetes.io/component: load-generator}
            spec:
              automountServiceAccountToken: false
              securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
              containers:
              - name: load-generator
                image: %s
                env:
        %s        envFrom: [{secretRef: {name: model-store}}]
                ports: [{name: metrics, containerPort: 8090}]
                readinessProbe: {httpGet: {path: /healthz, port: metrics}, periodSeconds: 2}
                resources: {requests: {cpu: 50m, memory: 128Mi}, limits: {memory: 384Mi}}
                securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
                volumeMounts: [{name: tmp, mountPath: /tmp}]
              volumes: [{name: tmp, emptyDir: {}}]
        """
            .formatted(
                name,
                name,
                name,
                LOAD_GENERATOR_IMAGE,
                vars.toString().indent(8).stripTrailing() + "\n");
    apply(namespace, yaml);
    Pod pod =
        await("load generator " + name + " ready")
            .atMost(E2ESupport.CONVERGE)
            .until(
                () ->
                    api()
                        .pods()
                        .inNamespace(namespace)
                        .withLabel("app.kubernetes.io/name", name)
                        .list()
                        .getItems()
                        .stream()
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                        .filter(
                            p ->
                                p.getStatus().getConditions().stream()
                                    .anyMatch(
                                        c ->
                                            "Ready".equals(c.getType())
                                                && "True".equals(c.getStatus())))
                        .findFirst(),
                java.util.Optional::isPresent)
            .orElseThrow();
    return new LoadGenerator(namespace, name, pod.getStatus().getPodIP());
  }

  /** A running load generator, reached on its pod IP (the host routes to the pod network). */
  record LoadGenerator(String namespace, String name, String ip) {
    JsonNode stats() throws IOException {
      Http.Response response = Http.get(ip, 8090, "/stats");
      assertEquals(200, response.status(), response.body());
      return JSON.readTree(response.body());
    }

    void shift(double amount) throws IOException {
      Http.Response response = Http.post(ip, 8090, "/shift?amount=" + amount, "");
      assertEquals(200, response.status(), response.body());
    }

    void stop() {
      cluster().kubectl("delete", "deployment", name, "-n", namespace, "--wait=false");
    }
  }

  /** HTTP/1.1 with one connection per request (Connection: close), to addresses on this machine. */
  static final class Http {
    record Response(int status, String body) {}

    static Response get(String host, int port, String path) throws IOException {
      return exchange(host, port, "GET " + path + " HTTP/1.1\r\n", null);
    }

    static Response post(String host, int port, String path, String json) throws IOException {
      return exchange(host, port, "POST " + path + " HTTP/1.1\r\n", json);
    }

    private static Response exchange(String host, int port, String requestLine, String json)
        throws IOException {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(10_000);
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        String head =
            requestLine
                + "Host: "
                + host
                + "\r\nConnection: close\r\nAccept: application/json\r\n"
                + (json == null
                    ? ""
                    : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return parse(readAll(socket.getInputStream()));
      }
    }

    private static byte[] readAll(InputStream in) throws IOException {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        all.write(buffer, 0, n);
        if (all.size() > 4 << 20) {
          throw new IOException("response larger than 4 MiB");
        }
      }
      return all.toByteArray();
    }

    private static Response parse(byte[] raw) throws IOException {
      String text = new String(raw, StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      if (split < 0 || !text.startsWith("HTTP/1.")) {
        throw new IOException(
            "not an HTTP response: " + text.substring(0, Math.min(200, text.length())));
      }
      String head = text.substring(0, split);
      int status = Integer.parseInt(head.substring(9, 12));
      String body = text.substring(split + 4);
      if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        StringBuilder decoded = new StringBuilder();
        int at = 0;
        while (true) {
          int eol = body.indexOf("\r\n", at);
          int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
          if (size == 0) {
            break;
          }
          decoded.append(body, eol + 2, eol + 2 + size);
          at = eol + 2 + size + 2;
        }
        body = decoded.toString();
      }
      return new Response(status, body);
    }
  }
}
