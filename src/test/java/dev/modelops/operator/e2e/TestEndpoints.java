package dev.modelops.operator.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The metric endpoints the e2e operator declares, as an administrator would: fixed names, each on a
 * loopback port reserved once per test JVM, where a test then starts its Prometheus or listener.
 * "closed" is a port nothing listens on. Metric queries go nowhere else. The model registry it
 * declares is the platform's MLflow, "mlflow".
 */
final class TestEndpoints {
  /**
   * The platform's MLflow (hack/mlflow-up.sh, MODELOPS_MLFLOW=1), as the e2e operator's registry.
   */
  static final String MLFLOW = "http://10.88.0.1:5000";

  static final List<String> NAMES = List.of("canary", "retrain", "gauge", "listener", "prometheus");
  private static final Map<String, Integer> PORTS = reserve();

  private TestEndpoints() {}

  static int port(String name) {
    Integer port = PORTS.get(name);
    if (port == null) {
      throw new IllegalArgumentException("no test endpoint " + name + "; declared: " + NAMES);
    }
    return port;
  }

  static String url(String name) {
    return "http://127.0.0.1:" + port(name);
  }

  /**
   * The platform's Prometheus on the real node (hack/platform-up.sh), which scrapes the real
   * serving pods: declared as "default", the endpoint deploy/examples name.
   */
  static final String PLATFORM_PROMETHEUS = "http://10.88.0.1:9090";

  /** MODELOPS_METRIC_ENDPOINTS of the operator under test. */
  static String declaration() {
    return "closed=http://127.0.0.1:9,default="
        + PLATFORM_PROMETHEUS
        + ","
        + PORTS.keySet().stream().map(n -> n + "=" + url(n)).collect(Collectors.joining(","));
  }

  /** MODELOPS_MODEL_REGISTRIES of the operator under test (also its UI link). */
  static String registries() {
    return "mlflow=" + MLFLOW;
  }

  private static Map<String, Integer> reserve() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String name : NAMES) {
      try (ServerSocket socket = new ServerSocket(0)) {
        ports.put(name, socket.getLocalPort());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return ports;
  }
}
