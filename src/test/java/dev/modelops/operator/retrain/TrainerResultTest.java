package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainerResultTest {

  @Test
  void readsTheModelTheTrainerReported() {
    var parsed =
        TrainerResult.parse(
            "{\"version\": \"1.5.0\", \"uri\": \"s3://models/churn/1.5.0\", \"auc\": 0.91}\n");
    assertEquals(
        new TrainerResult("1.5.0", "s3://models/churn/1.5.0"), parsed.result().orElseThrow());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|no termination message",
        "trained ok|not JSON",
        "{\"uri\": \"s3://m/1\"}|no usable \"version\"",
        "{\"version\": \"1 0\", \"uri\": \"s3://m/1\"}|no usable \"version\"",
        "{\"version\": \"1.0\"}|no usable \"uri\"",
        "{\"version\": \"1.0\", \"uri\": \"ftp://m/1\"}|no usable \"uri\"",
        "[1, 2]|not a JSON object",
        "{\"version\": {\"major\": 1}, \"uri\": \"s3://m/1\"}|no usable \"version\"",
        "{\"version\": \"1.0\", \"uri\": \"pvc://Models/1\"}|DNS-1123 subdomain",
        "{\"version\": \"1.0\", \"uri\": \"pvc://models/../../etc\"}|path segment",
        "{\"version\": \"1.0\", \"uri\": \"s3://m/../1\"}|path segment",
        "{\"uri\": \"models:/churn@champion\"}|must name the version it registered",
        "{\"version\": \"1.5.0\", \"uri\": \"models:/churn/4\"}|would not be admitted",
        "{\"uri\": \"models:/churn\"}|no usable \"uri\"",
        "{\"uri\": \"models:/churn@latest\"}|no usable \"uri\"",
      })
  void explainsWhyAMessageCannotBeUsed(String message, String expected) {
    var parsed = TrainerResult.parse(message);
    assertTrue(parsed.result().isEmpty());
    assertTrue(parsed.problem().contains(expected), parsed.problem());
  }

  @Test
  void aResultIsCheckedAgainstTheCrdsLimits() {
    String longUri = "s3://m/" + "x".repeat(2048);
    var tooLong = TrainerResult.parse("{\"version\": \"1.0\", \"uri\": \"" + longUri + "\"}");
    assertTrue(tooLong.result().isEmpty());
    assertTrue(tooLong.problem().contains("at most 2048 characters"), tooLong.problem());
    var longVersion =
        TrainerResult.parse("{\"version\": \"" + "1".repeat(64) + "\", \"uri\": \"s3://m/1\"}");
    assertTrue(longVersion.problem().contains("no usable \"version\""), longVersion.problem());
    assertEquals(
        "s3://m/" + "x".repeat(2041),
        TrainerResult.parse("{\"version\": \"1.0\", \"uri\": \"s3://m/" + "x".repeat(2041) + "\"}")
            .result()
            .orElseThrow()
            .uri(),
        "exactly 2048 characters is admitted");
  }

  @Test
  void aRegisteredModelNamesItsVersionInTheRegistry() {
    assertEquals(
        new TrainerResult("4", "models:/churn/4"),
        TrainerResult.parse("{\"uri\": \"models:/churn/4\", \"run_id\": \"abc\"}")
            .result()
            .orElseThrow(),
        "the version may be left out: it is the registry's");
    assertEquals(
        new TrainerResult("4", "models:/churn/4"),
        TrainerResult.parse("{\"version\": \"4\", \"uri\": \"models:/churn/4\"}")
            .result()
            .orElseThrow());
  }
}
