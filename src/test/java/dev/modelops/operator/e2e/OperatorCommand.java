package dev.modelops.operator.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * How the tests and the benchmark start the packaged operator: as `make run` and the image do, with
 * src/main/jvm.options.
 */
public final class OperatorCommand {
  private OperatorCommand() {}

  /** The command line, run with the project directory as working directory. */
  public static List<String> forProject(Path projectDir) {
    return List.of(
        "java",
        jvmOptions(projectDir),
        "-jar",
        projectDir.resolve("target/quarkus-app/quarkus-run.jar").toString());
  }

  /**
   * The operator's JVM flags as one java launcher argument, for JVMs that must run like it (the
   * bench baseline).
   */
  public static String jvmOptions(Path projectDir) {
    return "@" + projectDir.resolve("src/main/jvm.options");
  }
}
