package dev.modelops.operator.cli;

import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidCount;
import static dev.modelops.operator.drift.InvalidHistogramException.Reason.InvalidEdges;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelops.operator.drift.Aggregation;
import dev.modelops.operator.drift.DriftMethod;
import dev.modelops.operator.drift.DriftReport;
import dev.modelops.operator.drift.FeatureDrift;
import dev.modelops.operator.drift.Histogram;
import dev.modelops.operator.drift.InvalidHistogramException;
import dev.modelops.operator.drift.PrometheusBuckets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline calibration: prints every drift statistic for two histogram files, so thresholds can be
 * chosen from real data before a RetrainPolicy uses them. {@code make drift BASELINE=...
 * CURRENT=...} runs it.
 *
 * <p>Each file is either one histogram {@code {"edges": [0.5, 1, "+Inf"], "counts": [3, 5, 1]}}
 * (edges are {@code le} upper bounds, per-bucket counts) or a map of them by feature {@code {"age":
 * {...}, "income": {...}}}. Output is JSON on stdout; invalid input is a message on stderr and exit
 * code 2.
 */
public final class DriftCli {

  static final int OK = 0;
  static final int INVALID_INPUT = 2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private DriftCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Everything but the exit, so tests can call it. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println("usage: DriftCli BASELINE.json CURRENT.json");
      return INVALID_INPUT;
    }
    try {
      JsonNode baseline = readTree(args[0]);
      JsonNode current = readTree(args[1]);
      ObjectNode result;
      if (isSingleHistogram(baseline) && isSingleHistogram(current)) {
        result = allStatistics(histogram(baseline, args[0]), histogram(current, args[1]));
      } else if (!isSingleHistogram(baseline) && !isSingleHistogram(current)) {
        result = perFeature(features(baseline, args[0]), features(current, args[1]));
      } else {
        err.println(
            "one file is a single histogram and the other a per-feature map: "
                + describe(args[0], baseline)
                + ", "
                + describe(args[1], current));
        return INVALID_INPUT;
      }
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      return OK;
    } catch (InvalidHistogramException e) {
      err.println("invalid input (" + e.reason() + "): " + e.getMessage());
      return INVALID_INPUT;
    } catch (NoSuchFileException e) {
      err.println("cannot read input: no such file " + e.getFile());
      return INVALID_INPUT;
    } catch (IOException e) {
      err.println("cannot read input: " + e.getMessage());
      return INVALID_INPUT;
    }
  }

  private static ObjectNode allStatistics(Histogram baseline, Histogram current) {
    ObjectNode node = JSON.createObjectNode();
    for (DriftMethod method : DriftMethod.values()) {
      node.put(method.name(), method.score(baseline, current));
    }
    return node;
  }

  private static ObjectNode perFeature(
      Map<String, Histogram> baseline, Map<String, Histogram> current) {
    Map<DriftMethod, DriftReport> reports = new LinkedHashMap<>();
    for (DriftMethod method : DriftMethod.values()) {
      reports.put(method, FeatureDrift.compare(baseline, current, method, Aggregation.max));
    }
    ObjectNode result = JSON.createObjectNode();
    ObjectNode features = result.putObject("features");
    reports.forEach(
        (method, report) ->
            report
                .scores()
                .forEach(
                    (feature, score) ->
                        features.withObjectProperty(feature).put(method.name(), score)));
    for (Aggregation aggregation : Aggregation.values()) {
      ObjectNode aggregated = result.putObject(aggregation.name());
      reports.forEach(
          (method, report) ->
              aggregated.put(
                  method.name(),
                  aggregation.apply(new ArrayList<>(report.scores().values())).orElseThrow()));
    }
    return result;
  }

  private static JsonNode readTree(String file) throws IOException {
    try {
      JsonNode node = JSON.readTree(Files.readString(Path.of(file)));
      if (node == null || !node.isObject()) {
        throw new InvalidHistogramException(InvalidEdges, file + ": expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static boolean isSingleHistogram(JsonNode node) {
    return node.has("edges") && node.has("counts");
  }

  private static String describe(String file, JsonNode node) {
    return file + (isSingleHistogram(node) ? " is a single histogram" : " is a per-feature map");
  }

  private static Map<String, Histogram> features(JsonNode node, String file) {
    Map<String, Histogram> features = new LinkedHashMap<>();
    node.properties()
        .forEach(
            field -> {
              if (!field.getValue().isObject()) {
                throw new InvalidHistogramException(
                    InvalidEdges,
                    file
                        + ": feature "
                        + field.getKey()
                        + " is not an object with \"edges\" and \"counts\"");
              }
              features.put(
                  field.getKey(),
                  histogram(field.getValue(), file + ": feature " + field.getKey()));
            });
    return features;
  }

  private static Histogram histogram(JsonNode node, String where) {
    try {
      return new Histogram(edges(node.get("edges")), counts(node.get("counts")));
    } catch (InvalidHistogramException e) {
      throw e.withContext(where);
    }
  }

  private static List<Double> edges(JsonNode array) {
    if (array == null || !array.isArray()) {
      throw new InvalidHistogramException(
          InvalidEdges, "\"edges\" must be an array of numbers or \"+Inf\"");
    }
    List<Double> edges = new ArrayList<>();
    for (JsonNode edge : array) {
      if (edge.isNumber()) {
        edges.add(edge.doubleValue());
      } else if (edge.isTextual()) {
        edges.add(PrometheusBuckets.parseLe(edge.textValue()));
      } else {
        throw new InvalidHistogramException(
            InvalidEdges, "edge " + edge + " is not a number or \"+Inf\"");
      }
    }
    return edges;
  }

  private static List<Double> counts(JsonNode array) {
    if (array == null || !array.isArray()) {
      throw new InvalidHistogramException(InvalidCount, "\"counts\" must be an array of numbers");
    }
    List<Double> counts = new ArrayList<>();
    for (JsonNode count : array) {
      if (!count.isNumber()) {
        throw new InvalidHistogramException(InvalidCount, "count " + count + " is not a number");
      }
      counts.add(count.doubleValue());
    }
    return counts;
  }
}
