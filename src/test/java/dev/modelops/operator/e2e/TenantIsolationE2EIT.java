package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a namespace user gains by creating our resources: nothing else. Every step runs as `alice`
 * (kubectl --as), who may create ModelDeployments and RetrainPolicies in her namespace (the
 * aggregated modelops-edit role) and nothing more; the namespace has no Pod Security label, so only
 * the operator's own checks stand between her and the node.
 */
class TenantIsolationE2EIT extends E2ESupport {
  static final String NS = "e2e-tenant";
  static final String SECRET_VALUE = "db-password-7f3a9c";
  static final String MARKER = "internal-admin-page-4242";
  static final Duration QUIET = Duration.ofSeconds(15);

  /** The declared endpoint "listener": records what reaches it, answers as the test says. */
  static HttpServer listener;

  /** An address nobody declared: nothing may ever reach it. */
  static HttpServer undeclared;

  static final List<String> authorizations = new CopyOnWriteArrayList<>();
  static final AtomicInteger undeclaredRequests = new AtomicInteger();
  static volatile String mode = "garbage";

  @BeforeAll
  static void aliceAndHerNamespace() throws IOException {
    api().namespaces().withName(NS).delete();
    await().atMost(CONVERGE).until(() -> api().namespaces().withName(NS).get() == null);
    api()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    await()
        .atMost(CONVERGE)
        .until(() -> api().serviceAccounts().inNamespace(NS).withName("default").get() != null);
    api()
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("alice-edit")
                .withNamespace(NS)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "modelops-edit")
                .addNewSubject()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("User")
                .withName("alice")
                .endSubject()
                .build())
        .create();
    api()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("db-password")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("token", SECRET_VALUE, "password", SECRET_VALUE))
                .build())
        .create();
    api()
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("namespace-admin")
                .withNamespace(NS)
                .endMetadata()
                .build())
        .create();

    listener =
        HttpServer.create(new InetSocketAddress("127.0.0.1", TestEndpoints.port("listener")), 0);
    listener.setExecutor(Executors.newCachedThreadPool());
    listener.createContext(
        "/",
        exchange -> {
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          if (auth != null) {
            authorizations.add(auth);
          }
          try (OutputStream out = exchange.getResponseBody()) {
            switch (mode) {
              case "huge" -> {
                exchange.sendResponseHeaders(200, 0);
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 1024; i++) { // 64 MiB, far over the 4 MiB cap
                  out.write(chunk);
                }
              }
              case "trickle" -> {
                exchange.sendResponseHeaders(200, 0);
                for (int i = 0; i < 60; i++) {
                  out.write('{');
                  out.flush();
                  Thread.sleep(500);
                }
              }
              default -> {
                byte[] body = ("<html>" + MARKER + "</html>").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
              }
            }
          } catch (IOException | InterruptedException e) {
            // the operator hung up: that is the point of the cap and the deadline
          }
        });
    listener.start();
    undeclared = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    undeclared.createContext(
        "/",
        exchange -> {
          undeclaredRequests.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    undeclared.start();
  }

  @AfterAll
  static void stopListeners() {
    listener.stop(0);
    undeclared.stop(0);
  }

  /** kubectl as alice. */
  static Processes.Result alice(String yaml, String... args) {
    String[] all = new String[args.length + 1];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--as=alice";
    return cluster().kubectlWithInput(yaml, all);
  }

  static void aliceApplies(String yaml) {
    Processes.Result result = alice(yaml, "apply", "-n", NS, "-f", "-");
    assertEquals(0, result.exitCode(), result.output());
  }

  @Test
  void aliceMayCreateOurKindsButNotReadSecretsOrCreatePods() {
    assertNotEquals(0, alice(null, "get", "secret", "db-password", "-n", NS).exitCode());
    assertEquals("no", alice(null, "auth", "can-i", "create", "pods", "-n", NS).stdout().trim());
    assertEquals(
        "yes",
        alice(null, "auth", "can-i", "create", "retrainpolicies.modelops.dev", "-n", NS)
            .stdout()
            .trim());
  }

  @Test
  void aSecretSheCannotReadNeverReachesHerListener() {
    aliceApplies(modelDeployment("thief"));
    aliceApplies(
        policy(
            "steal-token",
            "thief",
            "prometheus: {endpoint: listener, query: up, authSecretRef: {name: db-password}}"));
    RetrainPolicy refused = awaitSource("steal-token", "CredentialsNotUsable");
    String message =
        Conditions.find(refused.getStatus().conditions, "SourceAvailable")
            .orElseThrow()
            .getMessage();
    assertFalse(message.contains(SECRET_VALUE));
    assertTrue(
        authorizations.stream().noneMatch(a -> a.contains(SECRET_VALUE)),
        authorizations.toString());

    // The same refusal for a Secret that does not exist: nothing tells her which Secrets there are.
    aliceApplies(
        policy(
            "probe-secret",
            "thief",
            "prometheus: {endpoint: listener, query: up, authSecretRef: {name: no-such-secret}}"));
    RetrainPolicy probed = awaitSource("probe-secret", "CredentialsNotUsable");
    assertEquals(
        message.replace("db-password", "no-such-secret"),
        Conditions.find(probed.getStatus().conditions, "SourceAvailable")
            .orElseThrow()
            .getMessage());
  }

  @Test
  void anAddressNobodyDeclaredIsNeverCalled() {
    aliceApplies(modelDeployment("ssrf"));
    aliceApplies(
        policy(
            "ssrf",
            "ssrf",
            "prometheus: {url: \"http://127.0.0.1:"
                + undeclared.getAddress().getPort()
                + "\", query: up}"));
    awaitSource("ssrf", "EndpointNotAllowed");
    await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> undeclaredRequests.get() == 0);
  }

  @Test
  void whatAnEndpointAnswersIsNeverEchoed() throws IOException {
    mode = "garbage";
    aliceApplies(modelDeployment("echo"));
    aliceApplies(policy("echo", "echo", "prometheus: {endpoint: listener, query: up}"));
    awaitSource("echo", "UnparseableResponse");
    String everything =
        cluster().kubectlOrFail("get", "rtp", "-n", NS, "-o", "yaml")
            + cluster().kubectlOrFail("get", "events", "-n", NS, "-o", "yaml")
            + Files.readString(LocalControlPlane.OPERATOR_LOG);
    assertFalse(everything.contains(MARKER), "the body came back");
  }

  @Test
  void anOversizedOrTricklingAnswerLeavesOtherModelsConverging() {
    aliceApplies(modelDeployment("neighbour"));
    aliceApplies(modelDeployment("flood"));
    aliceApplies(
        policy("flood", "flood", "prometheus: {endpoint: listener, query: up, timeoutSeconds: 3}"));
    mode = "huge";
    awaitSource("flood", "ResponseTooLarge");
    scaleNeighbour(2);
    mode = "trickle";
    awaitSource("flood", "SourceTimeout");
    scaleNeighbour(3);
    mode = "garbage";
  }

  @Test
  void aTrainerPodWiderThanRestrictedIsNeverCreated() {
    aliceApplies(modelDeployment("escape"));
    aliceApplies(
        policy(
            "escape",
            "escape",
            "prometheus: {endpoint: closed, query: up}",
            """
            spec:
              template:
                spec:
                  hostPID: true
                  securityContext: {runAsUser: 0}
                  volumes: [{name: root, hostPath: {path: /}}]
                  containers:
                    - name: train
                      image: example.test/trainer:1
                      securityContext: {capabilities: {add: [SYS_ADMIN]}}
                      volumeMounts: [{name: root, mountPath: /host}]
            """));
    assertEquals(
        0,
        alice(null, "annotate", "rtp", "escape", "-n", NS, "modelops.dev/retrain-now=now")
            .exitCode());
    RetrainPolicy policy = awaitRetraining("escape", "UnsafeJobTemplate");
    String message =
        Conditions.find(policy.getStatus().conditions, "Retraining").orElseThrow().getMessage();
    for (String field : List.of("hostPID", "hostPath", "runAsUser", "SYS_ADMIN")) {
      assertTrue(message.contains(field), message);
    }
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(10))
        .until(() -> api().batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void anIdentityOrSecretThatDidNotOptInIsRefused() {
    aliceApplies(modelDeployment("borrow"));
    aliceApplies(
        policy(
            "borrow",
            "borrow",
            "prometheus: {endpoint: closed, query: up}",
            """
            spec:
              template:
                spec:
                  serviceAccountName: namespace-admin
                  containers:
                    - name: train
                      image: example.test/trainer:1
                      env: [{name: DB, valueFrom: {secretKeyRef: {name: db-password, key: password}}}]
            """));
    alice(null, "annotate", "rtp", "borrow", "-n", NS, "modelops.dev/retrain-now=now");
    RetrainPolicy policy = awaitRetraining("borrow", "ReferenceNotAllowed");
    String message =
        Conditions.find(policy.getStatus().conditions, "Retraining").orElseThrow().getMessage();
    assertTrue(message.contains("ServiceAccount namespace-admin"), message);
    assertTrue(message.contains("Secret db-password"), message);

    aliceApplies(
        modelDeployment("leaky")
            + "    env: [{name: DB, valueFrom: {secretKeyRef: {name: db-password, key: password}}}]\n");
    ModelDeployment leaky =
        awaitMdep(
            NS,
            "leaky",
            "Degraded ReferenceNotAllowed",
            md ->
                md.getStatus() != null
                    && "ReferenceNotAllowed"
                        .equals(
                            Conditions.reason(md.getStatus().conditions, "Degraded").orElse("")));
    assertTrue(
        leaky.getStatus().conditions.stream()
            .anyMatch(c -> c.getMessage().contains("db-password")));
    assertEquals(
        null,
        api().apps().deployments().inNamespace(NS).withName("leaky").get(),
        "no pod template with it");
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(10))
        .until(() -> api().batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
  }

  // --- helpers ---

  void scaleNeighbour(int replicas) {
    assertEquals(
        0, alice(null, "scale", "mdep/neighbour", "-n", NS, "--replicas=" + replicas).exitCode());
    await("neighbour's Deployment follows while another tenant floods")
        .atMost(CONVERGE)
        .until(
            () -> {
              var d = api().apps().deployments().inNamespace(NS).withName("neighbour").get();
              return d != null && d.getSpec().getReplicas() == replicas;
            });
  }

  RetrainPolicy awaitSource(String name, String reason) {
    return await(name + ": SourceAvailable " + reason)
        .atMost(CONVERGE)
        .until(
            () -> api().resources(RetrainPolicy.class).inNamespace(NS).withName(name).get(),
            p ->
                p != null
                    && p.getStatus() != null
                    && reason.equals(
                        Conditions.reason(p.getStatus().conditions, "SourceAvailable").orElse("")));
  }

  RetrainPolicy awaitRetraining(String name, String reason) {
    return await(name + ": Retraining " + reason)
        .atMost(CONVERGE)
        .until(
            () -> api().resources(RetrainPolicy.class).inNamespace(NS).withName(name).get(),
            p ->
                p != null
                    && p.getStatus() != null
                    && reason.equals(
                        Conditions.reason(p.getStatus().conditions, "Retraining").orElse("")));
  }

  /** A kwok-served ModelDeployment; callers may append runtime lines (4-space indent). */
  static String modelDeployment(String name) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          model: {name: %s, version: "1", uri: "s3://models/%s/1"}
          replicas: 1
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
          runtime:
            image: example.test/server:1
        """
        .formatted(name, name, name);
  }

  static String policy(String name, String target, String source) {
    return policy(
        name,
        target,
        source,
        "spec: {template: {spec: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}], containers: [{name: train, image: example.test/trainer:1}]}}}");
  }

  static String policy(String name, String target, String source, String jobTemplate) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s}
        spec:
          modelDeploymentRef: {name: %s}
          drift:
            %s
            threshold: 0.5
            evaluationInterval: 10s
          jobTemplate:
        %s"""
        .formatted(name, target, source, jobTemplate.indent(4));
  }
}
