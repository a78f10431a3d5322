package dev.modelops.operator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs after `package`: the committed CRDs must be what the api classes generate, and small enough
 * to apply.
 */
class GeneratedFilesIT {
  static final Path PROJECT = Path.of(System.getProperty("modelops.project.dir", "."));
  static final Path GENERATED = PROJECT.resolve("target/kubernetes");
  static final Path COMMITTED = PROJECT.resolve("crds");

  /** Helm installs the CRDs from the chart's own crds/ folder: it must carry the same files. */
  static final Path CHART_CRDS = PROJECT.resolve("helm/modelops-operator/crds");

  /** Client-side `kubectl apply` keeps the object in an annotation limited to 262,144 bytes. */
  static final long APPLY_ANNOTATION_LIMIT = 262_144;

  @Test
  void committedCrdsMatchTheApiClasses() throws IOException {
    List<Path> generated = crdFiles(GENERATED);
    assertTrue(!generated.isEmpty(), "the build generated no CRD under " + GENERATED);
    assertEquals(
        names(generated),
        names(crdFiles(COMMITTED)),
        "crds/ holds other files than the build generates: run `make crds` and commit");
    for (Path file : generated) {
      assertEquals(
          Files.readString(file),
          Files.readString(COMMITTED.resolve(file.getFileName())),
          "crds/" + file.getFileName() + " is stale: run `make crds` and commit the result");
    }
  }

  @Test
  void theHelmChartCarriesTheSameCrds() throws IOException {
    List<Path> committed = crdFiles(COMMITTED);
    assertEquals(
        names(committed),
        names(crdFiles(CHART_CRDS)),
        "helm/modelops-operator/crds/ holds other files than crds/: run `make crds` and commit");
    for (Path file : committed) {
      assertEquals(
          Files.readString(file),
          Files.readString(CHART_CRDS.resolve(file.getFileName())),
          "helm/modelops-operator/crds/"
              + file.getFileName()
              + " differs from crds/: run `make crds` and commit");
    }
  }

  @Test
  void everyCrdFitsTheClientSideApplyAnnotationWithRoomToGrow() throws IOException {
    for (Path file : crdFiles(COMMITTED)) {
      long size = Files.size(file);
      assertTrue(
          size < APPLY_ANNOTATION_LIMIT / 2,
          file.getFileName()
              + " is "
              + size
              + " bytes; keep CRDs under half of the 262,144-byte kubectl apply annotation limit");
    }
  }

  static List<Path> crdFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith("-v1.yml")).sorted().toList();
    }
  }

  static List<String> names(List<Path> files) {
    return files.stream().map(f -> f.getFileName().toString()).toList();
  }
}
