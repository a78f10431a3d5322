package dev.modelops.operator.bench;

import dev.modelops.operator.e2e.Processes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * A fresh local control plane (hack/cluster-up.sh) for one scenario, so the operator and the
 * baseline never see each other's objects or garbage collection. The API server keeps an audit log
 * of every request by the operator's ServiceAccount: apiserver_request_total has no client label,
 * the audit log names the user.
 */
final class BenchCluster implements AutoCloseable {
  static final Path ROOT =
      Path.of(System.getProperty("modelops.project.dir", ".")).toAbsolutePath().normalize();
  static final Path STATE = ROOT.resolve(".local");
  static final Path OUT = ROOT.resolve("target/bench");
  static final String OPERATOR_NAMESPACE = "modelops-system";
  static final String OPERATOR_SA = "modelops-operator";
  static final String OPERATOR_USER =
      "system:serviceaccount:" + OPERATOR_NAMESPACE + ":" + OPERATOR_SA;

  /** The default node of hack/ takes 110 pods; bench nodes hold this many each. */
  static final int PODS_PER_BENCH_NODE = 1000;

  static final String KCM_ARGS =
      "--kube-api-qps=500 --kube-api-burst=1000 --concurrent-deployment-syncs=20"
          + " --concurrent-replicaset-syncs=20";
  static final String SCHEDULER_ARGS = "--kube-api-qps=500 --kube-api-burst=1000";

  final Path auditLog;
  final Path operatorKubeconfig = STATE.resolve("operator-bench.kubeconfig");
  final KubernetesClient admin;

  private BenchCluster(Path auditLog) {
    this.auditLog = auditLog;
    this.admin = client(STATE.resolve("kubeconfig"), "modelops-bench");
  }

  /**
   * Starts a control plane sized for `pods` serving pods; fails if one is already up in this
   * worktree.
   */
  static BenchCluster start(String label, int pods) throws IOException {
    Files.createDirectories(OUT);
    Path policy = OUT.resolve("audit-policy.yaml");
    Files.writeString(
        policy,
        """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        # One event per request, when it completes (a watch: when it ends).
        omitStages: [RequestReceived, ResponseStarted]
        rules:
          - level: Metadata
            users: ["%s"]
          - level: None
        """
            .formatted(OPERATOR_USER));
    Path audit = OUT.resolve("audit-" + label + ".log");
    Files.deleteIfExists(audit);
    String up =
        script(
            300,
            Map.of(
                "MODELOPS_APISERVER_EXTRA_ARGS",
                "--audit-policy-file="
                    + policy
                    + " --audit-log-path="
                    + audit
                    + " --audit-log-maxsize=0",
                // Stock client rate limits (controller-manager 20 QPS per controller, scheduler 50)
                // would cap any
                // controller at ~4 ModelDeployments/s here: lifted, so the machine is the limit
                // both sides share.
                "MODELOPS_KCM_EXTRA_ARGS",
                System.getProperty("bench.kcm-args", KCM_ARGS),
                "MODELOPS_SCHEDULER_EXTRA_ARGS",
                System.getProperty("bench.scheduler-args", SCHEDULER_ARGS)),
            "hack/cluster-up.sh");
    if (up.contains("already up")) {
      throw new IllegalStateException(
          "a control plane is already up in "
              + STATE
              + ": the benchmark needs a fresh one per scenario (hack/cluster-down.sh)");
    }
    BenchCluster cluster = new BenchCluster(audit);
    cluster.kubectl("apply", "--server-side", "-k", "deploy/core");
    cluster.kubectl(
        "wait",
        "--for=condition=Established",
        "crd/modeldeployments.modelops.dev",
        "crd/retrainpolicies.modelops.dev",
        "--timeout=60s");
    script(
        60,
        Map.of(),
        "hack/sa-kubeconfig.sh",
        OPERATOR_NAMESPACE,
        OPERATOR_SA,
        cluster.operatorKubeconfig.toString());
    cluster.addNodes(pods);
    return cluster;
  }

  /** A plain namespace (the e2e tests check Pod Security; here only throughput matters). */
  void namespace(String name) {
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    Awaitility.await("default ServiceAccount in " + name)
        .atMost(Duration.ofSeconds(60))
        .until(() -> admin.serviceAccounts().inNamespace(name).withName("default").get() != null);
  }

  private void addNodes(int pods) {
    int nodes = (pods + PODS_PER_BENCH_NODE - 1) / PODS_PER_BENCH_NODE;
    String cidr = System.getenv().getOrDefault("MODELOPS_POD_CIDR", "127.1.0.0/16");
    Map<String, Quantity> capacity =
        Map.of(
            "cpu",
            new Quantity("2000"),
            "memory",
            new Quantity("4000Gi"),
            "pods",
            new Quantity(String.valueOf(PODS_PER_BENCH_NODE)));
    for (int i = 0; i < nodes; i++) {
      admin
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName("bench-node-" + i)
                  .withAnnotations(Map.of("kwok.x-k8s.io/node", "fake"))
                  .withLabels(
                      Map.of(
                          "kubernetes.io/hostname",
                          "bench-node-" + i,
                          "kubernetes.io/os",
                          "linux",
                          "type",
                          "kwok"))
                  .endMetadata()
                  // Pod IPs are never dialled here; every node may hand out the same loopback
                  // range.
                  .withNewSpec()
                  .withPodCIDR(cidr)
                  .withPodCIDRs(cidr)
                  .endSpec()
                  .withNewStatus()
                  .withCapacity(capacity)
                  .withAllocatable(capacity)
                  .endStatus()
                  .build())
          .create();
    }
    Awaitility.await("bench nodes Ready and untainted")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                admin.nodes().list().getItems().stream()
                        .filter(n -> n.getMetadata().getName().startsWith("bench-node-"))
                        .filter(
                            n ->
                                (n.getSpec().getTaints() == null
                                        || n.getSpec().getTaints().isEmpty())
                                    && n.getStatus().getConditions().stream()
                                        .anyMatch(
                                            c ->
                                                "Ready".equals(c.getType())
                                                    && "True".equals(c.getStatus())))
                        .count()
                    == nodes);
  }

  String kubectl(String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(STATE.resolve("bin/kubectl").toString());
    command.addAll(List.of(args));
    Processes.Result result =
        Processes.run(
            ROOT, Map.of("KUBECONFIG", STATE.resolve("kubeconfig").toString()), null, 180, command);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "kubectl " + String.join(" ", args) + " failed: " + result.output());
    }
    return result.stdout();
  }

  @Override
  public void close() {
    admin.close();
    script(120, Map.of(), "hack/cluster-down.sh");
  }

  static String script(long timeoutSeconds, Map<String, String> env, String... command) {
    Processes.Result result = Processes.run(ROOT, env, null, timeoutSeconds, List.of(command));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (" + result.exitCode() + "):\n" + result.output());
    }
    return result.output();
  }

  static KubernetesClient client(Path kubeconfig, String userAgent) {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      config.setUserAgent(userAgent);
      // The bench's own clients must not be the bottleneck they measure.
      config.setMaxConcurrentRequests(512);
      config.setMaxConcurrentRequestsPerHost(512);
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
