package dev.modelops.operator.bench;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.e2e.OperatorCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;

/** The two sides of the comparison, each on a fresh control plane. */
final class Scenarios {
  static final String NAMESPACE = "bench";
  static final int CREATORS = 16;

  record Settings(
      Duration idle,
      Duration driftInterval,
      Duration driftWindow,
      Map<String, String> operatorEnv,
      int threads,
      String pullerImage) {}

  /**
   * While converging: CPU seconds of the controller and of kube-apiserver, and seconds
   * kube-apiserver spent allocating ClusterIPs. It allocates them one at a time (MetaAllocator
   * holds a lock across the IPAddress write), so this divided by the convergence time is how busy
   * that one lane was.
   */
  record Load(double controllerCpu, double apiServerCpu, double clusterIpAllocation) {
    static Load between(Load start, Load end) {
      return new Load(
          end.controllerCpu - start.controllerCpu,
          end.apiServerCpu - start.apiServerCpu,
          end.clusterIpAllocation - start.clusterIpAllocation);
    }

    static Load now(double controllerCpu, KubernetesClient admin) throws java.io.IOException {
      return new Load(
          controllerCpu,
          CpuTime.component("kube-apiserver"),
          PrometheusText.sum(
              admin.raw("/metrics"),
              "kube_apiserver_clusterip_allocator_allocation_duration_seconds_sum",
              Map.of()));
    }
  }

  record OperatorRun(
      int n,
      double startupSeconds,
      Convergence.Result convergence,
      long reconciles,
      Load load,
      long idleWrites,
      Map<String, Long> idleWritesByResource,
      Map<String, Double> idleWritesAllClientsMetrics,
      double requestsPerModelDeployment,
      Map<String, Long> convergenceRequestsByVerb,
      OperatorProcess.Memory memoryAtStart,
      OperatorProcess.Memory memoryConverged,
      OperatorProcess.Memory memoryWithPolicies,
      DriftScenario.Result drift) {}

  record BaselineRun(
      int n, Convergence.Result convergence, Load load, double requestsPerModelDeployment) {}

  private Scenarios() {}

  /** The drift source as the one metric endpoint the operator may query. */
  static Map<String, String> withDriftEndpoint(Map<String, String> env) {
    Map<String, String> all = new java.util.LinkedHashMap<>(env);
    all.put("MODELOPS_METRIC_ENDPOINTS", DriftSource.declaration());
    return all;
  }

  static Duration convergeTimeout(int n) {
    return Duration.ofSeconds(180 + n);
  }

