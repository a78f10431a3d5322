package dev.modelops.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules of spec.model, as the operator checks them in Java. The same patterns are ModelSpec's
 * CEL rules; each case here was also evaluated with cel-go (the library the API server uses), the
 * registry references (models:/) through the generated CRD with the API server's own validators
 * (k8s.io/apiextensions-apiserver 0.36.3: OpenAPI schema and CEL).
 */
class ModelRulesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s3://models/churn/1.0.0",
        "gs://b/m",
        "https://host/m/1.tar.gz",
        "oci://registry.example/models/churn:1.0.0",
        "pvc://model-store/churn/1.0.0",
        "pvc://model.store-2/churn",
        "pvc://claim",
        "pvc://claim/",
        "s3://b/..x/y",
        "s3://b/x../y",
        "https://h/a/./b",
        "models:/iris/1",
        "models:/iris/12",
        "models:/iris@champion",
        "models:/churn-model_v2.1@blue-green_2",
        "models:/iris@v3x",
        "models:/_private/3"
      })
  void admittedUris(String uri) {
    assertEquals(List.of(), ModelRules.uriProblems(uri), uri);
    assertEquals(uri.startsWith("models:/"), RegistryReference.parse(uri).isPresent(), uri);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ftp://b/m|must start with s3://",
        "s3://|must start with s3://",
        "pvc:///x|must start with s3://",
        "pvc://Model_Store/x|DNS-1123 subdomain",
        "pvc://-store/x|DNS-1123 subdomain",
        "pvc://a..b/x|DNS-1123 subdomain",
        "s3://b/../x|path segment",
        "s3://b/m/..|path segment",
        "s3://../x|path segment",
        "pvc://claim/a/../../etc|path segment",
        "models:/iris|models:/NAME/VERSION",
        "models:/iris/0|models:/NAME/VERSION",
        "models:/iris/latest|models:/NAME/VERSION",
        "models:/iris/1/2|models:/NAME/VERSION",
        "models:/my model/1|models:/NAME/VERSION",
        "models:/m-0123abc|models:/NAME/VERSION",
        "models://iris/1|models:/NAME/VERSION",
        "models:/iris@|models:/NAME/VERSION",
        "models:/iris@a.b|models:/NAME/VERSION",
        "models:/iris@latest|reserves the aliases",
        "models:/iris@LATEST|reserves the aliases",
        "models:/iris@V7|reserves the aliases",
        "models:/../1|path segment"
      })
  void refusedUris(String uri, String why) {
    List<String> problems = ModelRules.uriProblems(uri);
    assertTrue(problems.stream().anyMatch(p -> p.contains(why)), uri + ": " + problems);
    assertTrue(RegistryReference.parse(uri).isEmpty(), uri);
  }

  @Test
  void theLengthLimitsAreTheCrds() {
    String base = "s3://b/";
    assertEquals(List.of(), ModelRules.uriProblems(base + "m".repeat(2048 - base.length())));
    assertTrue(
        ModelRules.uriProblems(base + "m".repeat(2049 - base.length())).get(0).contains("2048"));
    assertEquals(List.of(), ModelRules.uriProblems("pvc://" + "a".repeat(253) + "/m"));
    assertTrue(
        ModelRules.uriProblems("pvc://" + "a".repeat(254) + "/m").get(0).contains("253"),
        "a claim name is at most 253 characters");
    assertEquals(List.of(), ModelRules.versionProblems("v".repeat(63)));
    assertEquals(List.of(ModelRules.VERSION_MESSAGE), ModelRules.versionProblems("v".repeat(64)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1 0", "-1", "1.", "1/2", "é"})
  void refusedVersions(String version) {
    assertEquals(List.of(ModelRules.VERSION_MESSAGE), ModelRules.versionProblems(version));
  }

  @Test
  void theCelRulesAreBuiltFromTheSamePatterns() {
    assertTrue(ModelRules.URI_RULE.contains(ModelRules.URI_PATTERN));
    assertTrue(ModelRules.VERSION_RULE.contains(ModelRules.VERSION_PATTERN));
    assertTrue(ModelRules.PVC_RULE.contains(ModelRules.PVC_URI_PATTERN));
    assertTrue(ModelRules.PVC_RULE.contains(ModelRules.PVC_CLAIM_LENGTH_PATTERN));
    assertTrue(ModelRules.DOT_DOT_RULE.contains(ModelRules.DOT_DOT_SEGMENT_PATTERN));
    for (String rule :
        List.of(
            ModelRules.URI_RULE,
            ModelRules.VERSION_RULE,
            ModelRules.PVC_RULE,
            ModelRules.DOT_DOT_RULE)) {
      assertTrue(!rule.contains("\\"), "no escapes to get wrong between Java, YAML and CEL");
    }
  }

  @Test
  void aRegistryReferenceNamesItsVersionOrLetsTheRegistryTell() {
    assertEquals(List.of(), ModelRules.problems(null, "models:/iris@champion"));
    assertEquals(List.of(), ModelRules.problems(null, "models:/iris/3"));
    assertEquals(List.of(), ModelRules.problems("3", "models:/iris/3"));
    assertEquals(
        List.of(ModelRules.REGISTRY_VERSION_MESSAGE), ModelRules.problems("2", "models:/iris/12"));
    assertEquals(
        List.of(ModelRules.REGISTRY_VERSION_MESSAGE),
        ModelRules.problems("3", "models:/iris@champion"));
    assertEquals(
        List.of(ModelRules.VERSION_REQUIRED_MESSAGE), ModelRules.problems(null, "s3://m/1"));
  }

  @Test
  void aReferenceIsReadBackIntoItsParts() {
    assertEquals(
        new RegistryReference("iris", null, "champion"),
        RegistryReference.parse("models:/iris@champion").orElseThrow());
    RegistryReference pinned = RegistryReference.parse("models:/churn.v2/17").orElseThrow();
    assertEquals(new RegistryReference("churn.v2", "17", null), pinned);
    assertTrue(pinned.pinned());
    assertEquals("models:/churn.v2/17", pinned.uri());
    assertTrue(RegistryReference.parse("s3://models/iris/1").isEmpty());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "s3://mlflow/1/abc/artifacts/model|",
        "gs://bucket/iris/2|",
        "https://models.example/iris.tar.gz|",
        "/tmp/mlruns/1/abc|not an s3://, gs:// or https://",
        "file:///etc/passwd|not an s3://, gs:// or https://",
        "http://plain/iris|not an s3://, gs:// or https://",
        "pvc://claim/iris|not an s3://, gs:// or https://",
        "models:/m-0123|not an s3://, gs:// or https://",
        "s3://b/a b|whitespace or control",
        "s3://b/../x|path segment"
      })
  void whereARegistryMayKeepAModel(String uri, String why) {
    List<String> problems = ModelRules.storageUriProblems(uri);
    if (why == null) {
      assertEquals(List.of(), problems, uri);
    } else {
      assertTrue(problems.stream().anyMatch(p -> p.contains(why)), uri + ": " + problems);
    }
  }

  @Test
  void theRegistryCelRulesAreBuiltFromTheSamePatterns() {
    assertTrue(ModelRules.REGISTRY_URI_RULE.contains(ModelRules.REGISTRY_URI_PATTERN));
    assertTrue(ModelRules.RESERVED_ALIAS_RULE.contains(ModelRules.RESERVED_ALIAS_PATTERN));
    for (String rule :
        List.of(
            ModelRules.REGISTRY_URI_RULE,
            ModelRules.RESERVED_ALIAS_RULE,
            ModelRules.VERSION_REQUIRED_RULE,
            ModelRules.REGISTRY_VERSION_RULE)) {
      assertTrue(!rule.contains("\\"), "no escapes to get wrong between Java, YAML and CEL");
    }
  }
}
