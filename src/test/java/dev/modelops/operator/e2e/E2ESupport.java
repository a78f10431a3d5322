package dev.modelops.operator.e2e;

import static org.awaitility.Awaitility.await;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtendWith;

/** Shared by the e2e tests: the control plane, a namespace per test class, bounded waits. */
@ExtendWith(DumpLogsOnFailure.class)
abstract class E2ESupport {
  static final Duration CONVERGE = Duration.ofSeconds(120);

  static LocalControlPlane cluster() {
    return LocalControlPlane.get();
  }

  static KubernetesClient api() {
    return cluster().admin();
  }

  /**
   * A fresh namespace that enforces the `restricted` Pod Security profile, as production namespaces
   * should.
   */
  static String restrictedNamespace(String name) {
    api().namespaces().withName(name).delete();
    await("old namespace " + name + " gone")
        .atMost(CONVERGE)
        .until(() -> api().namespaces().withName(name).get() == null);
    api()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(
                    Map.of(
                        "pod-security.kubernetes.io/enforce",
                        "restricted",
                        "pod-security.kubernetes.io/enforce-version",
                        "latest"))
                .endMetadata()
                .build())
        .create();
    await("default ServiceAccount in " + name)
        .atMost(CONVERGE)
        .until(() -> api().serviceAccounts().inNamespace(name).withName("default").get() != null);
    return name;
  }

  /**
   * kubectl apply of a plain ModelDeployment (model name = resource name, s3:// URI by version).
   */
  static void applyModelDeployment(String namespace, String name, String version, int replicas) {
    applyModelDeployment(namespace, name, version, replicas, "");
  }

  /**
   * The same with {@code rollout} (YAML of spec.rollout's fields, e.g. a Canary strategy and its
   * steps).
   */
  static void applyModelDeployment(
      String namespace, String name, String version, int replicas, String rollout) {
    String rolloutSection = rollout.isBlank() ? "" : "  rollout:\n" + rollout.indent(4);
    var result =
        cluster()
            .kubectlWithInput(
                """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s}
        spec:
          model: {name: %s, version: "%s", uri: "s3://models/%s/%s"}
          runtime: {image: "example.test/server:1"}
          scheduling: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]}
          replicas: %d
        %s"""
                    .formatted(name, name, version, name, version, replicas, rolloutSection),
                "apply",
                "-n",
                namespace,
                "-f",
                "-");
    if (result.exitCode() != 0) {
      throw new AssertionError("applying ModelDeployment " + name + " failed: " + result.output());
    }
  }

  /**
   * A RetrainPolicy that only retrains on request (retrain-now): its drift source is a closed port,
   * so it is unavailable and never triggers. {@code extraSpec} adds spec fields (YAML lines, e.g.
   * cooldown).
   */
  static String manualRetrainPolicy(String name, String target, String extraSpec) {
    return """
        apiVersion: modelops.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: %s}
        spec:
          modelDeploymentRef: {name: %s}
          drift:
            prometheus: {endpoint: closed, query: model_drift_score, timeoutSeconds: 1}
            threshold: 0.5
            evaluationInterval: 10s
          promotion: Automatic
          jobTemplate: {spec: {backoffLimit: 0, template: {spec: {nodeSelector: {type: kwok}, tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}], containers: [{name: train, image: example.test/trainer:1}]}}}}
        %s"""
        .formatted(name, target, extraSpec.indent(2));
  }

  static ModelDeployment mdep(String namespace, String name) {
    return api().resources(ModelDeployment.class).inNamespace(namespace).withName(name).get();
  }

  static ModelDeployment awaitMdep(
      String namespace, String name, String what, Predicate<ModelDeployment> condition) {
    return await(namespace + "/" + name + ": " + what)
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> mdep(namespace, name), md -> md != null && condition.test(md));
  }

  static List<Pod> servingPods(String namespace, String name) {
    return api()
        .pods()
        .inNamespace(namespace)
        .withLabel("modelops.dev/deployment", name)
        .list()
        .getItems();
  }

  /**
   * What the kubelet does when a trainer exits: copy /dev/termination-log into the container
   * status.
   */
  static void writeTerminationMessage(String namespace, Job job, String message) {
    Pod pod =
        await("the Job's pod succeeded (kwok)")
            .atMost(CONVERGE)
            .until(
                () ->
                    api()
                        .pods()
                        .inNamespace(namespace)
                        .withLabel("job-name", job.getMetadata().getName())
                        .list()
                        .getItems(),
                pods -> pods.size() == 1 && "Succeeded".equals(pods.get(0).getStatus().getPhase()))
            .get(0);
    List<ContainerStatus> statuses = new ArrayList<>();
    for (var container : pod.getSpec().getContainers()) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(container.getName())
              .withImage(container.getImage())
              .withReady(false)
              .withRestartCount(0)
              .withNewState()
              .withNewTerminated()
              .withExitCode(0)
              .withReason("Completed")
              .withMessage(message)
              .endTerminated()
              .endState()
              .build());
    }
    pod.getStatus().setContainerStatuses(statuses);
    api().pods().inNamespace(namespace).resource(pod).updateStatus();
  }

  /** The retraining Jobs of a RetrainPolicy (by the label the operator puts on them). */
  static List<Job> retrainJobs(String namespace, String policy) {
    return api()
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel("modelops.dev/retrain-policy", policy)
        .list()
        .getItems();
  }

  static boolean running(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && "Running".equals(pod.getStatus().getPhase());
  }
}
