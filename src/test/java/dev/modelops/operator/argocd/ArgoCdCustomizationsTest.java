package dev.modelops.operator.argocd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The health checks and actions in deploy/argocd/argocd-cm.yaml, run as Argo CD runs them (Lua 5.1,
 * Argo CD's sandbox) against realistic objects in every state the operator reports
 * (src/test/resources/argocd/).
 */
class ArgoCdCustomizationsTest {
  static final Path PROJECT = Path.of(System.getProperty("modelops.project.dir", "."));
  static final String MDEP = "ModelDeployment";
  static final String RTP = "RetrainPolicy";
  static final String PROMOTE = "modelops.dev/promote";
  static final String ABORT = "modelops.dev/abort";
  static final String RETRAIN_NOW = "modelops.dev/retrain-now";
  static final String APPROVE = "modelops.dev/approve";
  static final YAMLMapper YAML = new YAMLMapper();

  @TempDir static Path workDir;
  static ArgoCdLua lua;
  static ArgoCdCustomizations argocd;

  record Health(String status, String message) {}

  @BeforeAll
  static void start() throws Exception {
    lua = ArgoCdLua.start(workDir);
    argocd = ArgoCdCustomizations.load(PROJECT.resolve("deploy/argocd/argocd-cm.yaml"));
  }

  static Stream<Arguments> modelDeploymentHealth() {
    String paused =
        "canary 1.5.0 step 4/4, weight 50%: paused until promoted: annotate modelops.dev/promote=1.5.0"
            + " (or abort=1.5.0)";
    String rolledBack =
        "version 1.5.0 was rolled back: 2 failed measurement(s), more than failureLimit 1; latest:"
            + " 2026-11-27T10:12:00Z Failure: [error-rate=0.094 Failure]; version 1.4.0 keeps serving; set spec.model to"
            + " a new version (or back to the serving one)";
    return Stream.of(
        arguments("no-status", "Progressing", "waiting for the modelops operator to report status"),
        arguments(
            "generation-not-observed",
            "Progressing",
            "waiting for the modelops operator to observe generation 2"),
        arguments("pending", "Progressing", "rolling out version 1.4.0: 0/2 pods updated"),
        arguments("rolling-update", "Progressing", "rolling out version 1.5.0: 1/2 pods updated"),
        arguments("healthy", "Healthy", "2/2 pods ready, serving version 1.4.0"),
        arguments("scaled-to-zero", "Healthy", "scaled to zero replicas"),
        arguments("pods-not-ready", "Progressing", "1/2 pods available"),
        arguments("canary-starting", "Progressing", "canary 1.5.0 is starting"),
        arguments(
            "canary-waiting-for-pods",
            "Progressing",
            "canary 1.5.0 step 1/4, weight 25%: waiting for the canary pods of weight 25%"),
        arguments(
            "canary-analysing",
            "Progressing",
            "canary 1.5.0 step 2/4, weight 25%: analysis 2/5 measurements, 0 failed"),
        arguments(
            "canary-timed-pause",
            "Progressing",
            "canary 1.5.0 step 2/3, weight 25%: pausing until 2026-11-27T10:10:40Z"),
        arguments("canary-paused", "Suspended", paused),
        arguments(
            "canary-inconclusive",
            "Suspended",
            "canary 1.5.0 step 2/4, weight 25%: analysis was inconclusive"
                + " (5 of 5): annotate modelops.dev/promote=1.5.0 or abort=1.5.0"),
        arguments("rolled-back", "Degraded", rolledBack),
        arguments(
            "aborted",
            "Degraded",
            "version 1.5.0 was rolled back: rollout of 1.5.0 aborted by annotation;"
                + " version 1.4.0 keeps serving; set spec.model to a new version (or back to the serving one)"),
        arguments(
            "progress-deadline",
            "Degraded",
            "version 1.5.0 made no progress: ReplicaSet \"churn-7d9f8c6b5\" has"
                + " timed out progressing.; version 1.4.0 keeps serving"),
        arguments(
            "replica-failure",
            "Degraded",
            "pods cannot be created: pods \"churn-7d9f8c6b5-x2x7q\" is forbidden:"
                + " violates PodSecurity \"restricted:latest\": unrestricted capabilities (container \"server\" must set"
                + " securityContext.capabilities.drop=[\"ALL\"])"),
        arguments(
            "permission-denied",
            "Degraded",
            "the operator's RBAC role does not allow this:"
                + " horizontalpodautoscalers.autoscaling \"churn\" is forbidden: User"
                + " \"system:serviceaccount:modelops-system:modelops-operator\" cannot patch resource"
                + " \"horizontalpodautoscalers\" in API group \"autoscaling\" in the namespace \"ml\""),
        arguments(
            "serving-model-unknown",
            "Degraded",
            "the model the stable pods serve is not known: the status says version 1.4.0 served,"
                + " but status.servingModel and Deployment churn are gone; spec.model is not rolled out"
                + " without its canary. To start over with spec.model as a first version, clear the"
                + " status: kubectl patch mdep churn -n ml --subresource=status --type=merge -p"
                + " '{\"status\":null}'"),
        arguments(
            "name-conflict",
            "Degraded",
            "Deployment ranker-canary, which the canary of ModelDeployment ranker needs, belongs to"
                + " ModelDeployment ranker-canary; no canary runs and nothing is changed until one of"
                + " them is renamed"),
        arguments(
            "degraded-fixed-in-git",
            "Progressing",
            "waiting for the modelops operator to observe generation 3"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource
  void modelDeploymentHealth(String fixture, String status, String message) throws Exception {
    assertEquals(new Health(status, message), health(MDEP, fixture));
  }

  static Stream<Arguments> retrainPolicyHealth() {
    return Stream.of(
        arguments("no-status", "Progressing", "waiting for the modelops operator to report status"),
        arguments("not-yet-evaluated", "Progressing", "waiting for the first drift evaluation"),
        arguments("watching", "Healthy", "score 0.05 is at or below the threshold 0.2"),
        arguments(
            "drifting",
            "Healthy",
            "score 0.31 is above the threshold 0.2 since 2026-11-27T10:00:00Z (must hold for 10m)"),
        arguments(
            "last-retrain-failed",
            "Healthy",
            "score 0.12 is at or below the threshold 0.2; last retrain"
                + " (Job churn-drift-retrain-3): the Job failed: BackoffLimitExceeded"),
        arguments(
            "backing-off",
            "Healthy",
            "score 0.31 is above the threshold 0.2 since 2026-11-26T15:40:00Z (must hold for 10m);"
                + " last retrain (Job churn-drift-retrain-3): the trainer wrote no termination message;"
                + " it must write {\"version\": ..., \"uri\": ...} to /dev/termination-log; 3 failures"
                + " in a row: drift may start the next retrain from 2026-11-28T10:30:00Z (cooldown 6h"
                + " backed off to 24h)"),
        arguments("retraining", "Progressing", "retraining Job churn-drift-retrain-3 is running"),
        arguments(
            "awaiting-approval",
            "Suspended",
            "model 1.5.0 from Job churn-drift-retrain-3 awaits approval:"
                + " annotate modelops.dev/approve=1.5.0 or run the approve-candidate action"),
        arguments(
            "suspended",
            "Suspended",
            "suspended (spec.suspend): drift is not evaluated and no retrain starts"),
        arguments(
            "suspended-job-running",
            "Suspended",
            "suspended (spec.suspend): drift is not evaluated and no"
                + " retrain starts; Job churn-drift-retrain-3 is left to finish"),
        arguments(
            "source-unavailable",
            "Degraded",
            "drift source unavailable (SourceUnreachable): cannot scrape pod"
                + " churn-7d9f8c6b5-x2x7q at http://10.42.0.17:8080/metrics: java.net.ConnectException: Connection"
                + " refused; drift cannot trigger a retrain until it answers"),
        arguments(
            "target-missing", "Degraded", "ModelDeployment churn does not exist in namespace ml"),
        arguments(
            "permission-denied",
            "Degraded",
            "the operator's RBAC role does not allow this: jobs.batch is"
                + " forbidden: User \"system:serviceaccount:modelops-system:modelops-operator\" cannot create resource"
                + " \"jobs\" in API group \"batch\" in the namespace \"ml\""),
        arguments(
            "generation-not-observed",
            "Progressing",
            "waiting for the modelops operator to observe generation 2"),
        arguments(
            "degraded-fixed-in-git",
            "Progressing",
            "waiting for the modelops operator to observe generation 2"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource
  void retrainPolicyHealth(String fixture, String status, String message) throws Exception {
    assertEquals(new Health(status, message), health(RTP, fixture));
  }

  @Test
  void everyFixtureHasItsExpectedHealthAbove() throws Exception {
    assertEquals(fixtureNames(MDEP), expectedNames(modelDeploymentHealth()));
    assertEquals(fixtureNames(RTP), expectedNames(retrainPolicyHealth()));
  }

  /**
   * Fixtures in the shape the operator writes: unknown fields or phases fail to read into the api
   * classes.
   */
  @Test
  void everyFixtureIsAValidObjectOfItsKind() throws Exception {
    YAMLMapper strict =
        YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    for (String name : fixtureNames(MDEP)) {
      strict.readValue(fixtureFile(MDEP, name).toFile(), ModelDeployment.class);
    }
    for (String name : fixtureNames(RTP)) {
      strict.readValue(fixtureFile(RTP, name).toFile(), RetrainPolicy.class);
    }
  }

  @Test
  void promoteAndAbortAreOfferedExactlyWhileACanaryRuns() throws Exception {
    for (String name : fixtureNames(MDEP)) {
      JsonNode md = fixture(MDEP, name);
      boolean canaryRuns = !md.path("status").path("rollout").isMissingNode();
      JsonNode actions = discover(MDEP, md);
      assertEquals(Set.of("promote", "abort"), names(actions), name);
      assertEquals(!canaryRuns, disabled(actions, "promote"), name + ": promote");
      assertEquals(!canaryRuns, disabled(actions, "abort"), name + ": abort");
    }
  }

  @Test
  void aPendingPromoteOrAbortDisablesBothUntilTheOperatorRemovesIt() throws Exception {
    for (String pending : new String[] {PROMOTE, ABORT}) {
      JsonNode actions =
          discover(MDEP, withAnnotation(fixture(MDEP, "canary-paused"), pending, "true"));
      assertTrue(disabled(actions, "promote"), pending);
      assertTrue(disabled(actions, "abort"), pending);
    }
  }

  static Stream<Arguments> canaryActions() {
    return Stream.of(
        arguments("promote", "canary-paused", PROMOTE),
        arguments("promote", "canary-inconclusive", PROMOTE),
        arguments("abort", "canary-analysing", ABORT),
        // canary-starting has no metadata.annotations at all
        arguments("promote", "canary-starting", PROMOTE),
        arguments("abort", "canary-starting", ABORT));
  }

  /** The value names the canary's version, so the request acts on that canary and no later one. */
  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("canaryActions")
  void canaryActionsAddOnlyTheirAnnotation(String action, String fixture, String annotation)
      throws Exception {
    JsonNode md = fixture(MDEP, fixture);
    JsonNode changed = lua.run(argocd.action(MDEP, action), md);
    String canary = md.path("status").path("rollout").path("canaryVersion").asText();
    assertEquals("1.5.0", canary, fixture);
    assertSameObject(withAnnotation(md, annotation, canary), changed);
  }

  @ParameterizedTest(name = "{0} without a rollout")
  @ValueSource(strings = {"promote", "abort"})
  void canaryActionsChangeNothingWhenNoCanaryRuns(String action) throws Exception {
    JsonNode md = fixture(MDEP, "healthy");
    assertSameObject(md, lua.run(argocd.action(MDEP, action), md));
  }

  static Stream<Arguments> retrainPolicyActionsOffered() {
    return Stream.of(
        // fixture, retrain offered, approve-candidate offered
        arguments("watching", true, false),
        arguments("drifting", true, false),
        arguments("last-retrain-failed", true, false),
        arguments("source-unavailable", true, false),
        arguments("awaiting-approval", true, true),
        arguments("retraining", false, false),
        arguments("suspended", false, false),
        arguments("suspended-job-running", false, false),
        arguments("target-missing", false, false),
        arguments("permission-denied", false, false),
        arguments("no-status", true, false));
  }

  @ParameterizedTest(name = "{0}: retrain {1}, approve-candidate {2}")
  @MethodSource
  void retrainPolicyActionsOffered(String fixture, boolean retrain, boolean approve)
      throws Exception {
    JsonNode actions = discover(RTP, fixture(RTP, fixture));
    assertEquals(Set.of("retrain", "approve-candidate"), names(actions));
    assertEquals(!retrain, disabled(actions, "retrain"), "retrain");
    assertEquals(!approve, disabled(actions, "approve-candidate"), "approve-candidate");
  }

  @Test
  void retrainIsOfferedWhileAJobRunsWhenANewTriggerReplacesIt() throws Exception {
    ObjectNode replace = (ObjectNode) fixture(RTP, "retraining");
    ((ObjectNode) replace.path("spec")).put("concurrency", "Replace");
    assertFalse(disabled(discover(RTP, replace), "retrain"));
  }

  @Test
  void aPendingRequestIsNotOfferedTwice() throws Exception {
    assertTrue(
        disabled(
            discover(RTP, withAnnotation(fixture(RTP, "watching"), RETRAIN_NOW, "x")), "retrain"));
    assertTrue(
        disabled(
            discover(RTP, withAnnotation(fixture(RTP, "awaiting-approval"), APPROVE, "1.5.0")),
            "approve-candidate"));
  }

  @Test
  void approveCandidateNamesAndApprovesExactlyTheCandidateInStatus() throws Exception {
    JsonNode policy = fixture(RTP, "awaiting-approval");
    assertEquals(
        "Approve model 1.5.0",
        discover(RTP, policy).path("approve-candidate").path("displayName").asText());
    JsonNode changed = lua.run(argocd.action(RTP, "approve-candidate"), policy);
    assertSameObject(withAnnotation(policy, APPROVE, "1.5.0"), changed);
  }

  @Test
  void approveCandidateWithoutACandidateFailsAndChangesNothing() throws Exception {
    ArgoCdLua.ScriptFailed failure =
        assertThrows(
            ArgoCdLua.ScriptFailed.class,
            () -> lua.run(argocd.action(RTP, "approve-candidate"), fixture(RTP, "watching")));
    assertTrue(
        failure.getMessage().contains("no trained model awaits approval"), failure.getMessage());
  }

  @Test
  void retrainRequestsARetrainWithANewValueEachTime() throws Exception {
    JsonNode policy = fixture(RTP, "watching");
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonNode changed = lua.run(argocd.action(RTP, "retrain"), policy);
    Instant after = Instant.now();
    String stamp = changed.path("metadata").path("annotations").path(RETRAIN_NOW).asText();
    Instant requested = Instant.parse(stamp);
    assertFalse(requested.isBefore(before) || requested.isAfter(after), stamp + " is not now");
    assertSameObject(withAnnotation(policy, RETRAIN_NOW, stamp), changed);

    JsonNode noAnnotations = fixture(RTP, "watching");
    ((ObjectNode) noAnnotations.path("metadata")).remove("annotations");
    JsonNode created = lua.run(argocd.action(RTP, "retrain"), noAnnotations);
    assertEquals(Set.of(RETRAIN_NOW), names(created.path("metadata").path("annotations")));
  }

  @Test
  void everyDiscoveredActionHasADefinition() throws Exception {
    assertEquals(
        names(discover(MDEP, fixture(MDEP, "canary-paused"))),
        new TreeSet<>(argocd.actionNames(MDEP)));
    assertEquals(
        names(discover(RTP, fixture(RTP, "awaiting-approval"))),
        new TreeSet<>(argocd.actionNames(RTP)));
  }

  /**
   * The sandbox is as strict as Argo CD's: a script that passes here cannot fail there for a
   * missing library.
   */
  @Test
  void theSandboxHasNoStringOrMathLibraryLikeArgoCd() throws Exception {
    JsonNode md = fixture(MDEP, "healthy");
    for (String script :
        new String[] {
          "return {status = string.upper('x')}",
          "return {status = ('x'):upper()}",
          "return {status = tostring(math.floor(1.5))}",
          "return {status = io.read()}"
        }) {
      assertThrows(ArgoCdLua.ScriptFailed.class, () -> lua.run(script, md), script);
    }
    assertEquals(
        "2026", lua.run("return {year = os.date('!%Y', 1795000000)}", md).path("year").asText());
  }

  private static Health health(String kind, String fixture) throws Exception {
    JsonNode result = lua.run(argocd.health(kind), fixture(kind, fixture));
    assertEquals(
        Set.of("status", "message"), names(result), "a health script returns status and message");
    return new Health(result.path("status").asText(), result.path("message").asText());
  }

  private static JsonNode discover(String kind, JsonNode object) throws Exception {
    return lua.run(argocd.discovery(kind), object);
  }

  private static boolean disabled(JsonNode actions, String name) {
    assertTrue(actions.has(name), "discovery offers " + name);
    return actions.path(name).path("disabled").asBoolean(false);
  }

  private static JsonNode fixture(String kind, String name) throws IOException {
    return YAML.readTree(fixtureFile(kind, name).toFile());
  }

  private static Path fixtureFile(String kind, String name) {
    return fixtureDir(kind).resolve(name + ".yaml");
  }

  private static Path fixtureDir(String kind) {
    try {
      return Path.of(
          ArgoCdCustomizationsTest.class.getResource("/argocd/" + kind.toLowerCase()).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> fixtureNames(String kind) throws IOException {
    try (Stream<Path> files = Files.list(fixtureDir(kind))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".yaml"))
          .map(f -> f.substring(0, f.length() - ".yaml".length()))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> expectedNames(Stream<Arguments> cases) {
    return cases.map(c -> (String) c.get()[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode withAnnotation(JsonNode object, String key, String value) {
    ObjectNode copy = object.deepCopy();
    ((ObjectNode) copy.path("metadata")).withObject("/annotations").put(key, value);
    return copy;
  }

  /**
   * Equal once empty arrays and empty objects count as the same: Lua has one empty table for both,
   * and Argo CD restores the original shape of such fields before it patches the object.
   */
  private static void assertSameObject(JsonNode expected, JsonNode actual) {
    assertEquals(emptiesAsObjects(expected), emptiesAsObjects(actual));
  }

  private static JsonNode emptiesAsObjects(JsonNode node) {
    if ((node.isArray() || node.isObject()) && node.isEmpty()) {
      return YAML.createObjectNode();
    }
    if (node.isArray()) {
      var array = YAML.createArrayNode();
      node.forEach(item -> array.add(emptiesAsObjects(item)));
      return array;
    }
    if (node.isObject()) {
      ObjectNode object = YAML.createObjectNode();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        object.set(field.getKey(), emptiesAsObjects(field.getValue()));
      }
      return object;
    }
    return node;
  }
}
