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
 * CEL rules; each case here was also evaluated with cel-go (the library the API server uses).
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
        "https://h/a/./b"
      })
  void admittedUris(String uri) {
    assertEquals(List.of(), ModelRules.uriProblems(uri), uri);
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
        "pvc://claim/a/../../etc|path segment"
      })
  void refusedUris(String uri, String why) {
    List<String> problems = ModelRules.uriProblems(uri);
    assertTrue(problems.stream().anyMatch(p -> p.contains(why)), uri + ": " + problems);
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
}
