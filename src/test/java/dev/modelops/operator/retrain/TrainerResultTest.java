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
      })
  void explainsWhyAMessageCannotBeUsed(String message, String expected) {
    var parsed = TrainerResult.parse(message);
    assertTrue(parsed.result().isEmpty());
    assertTrue(parsed.problem().contains(expected), parsed.problem());
  }
}
