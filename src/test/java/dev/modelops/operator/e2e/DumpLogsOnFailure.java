package dev.modelops.operator.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** On a failed e2e test, print the tails of the operator's and the control plane's logs. */
public class DumpLogsOnFailure implements TestWatcher {
  static final int TAIL_LINES = 60;

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println("==== " + context.getDisplayName() + " failed: " + cause);
    try (Stream<Path> logs = Files.list(LocalControlPlane.LOGS)) {
      for (Path log : logs.sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        int tail = log.equals(LocalControlPlane.OPERATOR_LOG) ? TAIL_LINES * 2 : TAIL_LINES / 3;
        System.err.println("---- tail of " + log);
        lines.subList(Math.max(0, lines.size() - tail), lines.size()).forEach(System.err::println);
      }
    } catch (IOException e) {
      System.err.println("(no logs under " + LocalControlPlane.LOGS + ": " + e.getMessage() + ")");
    }
  }
}
