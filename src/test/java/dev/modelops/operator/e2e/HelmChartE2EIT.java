package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Helm chart as a platform team uses it: lint, template against the API server, install,
 * upgrade, a rejected value, uninstall. The commands are the README's "Install with Helm" section.
 * With the real node, the installed operator runs for real (the locally built image): two pods
 * under `restricted`, one holds the Lease and reconciles a ModelDeployment, its metrics answer on
 * the pod IP, and deleting the leader pod hands over. Meanwhile the tests' own operator process is
 * stopped, so the chart's is the only one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmChartE2EIT extends E2ESupport {
  static final String CHART = "helm/modelops-operator";
  static final String RELEASE = "modelops";
  static final String NAMESPACE = "modelops-helm";
  static final String FULLNAME = "modelops-modelops-operator";
  static final YAMLMapper YAML = new YAMLMapper();

  static Processes.Result helm(String... args) {
    List<String> command =
        new ArrayList<>(List.of(LocalControlPlane.STATE.resolve("bin/helm").toString()));
    command.addAll(List.of(args));
    return Processes.run(
        LocalControlPlane.ROOT,
        Map.of("KUBECONFIG", LocalControlPlane.ADMIN_KUBECONFIG.toString()),
        null,
        240,
        command);
  }

  static String helmOrFail(String... args) {
    Processes.Result result = helm(args);
    assertEquals(
        0,
        result.exitCode(),
        () ->
            "helm "
                + String.join(" ", args)
                + " failed: "
                + result.output()
                + "\n"
                + cluster().kubectl("get", "pods,events", "-n", NAMESPACE, "-o", "wide").output());
    return result.stdout();
  }

  @Test
  @Order(1)
  void lintsStrictly() {
    helmOrFail("lint", "--strict", CHART);
  }

  @Test
  @Order(2)
  void everyRenderedObjectIsAcceptedByTheApiServer() {
    namespace();
    for (String set :
        List.of(
            "replicaCount=2",
            "watchNamespaces={default,kube-public}",
            "grafanaDashboard.enabled=true")) {
      String manifests = helmOrFail("template", RELEASE, CHART, "-n", NAMESPACE, "--set", set);
      Processes.Result applied =
          cluster().kubectlWithInput(manifests, "apply", "--dry-run=server", "-f", "-");
      assertEquals(0, applied.exitCode(), () -> "--set " + set + ": " + applied.output());
    }
  }

  @Test
  @Order(3)
  void rbacIsExactlyWhatTheOperatorNeeds() throws IOException {
    List<Object> operatorRules =
        rules(
            Files.readString(LocalControlPlane.ROOT.resolve("deploy/core/cluster-role.yaml")),
            "ClusterRole");
    List<Object> leaseRules =
        rules(
            Files.readString(
                LocalControlPlane.ROOT.resolve("deploy/core/leader-election-role.yaml")),
            "Role");

    List<Map<String, Object>> rendered =
        documents(helmOrFail("template", RELEASE, CHART, "-n", NAMESPACE));
    List<Map<String, Object>> clusterWide = operatorOnly(rendered);
    assertEquals(
        operatorRules,
        only(clusterWide, "ClusterRole").get("rules"),
        "the chart's ClusterRole differs from deploy/core");
    List<Map<String, Object>> userRoles =
        documents(Files.readString(LocalControlPlane.ROOT.resolve("deploy/core/user-roles.yaml")));
    for (Map<String, Object> role : userRoles) {
      Map<String, Object> chartRole =
          rendered.stream().filter(d -> name(d).equals(name(role))).findFirst().orElseThrow();
      assertEquals(role.get("rules"), chartRole.get("rules"), "user role " + name(role));
    }
    assertEquals(
        leaseRules,
        only(clusterWide, "Role").get("rules"),
        "the chart's Lease Role differs from deploy/core");

    List<Map<String, Object>> namespaced =
        operatorOnly(
            documents(
                helmOrFail(
                    "template",
                    RELEASE,
                    CHART,
                    "-n",
                    NAMESPACE,
                    "--set",
                    "watchNamespaces={team-a,team-b}")));
    assertTrue(
        namespaced.stream().noneMatch(d -> d.get("kind").equals("ClusterRole")),
        "watchNamespaces must not grant cluster-wide");
    List<Map<String, Object>> roles =
        namespaced.stream()
            .filter(d -> d.get("kind").equals("Role") && !name(d).endsWith("-leader-election"))
            .toList();
    assertEquals(
        List.of("team-a", "team-b"), roles.stream().map(HelmChartE2EIT::namespaceOf).toList());
    roles.forEach(role -> assertEquals(operatorRules, role.get("rules")));
    String env = YAML.writeValueAsString(only(namespaced, "Deployment"));
    assertTrue(
        env.contains("QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELDEPLOYMENT_NAMESPACES")
            && env.contains("team-a,team-b"),
        env);
  }

  @Test
  @Order(4)
  void aBadValueIsRejectedBeforeAnythingIsInstalled() {
    Processes.Result result =
        helm("install", RELEASE, CHART, "-n", NAMESPACE, "--set", "replicaCount=two");
    assertNotEquals(0, result.exitCode());
    assertTrue(
        result.output().contains("/replicaCount': got string, want integer"), result.output());
    assertNull(api().apps().deployments().inNamespace(NAMESPACE).withName(FULLNAME).get());
  }

  @Test
  @Order(5)
  void installsUpgradesAndUninstalls() throws Exception {
    namespace();
    cluster().stopOperator();
    try {
      installUpgradeUninstall();
    } finally {
      helm("uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout", "120s");
      cluster().startOperator();
    }
  }

  void installUpgradeUninstall() throws Exception {
    List<String> install =
        new ArrayList<>(
            List.of("install", RELEASE, CHART, "-n", NAMESPACE, "--wait", "--timeout", "180s"));
    // deploy/core (installed for the tests' own operator) already has the user roles.
    install.addAll(List.of("--set", "rbac.userRoles=false"));
    install.addAll(localImages());
    helmOrFail(install.toArray(String[]::new));
    if (LocalControlPlane.REAL_NODE) {
      theInstalledOperatorRunsForReal();
    }
    var deployment = api().apps().deployments().inNamespace(NAMESPACE).withName(FULLNAME).get();
    assertEquals(
        2,
        deployment.getStatus().getReadyReplicas(),
        "2 replicas under leader election, admitted as restricted");
    assertNotNull(api().rbac().clusterRoles().withName(FULLNAME).get());
    assertNotNull(api().serviceAccounts().inNamespace(NAMESPACE).withName(FULLNAME).get());
    assertNotNull(
        api().policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName(FULLNAME).get());
    assertNotNull(
        api()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("modeldeployments.modelops.dev")
            .get());

    helmOrFail(
        "upgrade",
        RELEASE,
        CHART,
        "-n",
        NAMESPACE,
        "--reuse-values",
        "--set",
        "replicaCount=3",
        "--set",
        "logging.level=DEBUG",
        "--wait",
        "--timeout",
        "180s");
    deployment = api().apps().deployments().inNamespace(NAMESPACE).withName(FULLNAME).get();
    assertEquals(3, deployment.getStatus().getReadyReplicas());
    assertTrue(helmOrFail("history", RELEASE, "-n", NAMESPACE).contains("Upgrade complete"));

    Processes.Result rejected =
        helm(
            "upgrade",
            RELEASE,
            CHART,
            "-n",
            NAMESPACE,
            "--reuse-values",
            "--set",
            "replicaCount=two");
    assertNotEquals(0, rejected.exitCode(), rejected.output());
    assertEquals(
        3,
        api()
            .apps()
            .deployments()
            .inNamespace(NAMESPACE)
            .withName(FULLNAME)
            .get()
            .getSpec()
            .getReplicas(),
        "a rejected upgrade changes nothing that serves");

    helmOrFail("uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout", "120s");
    await("uninstalled")
        .atMost(CONVERGE)
        .until(
            () ->
                api().apps().deployments().inNamespace(NAMESPACE).withName(FULLNAME).get() == null
                    && api().rbac().clusterRoles().withName(FULLNAME).get() == null);
    assertNotNull(
        api()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("modeldeployments.modelops.dev")
            .get(),
        "helm never deletes CRDs (and with them every ModelDeployment)");
  }

  /** --set flags for the images the real node has (built here), none without it. */
  static List<String> localImages() {
    if (!LocalControlPlane.REAL_NODE) {
      return List.of();
    }
    Processes.Result loaded =
        Processes.run(
            LocalControlPlane.ROOT,
            Map.of(),
            null,
            600,
            List.of("hack/load-images.sh", "operator", "model-puller"));
    assertEquals(0, loaded.exitCode(), loaded.output());
    String operator =
        loaded
            .stdout()
            .lines()
            .filter(l -> l.contains("/modelops-operator:content-"))
            .findFirst()
            .orElseThrow();
    String puller =
        loaded
            .stdout()
            .lines()
            .filter(l -> l.contains("/model-puller:content-"))
            .findFirst()
            .orElseThrow();
    return List.of(
        "--set",
        "image.repository=" + operator.substring(0, operator.lastIndexOf(':')),
        "--set",
        "image.tag=" + operator.substring(operator.lastIndexOf(':') + 1),
        "--set",
        "modelPuller.image=" + puller);
  }

  /** Two real pods; one leads, reconciles and exports metrics; its deletion hands over. */
  void theInstalledOperatorRunsForReal() throws Exception {
    var pods =
        api()
            .pods()
            .inNamespace(NAMESPACE)
            .withLabel("app.kubernetes.io/name", "modelops-operator")
            .list()
            .getItems();
    assertEquals(2, pods.size(), pods.toString());
    for (var pod : pods) {
      assertEquals("modelops-node-0", pod.getSpec().getNodeName(), "on the real node");
      assertEquals(
          185L, pod.getSpec().getSecurityContext().getRunAsUser(), "non-root, as the image");
    }
    String leader = leaseHolder();
    String modelsNs = "e2e-helm-models";
    restrictedNamespace(modelsNs);
    applyModelDeployment(modelsNs, "helm-managed", "1.0.0", 1);
    awaitMdep(
        modelsNs,
        "helm-managed",
        "Ready, reconciled by the operator the chart installed",
        md -> md.getStatus() != null && "Ready".equals(String.valueOf(md.getStatus().phase)));
    var leaderPod =
        pods.stream()
            .filter(p -> leader.startsWith(p.getMetadata().getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no pod holds the Lease: " + leader));
    String metrics =
        await("metrics on the leader's pod IP")
            .atMost(CONVERGE)
            .ignoreExceptions()
            .until(
                () ->
                    java.net.http.HttpClient.newHttpClient()
                        .send(
                            java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(
                                        "http://"
                                            + leaderPod.getStatus().getPodIP()
                                            + ":8080/q/metrics"))
                                .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body(),
                body -> body.contains("modelops_leader 1.0"));
    assertTrue(metrics.contains("reconciliations_started_total"), "JOSDK's metrics are bound");

    api().pods().inNamespace(NAMESPACE).resource(leaderPod).delete();
    String next =
        await("another pod takes the Lease")
            .atMost(CONVERGE)
            .until(HelmChartE2EIT::leaseHolder, holder -> !holder.equals(leader));
    assertTrue(next.startsWith("modelops-modelops-operator-"), next);
    applyModelDeployment(modelsNs, "helm-managed", "1.0.0", 2);
    awaitMdep(
        modelsNs,
        "helm-managed",
        "scaled by the new leader",
        md -> md.getStatus() != null && "2/2".equals(md.getStatus().ready));
    api().namespaces().withName(modelsNs).delete();
  }

  static String leaseHolder() {
    return await("a Lease holder")
        .atMost(CONVERGE)
        .until(
            () -> {
              var lease =
                  api().leases().inNamespace(NAMESPACE).withName(FULLNAME + "-leader").get();
              return lease == null || lease.getSpec().getHolderIdentity() == null
                  ? ""
                  : lease.getSpec().getHolderIdentity();
            },
            holder -> !holder.isEmpty());
  }

  /** The release namespace enforces `restricted`, so the chart's operator pods must pass it. */
  static void namespace() {
    api()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .serverSideApply();
  }

  static List<Map<String, Object>> documents(String yaml) throws IOException {
    List<Map<String, Object>> documents = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> it =
        YAML.readerForMapOf(Object.class).readValues(yaml)) {
      while (it.hasNext()) {
        Map<String, Object> document = it.next();
        if (document != null && !document.isEmpty()) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  @SuppressWarnings("unchecked")
  static List<Object> rules(String yaml, String kind) throws IOException {
    return (List<Object>) only(documents(yaml), kind).get("rules");
  }

  /** Without the aggregated roles for people, which grant the operator nothing. */
  static List<Map<String, Object>> operatorOnly(List<Map<String, Object>> documents) {
    return documents.stream()
        .filter(d -> !List.of("modelops-view", "modelops-edit").contains(name(d)))
        .toList();
  }

  static Map<String, Object> only(List<Map<String, Object>> documents, String kind) {
    List<Map<String, Object>> matching =
        documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    assertEquals(1, matching.size(), "expected one " + kind);
    return matching.get(0);
  }

  @SuppressWarnings("unchecked")
  static String name(Map<String, Object> document) {
    return (String) ((Map<String, Object>) document.get("metadata")).get("name");
  }

  @SuppressWarnings("unchecked")
  static String namespaceOf(Map<String, Object> document) {
    return Objects.toString(((Map<String, Object>) document.get("metadata")).get("namespace"));
  }
}
