package dev.modelops.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftCliTest {
  // The "mass shifted one bucket up" case of DriftStatisticsReferenceTest, where the numbers come
  // from (scipy).
  static final String BASELINE =
      "{\"edges\": [1, 2, 3, 4, \"+Inf\"], \"counts\": [10, 20, 40, 20, 10]}";
  static final String CURRENT =
      "{\"edges\": [1, 2, 3, 4, \"+Inf\"], \"counts\": [5, 10, 30, 35, 20]}";
  static final String TENURE = "{\"edges\": [1, \"+Inf\"], \"counts\": [3, 1]}";

  @TempDir Path dir;

  String stdout;
  String stderr;

  @Test
  void printsAllFourStatisticsForOneHistogram() throws IOException {
    assertEquals(0, run(file("b.json", BASELINE), file("c.json", CURRENT)));
    JsonNode result = new ObjectMapper().readTree(stdout);
    assertEquals(List.of("psi", "ks", "js", "wasserstein"), fieldNames(result));
    assertEquals(0.2859973705754778, result.get("psi").doubleValue(), 1e-12);
    assertEquals(0.25, result.get("ks").doubleValue(), 1e-12);
    assertEquals(0.22528344558001226, result.get("js").doubleValue(), 1e-12);
    assertEquals(0.45, result.get("wasserstein").doubleValue(), 1e-12);
    assertEquals("", stderr);
  }

  @Test
  void printsPerFeatureScoresWithMaxAndMean() throws IOException {
    String baseline = file("b.json", "{\"tenure\": " + TENURE + ", \"age\": " + BASELINE + "}");
    String current = file("c.json", "{\"age\": " + CURRENT + ", \"tenure\": " + TENURE + "}");
    assertEquals(0, run(baseline, current));
    JsonNode result = new ObjectMapper().readTree(stdout);
    assertEquals(List.of("features", "max", "mean"), fieldNames(result));
    assertEquals(List.of("age", "tenure"), fieldNames(result.get("features")));
    assertEquals(0.22528344558001226, result.at("/features/age/js").doubleValue(), 1e-12);
    assertEquals(0.0, result.at("/features/tenure/psi").doubleValue());
    assertEquals(0.45, result.at("/max/wasserstein").doubleValue(), 1e-12);
    assertEquals(0.25 / 2, result.at("/mean/ks").doubleValue(), 1e-12);
  }

  @Test
  void theShippedExamplesWork() {
    assertEquals(
        0,
        run("deploy/examples/drift/baseline.json", "deploy/examples/drift/current.json"),
        stderr);
    assertTrue(stdout.contains("\"income\""), stdout);
  }

  @Test
  void invalidInputIsAMessageAndExitCodeTwo() throws IOException {
    String four = file("four.json", "{\"edges\": [1, 2, 3, \"+Inf\"], \"counts\": [1, 2, 3, 4]}");
    assertEquals(2, run(file("b.json", BASELINE), four));
    assertEquals("", stdout);
    assertEquals(
        "invalid input (BucketEdgesMismatch): baseline has 5 buckets with edges [1, 2, 3, 4, +Inf] but "
            + "current has 4 [1, 2, 3, +Inf]",
        stderr.strip());
  }

  @Test
  void invalidFeatureNamesTheFileAndTheFeature() throws IOException {
    String bad =
        file("bad.json", "{\"age\": {\"edges\": [1, 2, \"+Inf\"], \"counts\": [1, -2, 3]}}");
    assertEquals(2, run(bad, bad));
    assertTrue(
        stderr.startsWith("invalid input (InvalidCount): " + bad + ": feature age: count -2.0"),
        stderr);
  }

  @Test
  void mixedForms_badJson_missingFiles_andWrongArgumentsAreRefused() throws IOException {
    String single = file("b.json", BASELINE);
    assertEquals(2, run(single, file("map.json", "{\"age\": " + CURRENT + "}")));
    assertTrue(
        stderr.contains("one file is a single histogram and the other a per-feature map"), stderr);
    assertEquals(2, run(single, file("broken.json", "{\"edges\": [1,")));
    assertTrue(stderr.contains("is not valid JSON"), stderr);
    assertEquals(2, run(single, dir.resolve("missing.json").toString()));
    assertTrue(stderr.contains("no such file"), stderr);
    assertEquals(2, run(single, file("text.json", "{\"edges\": [\"one\"], \"counts\": [1]}")));
    assertTrue(stderr.contains("InvalidEdges"), stderr);
    assertEquals(2, run(single));
    assertTrue(stderr.startsWith("usage: DriftCli BASELINE.json CURRENT.json"), stderr);
  }

  private int run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code =
        DriftCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    return code;
  }

  private String file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content).toString();
  }

  private static List<String> fieldNames(JsonNode node) {
    return node.properties().stream().map(Map.Entry::getKey).toList();
  }
}
