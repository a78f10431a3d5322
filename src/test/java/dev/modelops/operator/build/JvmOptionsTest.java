package dev.modelops.operator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * src/main/jvm.options is the one place for the operator's JVM flags: the image, `make run`, the
 * e2e tests and the benchmark all read it, so what is benchmarked is what ships.
 */
class JvmOptionsTest {
  static final Path ROOT =
      Path.of(System.getProperty("modelops.project.dir", ".")).toAbsolutePath().normalize();
  static final Path OPTIONS = ROOT.resolve("src/main/jvm.options");

  @Test
  void everyLauncherOfThePackagedOperatorReadsTheOptionsFile() throws IOException {
    List<Path> launchers;
    try (Stream<Path> files =
        Stream.of("hack", "src/main/docker", "src/test/java", "Makefile")
            .map(ROOT::resolve)
            .flatMap(JvmOptionsTest::walk)) {
      launchers = files.filter(f -> read(f).contains("quarkus-run.jar")).toList();
    }
    assertTrue(
        launchers.size() >= 3,
        "expected the image, make run and the tests' launcher, found " + launchers);
    for (Path launcher : launchers) {
      assertTrue(
          read(launcher).contains("jvm.options"),
          launcher + " starts quarkus-run.jar without src/main/jvm.options");
    }
    String dockerfile = read(ROOT.resolve("src/main/docker/Dockerfile.jvm"));
    assertTrue(
        dockerfile.contains("COPY --chown=185 src/main/jvm.options /deployments/jvm.options"),
        dockerfile);
    assertTrue(dockerfile.contains("JAVA_OPTS_APPEND=\"@/deployments/jvm.options "), dockerfile);
  }

  @Test
  void theJavaLauncherAcceptsTheOptions() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(java.toString(), "@" + OPTIONS, "-XX:+PrintFlagsFinal", "-version")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
    assertFalse(output.contains("Unrecognized VM option"), output);
    assertTrue(
        output
            .lines()
            .anyMatch(line -> line.matches(".*\\bTieredStopAtLevel\\s+= 1\\s.*\\{command line}.*")),
        "C1-only JIT not in effect:\n" + output);
    assertTrue(
        output
            .lines()
            .anyMatch(line -> line.matches(".*\\bUseSerialGC\\s+= true\\s.*\\{command line}.*")),
        "Serial GC not in effect:\n" + output);
    assertTrue(
        output
            .lines()
            .anyMatch(
                line ->
                    line.matches(".*\\bExitOnOutOfMemoryError\\s+= true\\s.*\\{command line}.*")),
        "an OutOfMemoryError ends the process:\n" + output);
  }

  private static Stream<Path> walk(Path start) {
    try {
      return Files.isDirectory(start)
          ? Files.walk(start).filter(Files::isRegularFile)
          : Stream.of(start);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException(file.toString(), e);
    }
  }
}
