package dev.modelops.operator.bench;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.serving.ServingDeploymentDependent;
import dev.modelops.operator.serving.ServingNames;
import dev.modelops.operator.serving.ServingServiceDependent;
import dev.modelops.operator.serving.ServingStatusCalculator;
import dev.modelops.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The physical limit the operator is compared with: the same children (the operator's own
 * Deployment and Service builders, Server-Side Apply) and the same status (the operator's own
 * calculator, written only when it changes), straight from Fabric8 informers and a fixed pool of
 * `threads` workers — no framework, no Events, no retries. One worker at a time per
 * ModelDeployment, like JOSDK. It runs in a JVM of its own, started cold and with the same JVM
 * flags as the operator's (see {@link #main}): in the bench's JVM it would run on code the bench
 * had already compiled, and just-in-time compilation is a good part of what a fresh JVM spends
 * while converging.
 */
final class BaselineController {
  static final String FIELD_MANAGER = "modelops-bench-baseline";
  private final KubernetesClient client;
  private final String namespace;
  private final String pullerImage;
  private final ExecutorService workers;
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Set<String> applied = ConcurrentHashMap.newKeySet();
  private final Map<String, ModelDeploymentStatus> written = new ConcurrentHashMap<>();
  private SharedIndexInformer<ModelDeployment> primaries;
  private SharedIndexInformer<Deployment> deployments;

  static final String STARTED = "baseline controller started";

  /**
   * Arguments: kubeconfig, namespace, reconcile threads, puller image. Runs until the process is
   * stopped.
   */
  public static void main(String[] args) throws InterruptedException {
    KubernetesClient client = BenchCluster.client(java.nio.file.Path.of(args[0]), FIELD_MANAGER);
    BaselineController controller =
        new BaselineController(client, args[1], Integer.parseInt(args[2]), args[3]);
    controller.start();
    System.out.println(STARTED);
    System.out.flush();
    Thread.currentThread().join();
  }

  BaselineController(KubernetesClient client, String namespace, int threads, String pullerImage) {
    this.client = client;
    this.namespace = namespace;
    this.pullerImage = pullerImage;
    this.workers = Executors.newFixedThreadPool(threads);
  }

  void start() {
    deployments =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withLabel("app.kubernetes.io/managed-by", ServingNames.MANAGED_BY)
            .inform(handler(d -> enqueue(d.getMetadata().getName())), 0);
    primaries =
        client
            .resources(ModelDeployment.class)
            .inNamespace(namespace)
            .inform(handler(md -> enqueue(md.getMetadata().getName())), 0);
  }

  private void enqueue(String name) {
    if (queued.add(name)) {
      workers.submit(
          () -> {
            queued.remove(name);
            synchronized (locks.computeIfAbsent(name, k -> new Object())) {
              try {
                reconcile(name);
              } catch (RuntimeException e) {
                // Like a controller's retry, minus the backoff: the benchmark would rather see it
                // fail loudly.
                System.err.println("baseline: " + name + ": " + e.getMessage());
                applied.remove(name);
                enqueue(name);
              }
            }
          });
    }
  }

  private void reconcile(String name) {
    ModelDeployment md = primaries.getStore().getByKey(namespace + "/" + name);
    if (md == null) {
      return;
    }
    if (applied.add(name)) {
      apply(md, ServingDeploymentDependent.build(md, pullerImage));
      apply(md, ServingServiceDependent.build(md));
    }
    Deployment deployment =
        deployments.getStore().getByKey(namespace + "/" + ServingNames.deploymentName(md));
    ModelDeploymentStatus status =
        ServingStatusCalculator.compute(md, Optional.ofNullable(deployment), Instant.now())
            .status();
    ModelDeploymentStatus known = written.getOrDefault(name, md.getStatus());
    if (StatusChange.differs(known, status)) {
      // Without a resourceVersion: a merge patch of status that never conflicts, like the
      // operator's apply.
      ModelDeployment update = new ModelDeployment();
      update.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
              .withName(md.getMetadata().getName())
              .withNamespace(namespace)
              .build());
      update.setStatus(status);
      client.resource(update).patchStatus();
      written.put(name, status);
    }
  }

  private void apply(ModelDeployment owner, HasMetadata child) {
    child
        .getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion(owner.getApiVersion())
                    .withKind(owner.getKind())
                    .withName(owner.getMetadata().getName())
                    .withUid(owner.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build()));
    client.resource(child).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  private static <T> ResourceEventHandler<T> handler(Consumer<T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        onChange.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }
}
