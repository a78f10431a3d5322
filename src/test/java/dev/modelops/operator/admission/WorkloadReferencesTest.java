package dev.modelops.operator.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Secrets and ServiceAccounts reach a pod the operator creates only when they opted in. */
class WorkloadReferencesTest {
  static final String AT = "jobTemplate.spec.template.spec";

  /** The namespace offers the Secret "offered" and the ServiceAccount "trainer". */
  static final WorkloadReferences.Access ACCESS =
      new WorkloadReferences.Access() {
        @Override
        public boolean secretUsable(String name) {
          return Set.of("offered").contains(name);
        }

        @Override
        public boolean serviceAccountUsable(String name) {
          return Set.of("trainer").contains(name);
        }
      };

  static List<String> refusals(String yaml) {
    return WorkloadReferences.refusals(
        Serialization.unmarshal(yaml, PodSpec.class), AT, "trainer", ACCESS);
  }

  @Test
  void onlyOfferedSecretsAndIdentitiesPass() {
    assertEquals(
        List.of(),
        refusals(
            """
            serviceAccountName: trainer
            automountServiceAccountToken: true
            volumes: [{name: s, secret: {secretName: offered}}]
            containers: [{name: t, image: x, env: [{name: A, valueFrom: {secretKeyRef: {name: offered, key: k}}}]}]
            """));
  }

  @Test
  void everyWayToReachAnotherSecretIsRefused() {
    List<String> refused =
        refusals(
            """
            imagePullSecrets: [{name: registry}]
            volumes:
            - {name: s, secret: {secretName: db}}
            - {name: p, projected: {sources: [{secret: {name: api}}]}}
            containers:
            - name: t
              image: x
              env: [{name: A, valueFrom: {secretKeyRef: {name: token, key: k}}}]
              envFrom: [{secretRef: {name: all}}]
            """);
    assertEquals(5, refused.size(), refused.toString());
    assertTrue(refused.get(0).startsWith(AT + ".imagePullSecrets: Secret registry cannot be used"));
    assertTrue(refused.stream().anyMatch(r -> r.startsWith(AT + ".volumes[0].secret: Secret db")));
    assertTrue(
        refused.stream()
            .anyMatch(r -> r.startsWith(AT + ".volumes[1].projected.secret: Secret api")));
  }

  @Test
  void anotherIdentityOrADefaultTokenIsRefused() {
    assertTrue(
        refusals("serviceAccountName: admin\ncontainers: [{name: t, image: x}]")
            .get(0)
            .startsWith(AT + ".serviceAccountName: ServiceAccount admin cannot be used"));
    assertTrue(
        refusals("automountServiceAccountToken: true\ncontainers: [{name: t, image: x}]")
            .get(0)
            .startsWith(
                AT
                    + ".automountServiceAccountToken: ServiceAccount default cannot be used with a"
                    + " token"));
    assertEquals(List.of(), refusals("containers: [{name: t, image: x}]"), "no token: fine");
  }

  @Test
  void servingPodsAreCheckedForWhatTheirSpecChose() {
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.runtime =
        Serialization.unmarshal(
            "image: x\nenv: [{name: K, valueFrom: {secretKeyRef: {name: db, key: password}}}]",
            RuntimeSpec.class);
    spec.serviceAccountName = "admin";
    List<String> refused = WorkloadReferences.servingRefusals(spec, ACCESS);
    assertEquals(2, refused.size(), refused.toString());
    assertTrue(refused.get(0).startsWith("spec.serviceAccountName: ServiceAccount admin"));
    assertTrue(refused.get(1).startsWith("spec.runtime.env (K).valueFrom.secretKeyRef: Secret db"));
  }
}
