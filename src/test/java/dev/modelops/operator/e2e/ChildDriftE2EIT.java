package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Children deleted or edited by hand converge back to the spec; a retraining Job deleted by hand is
 * recorded.
 */
class ChildDriftE2EIT extends E2ESupport {
  static final String NS = "e2e-child-drift";

  @BeforeAll
  static void servingModel() {
    restrictedNamespace(NS);
    applyModelDeployment(NS, "drifty", "1.0.0", 2);
    cluster()
        .kubectlOrFail("wait", "-n", NS, "--for=condition=Ready", "mdep/drifty", "--timeout=120s");
  }

  @Test
  void aDeletedDeploymentOrServiceIsRecreated() {
    String oldUid = deployment().getMetadata().getUid();
    cluster().kubectlOrFail("delete", "deployment", "drifty", "-n", NS);
    cluster().kubectlOrFail("delete", "service", "drifty", "-n", NS);
    await("Deployment and Service recreated")
        .atMost(CONVERGE)
        .until(
            () ->
                deployment() != null
                    && !oldUid.equals(deployment().getMetadata().getUid())
                    && api().services().inNamespace(NS).withName("drifty").get() != null);
    awaitMdep(
        NS,
        "drifty",
        "Ready again",
        md ->
            "Ready".equals(String.valueOf(md.getStatus().phase))
                && "2/2".equals(md.getStatus().ready));
  }

  @Test
  void editsToTheDeploymentAreUndone() {
    cluster()
        .kubectlOrFail("set", "image", "deployment/drifty", "-n", NS, "server=example.test/evil:6");
    cluster().kubectlOrFail("scale", "deployment/drifty", "-n", NS, "--replicas=5");
    await("image and replicas back to the spec")
        .atMost(CONVERGE)
        .until(
            () -> {
              Deployment d = deployment();
              return d.getSpec().getReplicas() == 2
                  && "example.test/server:1"
                      .equals(
                          d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
            });
  }

  @Test
  void aRetrainingJobDeletedByHandIsRecordedAsFailed() {
    cluster()
        .kubectlWithInput(
            """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: drifty-retrain}
        spec:
          modelDeploymentRef: {name: drifty}
          schedule: "0 0 1 1 *"
          jobTemplate:
            spec:
              template:
                spec:
                  nodeSelector: {type: kwok}
                  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
                  containers: [{name: train, image: example.test/trainer:1, command: ["sleep", "3600"]}]
        """,
            "apply",
            "-n",
            NS,
            "-f",
            "-");
    await().atMost(CONVERGE).until(() -> policy() != null && policy().getStatus() != null);
    cluster()
        .kubectlOrFail("annotate", "rtp", "drifty-retrain", "-n", NS, "modelops.dev/retrain-now=1");
    await("Job created")
        .atMost(CONVERGE)
        .until(
            () ->
                api().batch().v1().jobs().inNamespace(NS).withName("drifty-retrain-retrain-1").get()
                    != null);
    cluster().kubectlOrFail("delete", "job", "drifty-retrain-retrain-1", "-n", NS);

    RetrainPolicy recorded =
        await("recorded")
            .atMost(CONVERGE)
            .until(
                ChildDriftE2EIT::policy,
                p ->
                    !p.getStatus().history.isEmpty()
                        && p.getStatus().history.get(0).outcome == RetrainRecord.Outcome.Failed);
    assertEquals(
        RetrainRecord.Promotion.NotPromoted, recorded.getStatus().history.get(0).promotion);
    assertEquals(null, recorded.getStatus().activeJob);
  }

  static Deployment deployment() {
    return api().apps().deployments().inNamespace(NS).withName("drifty").get();
  }

  static RetrainPolicy policy() {
    return api().resources(RetrainPolicy.class).inNamespace(NS).withName("drifty-retrain").get();
  }
}
