package dev.modelops.operator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The ClusterRole in deploy/ grants exactly what the code uses: no wildcards, and per resource the
 * verbs below, each with the code path that needs it. A new permission must be added here with its
 * reason.
 */
class LeastPrivilegeTest {
  static final Path ROLE =
      Path.of(System.getProperty("modelops.project.dir", "."))
          .resolve("deploy/core/cluster-role.yaml");

  /** resource -> verbs, and why. */
  static final Map<String, Set<String>> NEEDED =
      Map.ofEntries(
          // informers (get/list/watch); status and annotation-removal merge patches; SSA promotion
          // of spec.model
          Map.entry("modelops.dev/modeldeployments", Set.of("get", "list", "watch", "patch")),
          Map.entry("modelops.dev/retrainpolicies", Set.of("get", "list", "watch", "patch")),
          // JOSDK status patches (Server-Side Apply; nothing updates status)
          Map.entry("modelops.dev/modeldeployments/status", Set.of("get", "patch")),
          Map.entry("modelops.dev/retrainpolicies/status", Set.of("get", "patch")),
          // owner references with blockOwnerDeletion on children and Jobs
          Map.entry("modelops.dev/modeldeployments/finalizers", Set.of("update")),
          Map.entry("modelops.dev/retrainpolicies/finalizers", Set.of("update")),
          // managed dependents: informer + create/SSA patch/update + delete (canary, HPA when
          // switched off)
          Map.entry(
              "apps/deployments",
              Set.of("get", "list", "watch", "create", "patch", "update", "delete")),
          Map.entry(
              "/services", Set.of("get", "list", "watch", "create", "patch", "update", "delete")),
          Map.entry(
              "autoscaling/horizontalpodautoscalers",
              Set.of("get", "list", "watch", "create", "patch", "update", "delete")),
          // retraining Jobs: informer, create, delete (Replace, history limits)
          Map.entry("batch/jobs", Set.of("get", "list", "watch", "create", "delete")),
          // pod informers: trainer pods (termination messages); serving pods only where podMetrics
          // policies scrape
          Map.entry("/pods", Set.of("get", "list", "watch")),
          // read by name only when a resource references one (ClusterReferences): credentials
          // and workload Secrets that opted in, baseline ConfigMaps, ServiceAccounts that opted in
          Map.entry("/secrets", Set.of("get")),
          Map.entry("/configmaps", Set.of("get")),
          Map.entry("/serviceaccounts", Set.of("get")),
          // EventRecorder creates each Event once (never patches one)
          Map.entry("/events", Set.of("create")));

  @Test
  void theShippedRoleGrantsExactlyWhatTheCodeUses() throws IOException {
    ClusterRole role = Serialization.unmarshal(Files.readString(ROLE), ClusterRole.class);
    Map<String, Set<String>> granted = new TreeMap<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          assertFalse(
              group.contains("*") || resource.contains("*") || rule.getVerbs().contains("*"),
              "wildcard in " + rule);
          granted
              .computeIfAbsent(group + "/" + resource, k -> new TreeSet<>())
              .addAll(rule.getVerbs());
        }
      }
    }
    Map<String, Set<String>> needed = new TreeMap<>();
    NEEDED.forEach((k, v) -> needed.put(k, new TreeSet<>(v)));
    assertEquals(needed, granted, "deploy/core/cluster-role.yaml differs from what the code needs");
  }
}
