package dev.modelops.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `make bench`: the operator against the baseline on the real local control plane, for each N.
 * System properties: bench.n (default 100,1000), bench.runs (1), bench.idle-seconds (60),
 * bench.drift-window-seconds (40), bench.operator-env (K=V;K=V, e.g. tuning flags for the
 * operator), bench.baseline (true; false skips it, e.g. while profiling the operator). Writes
 * target/bench/results.json and target/bench/bench.png; prints the table.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) {
    try {
      run();
      System.exit(0);
    } catch (Throwable e) {
      // Worker pools and the drift source are not daemons: without this the JVM would outlive the
      // failure.
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run() throws Exception {
    System.setProperty("java.awt.headless", "true");
    List<Integer> ns =
        Arrays.stream(System.getProperty("bench.n", "100,1000").split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .map(Integer::parseInt)
            .toList();
    int runs = Integer.getInteger("bench.runs", 1);
    Map<String, String> operatorEnv = parseEnv(System.getProperty("bench.operator-env", ""));
    Scenarios.Settings settings =
        new Scenarios.Settings(
            Duration.ofSeconds(Integer.getInteger("bench.idle-seconds", 60)),
            Duration.ofSeconds(10),
            Duration.ofSeconds(Integer.getInteger("bench.drift-window-seconds", 40)),
            operatorEnv,
            reconcileThreads(operatorEnv),
            "docker.io/kserve/storage-initializer:v0.15.0");
    Scenarios.log(
        "N=%s, runs=%d, reconcile threads (operator and baseline)=%d, operator env=%s",
        ns, runs, settings.threads(), operatorEnv);

    long started = System.nanoTime();
    List<Scenarios.OperatorRun> operatorRuns = new ArrayList<>();
    List<Scenarios.BaselineRun> baselineRuns = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      for (int n : ns) {
        String label = "n" + n + "-run" + run;
        operatorRuns.add(Scenarios.operator(n, settings, label));
        if (Boolean.parseBoolean(System.getProperty("bench.baseline", "true"))) {
          baselineRuns.add(Scenarios.baseline(n, settings, label));
        }
        write(settings, operatorRuns, baselineRuns, (System.nanoTime() - started) / 1e9);
      }
    }
    Report report = new Report(ns, operatorRuns, baselineRuns);
    System.out.println();
    System.out.println(report.table());
    report.chart(BenchCluster.OUT.resolve("bench.png"));
    Scenarios.log(
        "took %.0f s; wrote %s and %s",
        (System.nanoTime() - started) / 1e9,
        BenchCluster.OUT.resolve("results.json"),
        BenchCluster.OUT.resolve("bench.png"));
  }

  private static void write(
      Scenarios.Settings settings,
      List<Scenarios.OperatorRun> operator,
      List<Scenarios.BaselineRun> baseline,
      double seconds)
      throws Exception {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put(
        "machine",
        Map.of(
            "cores",
            Runtime.getRuntime().availableProcessors(),
            "memoryGiB",
            Math.round(memoryGiB())));
    json.put(
        "settings",
        Map.of(
            "idleSeconds",
            settings.idle().toSeconds(),
            "driftIntervalSeconds",
            settings.driftInterval().toSeconds(),
            "driftWindowSeconds",
            settings.driftWindow().toSeconds(),
            "operatorEnv",
            settings.operatorEnv(),
            "reconcileThreads",
            settings.threads(),
            "creatorThreads",
            Scenarios.CREATORS));
    json.put("seconds", seconds);
    json.put("operator", operator);
    json.put("baseline", baseline);
    Files.createDirectories(BenchCluster.OUT);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(BenchCluster.OUT.resolve("results.json").toFile(), json);
  }

  private static double memoryGiB() throws Exception {
    return Files.readAllLines(Path.of("/proc/meminfo")).stream()
            .filter(l -> l.startsWith("MemTotal:"))
            .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
            .findFirst()
            .orElse(0)
        / 1024.0
        / 1024.0;
  }

  private static Map<String, String> parseEnv(String spec) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String pair : spec.split(";")) {
      if (pair.contains("=")) {
        env.put(
            pair.substring(0, pair.indexOf('=')).strip(),
            pair.substring(pair.indexOf('=') + 1).strip());
      }
    }
    return env;
  }

  /** The operator's reconcile pool size, so the baseline runs at the same concurrency. */
  private static int reconcileThreads(Map<String, String> operatorEnv) throws Exception {
    String fromEnv = operatorEnv.get("QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS");
    if (fromEnv != null) {
      return Integer.parseInt(fromEnv);
    }
    java.util.Properties properties = new java.util.Properties();
    try (var in =
        Files.newInputStream(
            BenchCluster.ROOT.resolve("src/main/resources/application.properties"))) {
      properties.load(in);
    }
    // JOSDK's default (ConfigurationService.DEFAULT_RECONCILIATION_THREADS_NUMBER).
    return Integer.parseInt(
        properties.getProperty("quarkus.operator-sdk.concurrent-reconciliation-threads", "50"));
  }
}
