package dev.modelops.operator.retrain;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentRef;
import dev.modelops.operator.api.v1alpha1.PrometheusSource;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.api.v1alpha1.RetrainRecord;
import dev.modelops.operator.serving.ModelDeployments;
import dev.modelops.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Wiring of the RetrainPolicy controller against the Fabric8 mock server and a fake Prometheus. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(FakePrometheusResource.class)
class RetrainPolicyReconcilerMockTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Duration QUIET = Duration.ofSeconds(4);
  static final String NS = "ml";
  static FakePrometheus prometheus;

  @Inject KubernetesClient client;

  @BeforeAll
  static void fakePrometheus() {
    prometheus = FakePrometheusResource.prometheus;
  }

  @AfterEach
  void cleanUp() {
    client.resources(RetrainPolicy.class).inNamespace(NS).delete();
    client.resources(ModelDeployment.class).inNamespace(NS).delete();
    client.batch().v1().jobs().inNamespace(NS).delete();
    client.pods().inNamespace(NS).delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(RetrainPolicy.class).inNamespace(NS).list().getItems().isEmpty()
                    && client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  void sustainedDriftStartsExactlyOneJobAndItsModelIsPromoted() throws Exception {
    target("churn");
    prometheus.score(0.5);
    RetrainPolicy policy =
        create(policy("churn-drift", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid));

    Job job = await().atMost(WAIT).until(() -> jobs(), list -> list.size() == 1).get(0);
    assertEquals("churn-drift-retrain-1", job.getMetadata().getName());
    assertEquals("RetrainPolicy", job.getMetadata().getOwnerReferences().get(0).getKind());
    assertEquals(
        policy.getMetadata().getUid(), job.getMetadata().getOwnerReferences().get(0).getUid());
    var env = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    assertTrue(
        env.stream().anyMatch(e -> e.getName().equals("TRIGGER") && e.getValue().equals("drift")));
    assertTrue(
        env.stream()
            .anyMatch(e -> e.getName().equals("DRIFT_SCORE") && e.getValue().equals("0.5000")));
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> jobs().size() == 1);
    RetrainPolicy running = get("churn-drift");
    assertEquals("churn-drift-retrain-1", running.getStatus().activeJob);
    assertTrue(Conditions.isTrue(running.getStatus().conditions, "Retraining"));
    assertTrue(Conditions.isTrue(running.getStatus().conditions, "DriftDetected"));

    complete(job, "{\"version\": \"1.5.0\", \"uri\": \"s3://models/churn/1.5.0\"}");

    ModelDeployment promoted =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").get(),
                md -> "1.5.0".equals(md.getSpec().model.version));
    assertEquals("s3://models/churn/1.5.0", promoted.getSpec().model.uri);
    assertTrue(
        promoted
            .getMetadata()
            .getAnnotations()
            .get("modelops.dev/promoted-by")
            .contains("churn-drift-retrain-1"));
    RetrainPolicy done =
        await()
            .atMost(WAIT)
            .until(
                () -> get("churn-drift"),
                p -> p.getStatus().history.get(0).outcome == RetrainRecord.Outcome.Succeeded);
    assertEquals(RetrainRecord.Promotion.Promoted, done.getStatus().history.get(0).promotion);
    assertEquals("1.5.0", done.getStatus().history.get(0).version);
    assertNull(done.getStatus().activeJob);

    // Drift is still high, but the cooldown (1h) holds it back.
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> jobs().size() == 1);
  }

  @Test
  void anUnavailableSourceIsReportedAndNeverTriggers() {
    target("fraud");
    prometheus.score(null);
    create(policy("fraud-drift", "fraud", 0.2, RetrainPolicySpec.Concurrency.Forbid));
    RetrainPolicy policy =
        await()
            .atMost(WAIT)
            .until(
                () -> get("fraud-drift"),
                p ->
                    p.getStatus() != null
                        && "QueryFailed"
                            .equals(
                                Conditions.reason(p.getStatus().conditions, "SourceAvailable")
                                    .orElse("")));
    String message =
        Conditions.find(policy.getStatus().conditions, "SourceAvailable")
            .orElseThrow()
            .getMessage();
    assertTrue(message.contains("HTTP 503"), message);
    assertFalse(message.contains("storage unavailable"), "the remote error text is not echoed");
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> jobs().isEmpty());
  }

  @Test
  void theRetrainNowAnnotationStartsOneManualJobAndIsRemoved() {
    target("churn");
    prometheus.score(0.0);
    create(policy("churn-manual", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid));
    await().atMost(WAIT).until(() -> get("churn-manual").getStatus() != null);

    annotate("churn-manual", RetrainPolicy.RETRAIN_NOW_ANNOTATION, "please");
    Job job = await().atMost(WAIT).until(() -> jobs(), list -> list.size() == 1).get(0);
    assertEquals("manual", job.getMetadata().getLabels().get("modelops.dev/trigger"));
    await()
        .atMost(WAIT)
        .until(() -> annotationGone("churn-manual", RetrainPolicy.RETRAIN_NOW_ANNOTATION));
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> jobs().size() == 1);
  }

  @Test
  void replaceDeletesTheRunningJobForANewManualTrigger() {
    target("churn");
    prometheus.score(0.0);
    create(policy("churn-replace", "churn", 0.2, RetrainPolicySpec.Concurrency.Replace));
    await().atMost(WAIT).until(() -> get("churn-replace").getStatus() != null);
    annotate("churn-replace", RetrainPolicy.RETRAIN_NOW_ANNOTATION, "first");
    await().atMost(WAIT).until(() -> jobNames().equals(List.of("churn-replace-retrain-1")));
    await()
        .atMost(WAIT)
        .until(() -> annotationGone("churn-replace", RetrainPolicy.RETRAIN_NOW_ANNOTATION));

    annotate("churn-replace", RetrainPolicy.RETRAIN_NOW_ANNOTATION, "second");
    await().atMost(WAIT).until(() -> jobNames().equals(List.of("churn-replace-retrain-2")));
    RetrainPolicy policy =
        await()
            .atMost(WAIT)
            .until(() -> get("churn-replace"), p -> p.getStatus().history.size() == 2);
    assertEquals(RetrainRecord.Outcome.Replaced, policy.getStatus().history.get(1).outcome);
  }

  @Test
  void aJobThatAPreviousRunCreatedIsAdoptedNotDuplicated() throws Exception {
    target("churn");
    prometheus.score(0.9);
    RetrainPolicy suspended =
        policy("churn-adopt", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid);
    suspended.getSpec().suspend = true;
    RetrainPolicy created = create(suspended);
    // What a run that died between creating the Job and recording it leaves behind.
    Job orphan =
        RetrainJobFactory.build(
            created,
            client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").get(),
            RetrainRecord.Trigger.drift,
            0.9,
            1);
    orphan
        .getMetadata()
        .getAnnotations()
        .put(RetrainJobView.TRIGGER_ID_ANNOTATION, "drift:2026-11-27T00:00:00Z");
    client.resource(orphan).create();

    mergePatch("churn-adopt", "{\"spec\": {\"suspend\": false}}");
    RetrainPolicy adopted =
        await()
            .atMost(WAIT)
            .until(
                () -> get("churn-adopt"),
                p ->
                    p.getStatus() != null
                        && "churn-adopt-retrain-1".equals(p.getStatus().activeJob));
    assertEquals(1L, adopted.getStatus().retrainCount);
    assertEquals("churn-adopt-retrain-1", adopted.getStatus().history.get(0).job);
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(() -> jobNames().equals(List.of("churn-adopt-retrain-1")));
  }

  @Test
  void theNextScheduleSlotStartsExactlyOneScheduledJob() {
    target("churn");
    prometheus.score(0.0);
    RetrainPolicy everyMinute =
        policy("churn-cron", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid);
    everyMinute.getSpec().schedule = "* * * * *";
    create(everyMinute);

    // The first slot after creation is at most a minute away.
    Job job =
        await().atMost(Duration.ofSeconds(75)).until(() -> jobs(), list -> !list.isEmpty()).get(0);
    assertEquals("schedule", job.getMetadata().getLabels().get("modelops.dev/trigger"));
    RetrainPolicy policy =
        await()
            .atMost(WAIT)
            .until(() -> get("churn-cron"), p -> p.getStatus().lastScheduleTime != null);
    assertTrue(
        policy.getStatus().lastScheduleTime.endsWith(":00Z"), policy.getStatus().lastScheduleTime);
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> jobs().size() == 1);
  }

  @Test
  void aScheduleThatOnlyLooksLikeCronIsReportedAndStartsNothing() {
    target("churn");
    prometheus.score(0.9);
    RetrainPolicy bad = policy("churn-badcron", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid);
    bad.getSpec().schedule = "61 * * * *";
    create(bad);
    RetrainPolicy degraded =
        await()
            .atMost(WAIT)
            .until(
                () -> get("churn-badcron"),
                p ->
                    p.getStatus() != null
                        && "InvalidSchedule"
                            .equals(
                                Conditions.reason(p.getStatus().conditions, "Retraining")
                                    .orElse("")));
    assertEquals("Degraded", degraded.getStatus().phase.name());
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> jobs().isEmpty());
    assertTrue(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e ->
                    "InvalidSchedule".equals(e.getReason())
                        && e.getMessage().contains("61 * * * *")));
  }

  @Test
  void aSlowOrGarbledPrometheusIsUnavailableNeverATriggerAndRecovers() {
    target("churn");
    prometheus.garbage("<html>502 Bad Gateway</html>");
    RetrainPolicy faulty =
        policy("churn-faults", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid);
    faulty.getSpec().drift.prometheus.timeoutSeconds = 1;
    create(faulty);
    await().atMost(WAIT).until(() -> sourceReason("churn-faults").equals("UnparseableResponse"));

    prometheus.garbage(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    await().atMost(WAIT).until(() -> sourceReason("churn-faults").equals("NoData"));

    prometheus.score(0.9);
    prometheus.delay(2500);
    await().atMost(WAIT).until(() -> sourceReason("churn-faults").equals("SourceTimeout"));
    assertTrue(jobs().isEmpty(), "a drift score nobody could read triggers nothing");

    prometheus.score(0.9);
    await().atMost(WAIT).until(() -> sourceReason("churn-faults").equals("ScoreMeasured"));
    await().atMost(WAIT).until(() -> jobs().size() == 1);
  }

  @Test
  void aJobTheWatchHasNotDeliveredYetIsConfirmedNotCountedAsDeleted() throws Exception {
    target("churn");
    prometheus.score(0.9);
    RetrainPolicy suspended =
        policy("churn-lag", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid);
    suspended.getSpec().suspend = true;
    RetrainPolicy created = create(suspended);
    await().atMost(WAIT).until(() -> get("churn-lag").getStatus() != null);

    // The Job a reconcile created, which the Job informer has not seen yet: it lacks the label the
    // informer selects on, as a watch that lags behind would.
    Job lagging =
        RetrainJobFactory.build(
            created,
            client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").get(),
            RetrainRecord.Trigger.drift,
            0.9,
            1);
    lagging.getMetadata().getLabels().remove(RetrainJobFactory.POLICY_LABEL);
    lagging
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels()
        .remove(RetrainJobFactory.POLICY_LABEL);
    lagging
        .getMetadata()
        .getAnnotations()
        .put(RetrainJobView.TRIGGER_ID_ANNOTATION, "drift:2026-11-27T00:00:00Z");
    client.resource(lagging).create();
    client
        .resources(RetrainPolicy.class)
        .inNamespace(NS)
        .withName("churn-lag")
        .editStatus(
            p -> {
              p.getStatus().retrainCount = 1L;
              p.getStatus().activeJob = "churn-lag-retrain-1";
              p.getStatus().history =
                  new java.util.ArrayList<>(
                      List.of(
                          RetrainHistory.started(
                              "churn-lag-retrain-1",
                              RetrainRecord.Trigger.drift,
                              0.9,
                              Instant.now())));
              return p;
            });

    mergePatch("churn-lag", "{\"spec\": {\"suspend\": false}}");
    await()
        .atMost(WAIT)
        .until(() -> get("churn-lag"), p -> Boolean.FALSE.equals(p.getSpec().suspend));
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(
            () -> {
              RetrainPolicy p = get("churn-lag");
              return jobNames().equals(List.of("churn-lag-retrain-1"))
                  && p.getStatus().history.size() == 1
                  && p.getStatus().history.get(0).outcome == RetrainRecord.Outcome.Running;
            });
    assertTrue(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .noneMatch(
                e ->
                    "RetrainFailed".equals(e.getReason())
                        && "churn-lag".equals(e.getInvolvedObject().getName())),
        "a Job that exists is never reported deleted");
  }

  @Test
  void aForeignJobHoldingTheNameIsNeitherAdoptedNorTouched() throws Exception {
    target("churn");
    prometheus.score(0.9);
    RetrainPolicy suspended =
        policy("churn-foreign", "churn", 0.2, RetrainPolicySpec.Concurrency.Forbid);
    suspended.getSpec().suspend = true;
    RetrainPolicy created = create(suspended);
    await().atMost(WAIT).until(() -> get("churn-foreign").getStatus() != null);

    // Another policy's Job (another owner UID, another trigger) where ours would go.
    Job foreign =
        RetrainJobFactory.build(
            created,
            client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").get(),
            RetrainRecord.Trigger.manual,
            null,
            1);
    foreign.getMetadata().getOwnerReferences().get(0).setUid("someone-else");
    foreign.getMetadata().getOwnerReferences().get(0).setName("someone-else");
    foreign.getMetadata().getAnnotations().put(RetrainJobView.TRIGGER_ID_ANNOTATION, "manual:x");
    client.resource(foreign).create();

    mergePatch("churn-foreign", "{\"spec\": {\"suspend\": false}}");
    RetrainPolicy degraded =
        await()
            .atMost(WAIT)
            .until(
                () -> get("churn-foreign"),
                p ->
                    p.getStatus() != null
                        && "JobNameTaken"
                            .equals(
                                Conditions.reason(p.getStatus().conditions, "Retraining")
                                    .orElse("")));
    assertEquals("Degraded", degraded.getStatus().phase.name());
    assertTrue(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .anyMatch(
                e ->
                    "JobNameTaken".equals(e.getReason())
                        && e.getMessage().contains("churn-foreign-retrain-1")));
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(
            () -> {
              Job held =
                  client
                      .batch()
                      .v1()
                      .jobs()
                      .inNamespace(NS)
                      .withName("churn-foreign-retrain-1")
                      .get();
              return jobNames().equals(List.of("churn-foreign-retrain-1"))
                  && "someone-else".equals(held.getMetadata().getOwnerReferences().get(0).getUid())
                  && "manual:x"
                      .equals(
                          held.getMetadata()
                              .getAnnotations()
                              .get(RetrainJobView.TRIGGER_ID_ANNOTATION))
                  && get("churn-foreign").getStatus().history.stream()
                      .noneMatch(r -> r.job.equals("churn-foreign-retrain-1"));
            });
  }

  // --- helpers ---

  String sourceReason(String policy) {
    RetrainPolicy p = get(policy);
    return p == null || p.getStatus() == null
        ? ""
        : Conditions.reason(p.getStatus().conditions, "SourceAvailable").orElse("");
  }

  void target(String name) {
    ModelDeployment md = ModelDeployments.churn("1.4.0");
    md.getMetadata().setName(name);
    md.getMetadata().setGeneration(null);
    md.getMetadata().setUid(null);
    client.resource(md).inNamespace(NS).createOr(existing -> existing.update());
  }

  RetrainPolicy policy(
      String name, String target, double threshold, RetrainPolicySpec.Concurrency concurrency) {
    RetrainPolicy policy = new RetrainPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    RetrainPolicySpec spec = new RetrainPolicySpec();
    spec.modelDeploymentRef = new ModelDeploymentRef();
    spec.modelDeploymentRef.name = target;
    spec.drift = new DriftSpec();
    spec.drift.prometheus = new PrometheusSource();
    spec.drift.prometheus.endpoint = "fake";
    spec.drift.prometheus.query = "model_drift_score";
    spec.drift.threshold = threshold;
    spec.drift.forDuration = "0s";
    spec.drift.evaluationInterval = "1s";
    spec.cooldown = "1h";
    spec.concurrency = concurrency;
    spec.promotion = RetrainPolicySpec.Promotion.Automatic;
    try {
      spec.jobTemplate =
          new ObjectMapper()
              .readTree(
                  "{\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"train\", \"image\": \"example.test/trainer:1\"}]}}}}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    policy.setSpec(spec);
    return policy;
  }

  RetrainPolicy create(RetrainPolicy policy) {
    return client.resource(policy).create();
  }

  RetrainPolicy get(String name) {
    return client.resources(RetrainPolicy.class).inNamespace(NS).withName(name).get();
  }

  List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems();
  }

  List<String> jobNames() {
    return jobs().stream()
        .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
        .map(j -> j.getMetadata().getName())
        .sorted()
        .toList();
  }

  void annotate(String policy, String key, String value) {
    mergePatch(policy, "{\"metadata\": {\"annotations\": {\"" + key + "\": \"" + value + "\"}}}");
  }

  /**
   * The mock server's merge patch leaves a removed key with a null value; the API server deletes
   * it.
   */
  boolean annotationGone(String policy, String key) {
    var annotations = get(policy).getMetadata().getAnnotations();
    return annotations == null || annotations.get(key) == null;
  }

  /**
   * Like kubectl patch: no resourceVersion, so it cannot conflict with the operator's status
   * writes.
   */
  void mergePatch(String policy, String json) {
    client
        .resources(RetrainPolicy.class)
        .inNamespace(NS)
        .withName(policy)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            json);
  }

  /**
   * Plays the Job controller and the kubelet: a succeeded pod with the trainer's termination
   * message.
   */
  void complete(Job job, String terminationMessage) {
    String uid =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(NS)
            .withName(job.getMetadata().getName())
            .get()
            .getMetadata()
            .getUid();
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(job.getMetadata().getName() + "-pod")
                .withNamespace(NS)
                .withCreationTimestamp(Instant.now().toString())
                .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
                .addToLabels("job-name", job.getMetadata().getName())
                .addNewOwnerReference()
                .withApiVersion("batch/v1")
                .withKind("Job")
                .withName(job.getMetadata().getName())
                .withUid(uid)
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus()
                .withPhase("Succeeded")
                .addNewContainerStatus()
                .withName("train")
                .withNewState()
                .withNewTerminated()
                .withExitCode(0)
                .withMessage(terminationMessage)
                .endTerminated()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
    Job fresh =
        client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get();
    fresh.setStatus(
        new JobStatusBuilder()
            .withSucceeded(1)
            .withConditions(
                new JobConditionBuilder()
                    .withType("Complete")
                    .withStatus("True")
                    .withLastTransitionTime(Instant.now().toString())
                    .build())
            .build());
    client.batch().v1().jobs().inNamespace(NS).resource(fresh).updateStatus();
  }
}
