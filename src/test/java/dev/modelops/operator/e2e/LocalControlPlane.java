package dev.modelops.operator.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The real control plane of hack/ (etcd, kube-apiserver, controller-manager, scheduler, kwok),
 * started once per test JVM, with deploy/core installed and the operator running as a local process
 * under its own ServiceAccount, exactly as `make run` does. Stopped by a shutdown hook.
 */
final class LocalControlPlane {
  static final Path ROOT =
      Path.of(System.getProperty("modelops.project.dir", ".")).toAbsolutePath();
  static final Path STATE = ROOT.resolve(".local");
  static final Path LOGS = STATE.resolve("logs");
  static final Path ADMIN_KUBECONFIG = STATE.resolve("kubeconfig");
  static final Path OPERATOR_KUBECONFIG = STATE.resolve("operator-e2e.kubeconfig");
  static final Path OPERATOR_LOG = LOGS.resolve("operator-e2e.log");

  /**
   * A real node (kubelet, containerd, pod network) beside kwok: on by default when the tests run as
   * root (it changes the host's network), MODELOPS_REAL_NODE=0 opts out. With it, kwok's node is
   * tainted and only tests that tolerate it (E2ESupport) get fake pods.
   */
  static final boolean REAL_NODE =
      !"0".equals(System.getenv("MODELOPS_REAL_NODE"))
          && "root".equals(System.getProperty("user.name"));

  private static LocalControlPlane instance;

  private final boolean startedCluster;
  private final KubernetesClient admin;
  private Process operator;
  private final int operatorPort;

  static synchronized LocalControlPlane get() {
    if (instance == null) {
      instance = new LocalControlPlane();
      Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
    }
    return instance;
  }

  private LocalControlPlane() {
    // The first build of the control plane takes ~15 min on 2 cores (make test runs it beforehand).
    script(2400, "hack/build-tools.sh");
    // With the real node, its platform services include MLflow (MlflowRegistryE2EIT's registry).
    startedCluster =
        !script(
                900,
                Map.of(
                    "MODELOPS_REAL_NODE",
                    REAL_NODE ? "1" : "0",
                    "MODELOPS_MLFLOW",
                    REAL_NODE ? "1" : "0"),
                "hack/cluster-up.sh")
            .contains("already up");
    admin = client(ADMIN_KUBECONFIG);
    kubectlOrFail("apply", "--server-side", "-k", "deploy/core");
    kubectlOrFail(
        "wait",
        "--for=condition=Established",
        "crd/modeldeployments.modelops.dev",
        "--timeout=60s");
    script(
        60,
        "hack/sa-kubeconfig.sh",
        "modelops-system",
        "modelops-operator",
        OPERATOR_KUBECONFIG.toString());
    operatorPort = freePort();
    startOperator();
  }

  KubernetesClient admin() {
    return admin;
  }

  /** kubectl as the cluster admin (the user), from the binaries hack/ built. */
  Processes.Result kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  Processes.Result kubectlWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(STATE.resolve("bin/kubectl").toString());
    command.addAll(List.of(args));
    return Processes.run(
        ROOT, Map.of("KUBECONFIG", ADMIN_KUBECONFIG.toString()), stdin, 180, command);
  }

  String kubectlOrFail(String... args) {
    Processes.Result result = kubectl(args);
    if (result.exitCode() != 0) {
      throw new AssertionError("kubectl " + String.join(" ", args) + " failed: " + result.output());
    }
    return result.stdout();
  }

  void startOperator() {
    operator = launchOperator(operatorPort, OPERATOR_LOG, Map.of());
    Awaitility.await("operator ready on /q/health/ready")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!operator.isAlive()) {
                throw new AssertionError(
                    "the operator exited with " + operator.exitValue() + "; log: " + OPERATOR_LOG);
              }
              return httpOk("http://127.0.0.1:" + operatorPort + "/q/health/ready");
            });
  }

  /**
   * Another operator process under the same ServiceAccount, e.g. a second replica; the caller stops
   * it.
   */
  Process launchOperator(int port, Path log, Map<String, String> env) {
    try {
      Files.createDirectories(LOGS);
      ProcessBuilder builder =
          new ProcessBuilder(OperatorCommand.forProject(ROOT))
              .directory(ROOT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put("KUBECONFIG", OPERATOR_KUBECONFIG.toString());
      builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
      builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
      builder.environment().put("MODELOPS_METRIC_ENDPOINTS", TestEndpoints.declaration());
      builder.environment().put("MODELOPS_MODEL_REGISTRIES", TestEndpoints.registries());
      builder.environment().put("MODELOPS_MODEL_REGISTRY_LINKS", TestEndpoints.registries());
      builder.environment().putAll(env);
      Process process = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return process;
    } catch (IOException e) {
      throw new IllegalStateException("could not start an operator", e);
    }
  }

  static int freePortForTests() {
    return freePort();
  }

  void stopOperator() {
    if (operator != null && operator.isAlive()) {
      operator.destroy();
      try {
        operator.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      operator.destroyForcibly();
    }
  }

  /** kill -9: no shutdown, no cleanup, as when a node dies. */
  void killOperator() throws InterruptedException {
    operator.destroyForcibly();
    operator.waitFor();
  }

  int operatorPort() {
    return operatorPort;
  }

  private void stop() {
    stopOperator();
    if (startedCluster && !"true".equals(System.getenv("MODELOPS_KEEP_CLUSTER"))) {
      script(120, "hack/cluster-down.sh");
    }
  }

  private static String script(long timeoutSeconds, String... command) {
    return script(timeoutSeconds, Map.of(), command);
  }

  private static String script(long timeoutSeconds, Map<String, String> env, String... command) {
    Processes.Result result = Processes.run(ROOT, env, null, timeoutSeconds, List.of(command));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (" + result.exitCode() + "):\n" + result.output());
    }
    return result.output();
  }

  static KubernetesClient client(Path kubeconfig) {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean httpOk(String url) {
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