  static OperatorRun operator(int n, Settings settings, String label) throws Exception {
    try (BenchCluster cluster = BenchCluster.start("operator-" + label, n + 50)) {
      KubernetesClient admin = cluster.admin;
      cluster.namespace(NAMESPACE);
      // Startup is clocked to the first reconcile of an object that already exists, as after a
      // restart.
      cluster.namespace("bench-startup");
      admin.resource(Convergence.modelDeployment("bench-startup", "startup")).create();
      try (OperatorProcess operator =
          OperatorProcess.start(
              cluster,
              BenchCluster.OUT.resolve("operator-" + label + ".log"),
              withDriftEndpoint(settings.operatorEnv()))) {
        Awaitility.await("first reconcile after start")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    admin
                            .resources(ModelDeployment.class)
                            .inNamespace("bench-startup")
                            .withName("startup")
                            .get()
                            .getStatus()
                        != null);
        double startup = (System.nanoTime() - operator.launchedNanos) / 1e9;
        Awaitility.await("operator ready").atMost(Duration.ofSeconds(60)).until(operator::ready);
        OperatorProcess.Memory atStart = operator.memory();
        log(
            "n=%d operator: first reconcile %.1f s after launch; heap %.0f MiB, RSS %.0f MiB",
            n, startup, atStart.heapMiB(), atStart.rssMiB());

        Instant convergeStart = Instant.now();
        long reconcilesBefore = operator.reconciles();
        Load before = Load.now(operator.cpuSeconds(), admin);
        Convergence.Result converged =
            Convergence.run(admin, NAMESPACE, n, CREATORS, convergeTimeout(n));
        Load load = Load.between(before, Load.now(operator.cpuSeconds(), admin));
        long reconciles = operator.reconciles() - reconcilesBefore;
        Instant convergeEnd = Instant.now();
        log(
            "n=%d operator: all Ready in %.1f s (creates took %.1f s), %d reconciles (%.1f/s), CPU s: operator %.1f, "
                + "kube-apiserver %.1f; ClusterIP allocation %.1f s",
            n,
            converged.seconds(),
            converged.createSeconds(),
            reconciles,
            reconciles / converged.seconds(),
            load.controllerCpu(),
            load.apiServerCpu(),
            load.clusterIpAllocation());

        // Settle: Deployment status updates from the controller-manager may trail Ready by a few
        // seconds.
        Thread.sleep(5_000);
        String metricsBefore = admin.raw("/metrics");
        Instant idleStart = Instant.now();
        Thread.sleep(settings.idle().toMillis()); // the idle window is the measurement
        Instant idleEnd = Instant.now();
        String metricsAfter = admin.raw("/metrics");
        AuditLog.Counts idle = AuditLog.count(cluster.auditLog, idleStart, idleEnd);
        AuditLog.Counts converging = AuditLog.count(cluster.auditLog, convergeStart, convergeEnd);
        log(
            "n=%d operator: %d writes in %d idle seconds %s",
            n, idle.writes(), settings.idle().toSeconds(), idle.writesByResource());
        OperatorProcess.Memory convergedMemory = operator.memory();

        DriftScenario.Result drift =
            DriftScenario.run(
                admin,
                NAMESPACE,
                n,
                Integer.getInteger("bench.drift-policies", n),
                settings.driftInterval(),
                settings.driftWindow(),
                CREATORS);
        log(
            "n=%d drift: lag p50 %.3f s p99 %.3f s max %.3f s over %d evaluations; edit→Deployment p50 %.3f s max %.3f s",
            n,
            drift.lagP50(),
            drift.lagP99(),
            drift.lagMax(),
            drift.evaluations(),
            drift.editP50(),
            drift.editMax());
        OperatorProcess.Memory withPolicies = operator.memory();
        return new OperatorRun(
            n,
            startup,
            converged,
            reconciles,
            load,
            idle.writes(),
            idle.writesByResource(),
            ApiServerMetrics.writeDelta(metricsBefore, metricsAfter),
            (double) converging.total() / n,
            converging.byVerb(),
            atStart,
            convergedMemory,
            withPolicies,
            drift);
      }
    }
  }

  static BaselineRun baseline(int n, Settings settings, String label) throws Exception {
    try (BenchCluster cluster = BenchCluster.start("baseline-" + label, n + 50)) {
      cluster.namespace(NAMESPACE);
      Path log = BenchCluster.OUT.resolve("baseline-" + label + ".log");
      // Same JVM flags as the operator: the comparison is about the controller code, not the JIT
      // settings.
      Process controller =
          new ProcessBuilder(
                  "java",
                  OperatorCommand.jvmOptions(BenchCluster.ROOT),
                  "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                  "-cp",
                  System.getProperty("java.class.path"),
                  BaselineController.class.getName(),
                  cluster.operatorKubeconfig.toString(),
                  NAMESPACE,
                  String.valueOf(settings.threads()),
                  settings.pullerImage())
              .directory(BenchCluster.ROOT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
      try {
        Awaitility.await("baseline controller started")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    !controller.isAlive()
                        || Files.readString(log).contains(BaselineController.STARTED));
        if (!controller.isAlive()) {
          throw new IllegalStateException(
              "the baseline controller exited: " + Files.readString(log));
        }
        Instant start = Instant.now();
        Load before = Load.now(CpuTime.seconds(controller.pid()), cluster.admin);
        Convergence.Result converged =
            Convergence.run(cluster.admin, NAMESPACE, n, CREATORS, convergeTimeout(n));
        Load load =
            Load.between(before, Load.now(CpuTime.seconds(controller.pid()), cluster.admin));
        Instant end = Instant.now();
        log(
            "n=%d baseline: all Ready in %.1f s (creates took %.1f s), CPU s: baseline JVM %.1f, kube-apiserver %.1f; "
                + "ClusterIP allocation %.1f s",
            n,
            converged.seconds(),
            converged.createSeconds(),
            load.controllerCpu(),
            load.apiServerCpu(),
            load.clusterIpAllocation());
        AuditLog.Counts requests = AuditLog.count(cluster.auditLog, start, end);
        return new BaselineRun(n, converged, load, (double) requests.total() / n);
      } finally {
        controller.destroyForcibly().waitFor();
      }
    }
  }

  static void log(String format, Object... args) {
    System.out.printf(
        "[bench %s] %s%n",
        java.time.LocalTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")),
        format.formatted(args));
    System.out.flush();
  }

  /**
   * apiserver_request_total has no client label (verb, resource, subresource, code, ...): all
   * clients.
   */
  static final class ApiServerMetrics {
    private static final java.util.Set<String> WRITES =
        java.util.Set.of("POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION");
    private static final java.util.Set<String> OPERATOR_KINDS =
        java.util.Set.of(
            "modeldeployments",
            "retrainpolicies",
            "deployments",
            "services",
            "jobs",
            "horizontalpodautoscalers");

    private ApiServerMetrics() {}

    /**
     * Writes by any client to the kinds only the operator writes here (Deployment status is the
     * controller-manager's; Events are left out: every component writes them, the audit log counts
     * the operator's).
     */
    static Map<String, Double> writeDelta(String before, String after) {
      Map<String, Double> delta = new TreeMap<>();
      Map<String, Double> a = writes(after);
      writes(before).forEach((k, v) -> a.merge(k, -v, Double::sum));
      a.forEach(
          (k, v) -> {
            if (v > 0) {
              delta.put(k, v);
            }
          });
      return delta;
    }

    private static Map<String, Double> writes(String text) {
      Map<String, Double> all =
          PrometheusText.group(
              text,
              "apiserver_request_total",
              Map.of(),
              labels ->
                  labels.get("verb")
                      + " "
                      + labels.get("resource")
                      + (labels.getOrDefault("subresource", "").isEmpty()
                          ? ""
                          : "/" + labels.get("subresource")));
      Map<String, Double> writes = new TreeMap<>();
      all.forEach(
          (k, v) -> {
            String[] parts = k.split(" ");
            if (WRITES.contains(parts[0])
                && OPERATOR_KINDS.contains(parts[1].split("/")[0])
                && !parts[1].equals("deployments/status")) {
              writes.put(k, v);
            }
          });
      return writes;
    }
  }
}
