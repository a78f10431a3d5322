package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentRef;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainPolicySpec;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import dev.modelops.operator.serving.ModelDeployments;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetrainJobFactoryTest {

  static RetrainPolicy policy(String jobTemplateJson) throws Exception {
    RetrainPolicy policy = new RetrainPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder()
            .withName("churn-drift")
            .withNamespace("ml")
            .withUid("p-uid")
            .build());
    policy.setSpec(new RetrainPolicySpec());
    policy.getSpec().modelDeploymentRef = new ModelDeploymentRef();
    policy.getSpec().modelDeploymentRef.name = "churn";
    policy.getSpec().jobTemplate = new ObjectMapper().readTree(jobTemplateJson);
    return policy;
  }

  static final String TEMPLATE =
      """
      {"metadata": {"labels": {"team": "ds"}},
       "spec": {"backoffLimit": 0, "template": {"spec": {"containers": [
         {"name": "train", "image": "example.test/trainer:1", "env": [{"name": "MODEL_URI", "value": "stale"}, {"name": "EPOCHS", "value": "3"}]}]}}}}
      """;

  @Test
  void theNthRetrainAlwaysHasTheSameShortName() {
    assertEquals("churn-drift-retrain-7", RetrainJobFactory.jobName("churn-drift", 7));
    String longName = "a".repeat(60);
    String name = RetrainJobFactory.jobName(longName, 123);
    assertTrue(name.length() <= 63, name);
    assertTrue(name.endsWith("-retrain-123"));
  }

  @Test
  void longPolicyNamesGetAHashOfTheWholeNameSoTheyNeverCollide() {
    String shared = "recommendation-ranking-model-for-the-european-market-";
    String a = shared + "prod";
    String b = shared + "test";
    for (long n : new long[] {1, 9, 10, 12345, Long.MAX_VALUE}) {
      String jobA = RetrainJobFactory.jobName(a, n);
      String jobB = RetrainJobFactory.jobName(b, n);
      assertFalse(jobA.equals(jobB), jobA);
      for (String job : new String[] {jobA, jobB}) {
        assertTrue(job.length() <= 63, job);
        assertTrue(job.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), job + " is a DNS label");
        assertTrue(job.endsWith("-retrain-" + n), job);
      }
      assertEquals(jobA, RetrainJobFactory.jobName(a, n), "the same name every time");
    }
    // The hash is the first 8 hex digits of the SHA-256 of the whole name.
    assertTrue(
        RetrainJobFactory.jobName(a, 1)
            .matches("^recommendation-ranking-model-for-the-europea-[0-9a-f]{8}-retrain-1$"),
        RetrainJobFactory.jobName(a, 1));
  }

  @Test
  void aShortenedNameNeverEndsItsPrefixWithADashOrADot() {
    String name = RetrainJobFactory.jobName("a".repeat(43) + "-.-" + "b".repeat(17), 1);
    assertTrue(name.matches("^a{43}-[0-9a-f]{8}-retrain-1$"), name);
  }

  @Test
  void namesThatFitKeepTheirPlainForm() {
    String fits = "p".repeat(53);
    assertEquals(fits + "-retrain-1", RetrainJobFactory.jobName(fits, 1));
    assertTrue(RetrainJobFactory.jobName(fits, 10).matches("^p+-[0-9a-f]{8}-retrain-10$"));
  }

  @Test
  void theJobCarriesTheModelAndTriggerToEveryContainer() throws Exception {
    Job job =
        RetrainJobFactory.build(
            policy(TEMPLATE), ModelDeployments.churn("1.4.0"), Trigger.drift, 0.31234, 2);
    assertEquals("churn-drift-retrain-2", job.getMetadata().getName());
    assertEquals("ml", job.getMetadata().getNamespace());
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> env =
        c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertEquals("churn-model", env.get("MODEL_NAME"));
    assertEquals("1.4.0", env.get("MODEL_VERSION"));
    assertEquals(
        "s3://models/churn/1.4.0", env.get("MODEL_URI"), "our value replaces the template's");
    assertEquals("0.3123", env.get("DRIFT_SCORE"));
    assertEquals("drift", env.get("TRIGGER"));
    assertEquals("3", env.get("EPOCHS"));
    assertEquals(1, c.getEnv().stream().filter(e -> e.getName().equals("MODEL_URI")).count());
    assertTrue(!env.containsKey("MODEL_STORAGE_URI"), "only for a registry reference");
  }

  @Test
  void aTrainerOfARegistryModelGetsTheReferenceItsVersionAndWhereItIs() throws Exception {
    var target = ModelDeployments.churn("1.4.0");
    target.getSpec().model.version = null;
    target.getSpec().model.uri = "models:/churn@champion";
    target.setStatus(new dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus());
    target.getStatus().registry = new dev.modelops.operator.api.v1alpha1.RegistryModel();
    target.getStatus().registry.version = "7";
    target.getStatus().registry.storageUri = "s3://mlflow/1/abc/artifacts/model";
    Job job = RetrainJobFactory.build(policy(TEMPLATE), target, Trigger.manual, null, 1);
    Map<String, String> env =
        job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertEquals("models:/churn@champion", env.get("MODEL_URI"));
    assertEquals("7", env.get("MODEL_VERSION"));
    assertEquals("s3://mlflow/1/abc/artifacts/model", env.get("MODEL_STORAGE_URI"));
  }

  @Test
  void theJobIsOwnedLabelledAndRestrictedByDefault() throws Exception {
    Job job =
        RetrainJobFactory.build(
            policy(TEMPLATE), ModelDeployments.churn("1"), Trigger.manual, null, 1);
    var owner = job.getMetadata().getOwnerReferences().get(0);
    assertEquals("RetrainPolicy", owner.getKind());
    assertEquals("p-uid", owner.getUid());
    assertTrue(owner.getController());
    assertEquals("churn-drift", job.getMetadata().getLabels().get("modelops.dev/retrain-policy"));
    assertEquals("ds", job.getMetadata().getLabels().get("team"));
    assertEquals(
        "manual",
        job.getSpec().getTemplate().getMetadata().getLabels().get("modelops.dev/trigger"));
    assertEquals(
        "modelops-operator",
        job.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    assertEquals("1", job.getMetadata().getAnnotations().get("modelops.dev/retrain-sequence"));
    var pod = job.getSpec().getTemplate().getSpec();
    assertEquals("Never", pod.getRestartPolicy());
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertFalse(pod.getContainers().get(0).getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(0, job.getSpec().getBackoffLimit());
  }

  @Test
  void aTemplateWithoutContainersOrWithABadRestartPolicyIsExplained() throws Exception {
    var none =
        assertThrows(
            InvalidJobTemplateException.class,
            () -> RetrainJobFactory.template(policy("{\"spec\": {\"template\": {\"spec\": {}}}}")));
    assertTrue(none.getMessage().contains("at least one container"), none.getMessage());
    var always =
        assertThrows(
            InvalidJobTemplateException.class,
            () ->
                RetrainJobFactory.template(
                    policy(
                        "{\"spec\": {\"template\": {\"spec\": {\"restartPolicy\": \"Always\", \"containers\": [{\"name\": \"t\", \"image\": \"x\"}]}}}}")));
    assertTrue(always.getMessage().contains("Never or OnFailure"), always.getMessage());
    var noImage =
        assertThrows(
            InvalidJobTemplateException.class,
            () ->
                RetrainJobFactory.template(
                    policy(
                        "{\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"t\"}]}}}}")));
    assertTrue(noImage.getMessage().contains("no image"), noImage.getMessage());
    var notATemplate =
        assertThrows(
            InvalidJobTemplateException.class,
            () -> RetrainJobFactory.template(policy("{\"spec\": {\"parallelism\": \"many\"}}")));
    assertTrue(notATemplate.getMessage().contains("JobTemplateSpec"), notATemplate.getMessage());
  }
}
