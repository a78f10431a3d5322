package dev.modelops.operator.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a bound, capturing its output. */
public final class Processes {
  public record Result(int exitCode, String stdout, String stderr) {
    public String output() {
      return stdout + stderr;
    }
  }

  private Processes() {}

  public static Result run(
      Path dir, Map<String, String> env, String stdin, long timeoutSeconds, List<String> command) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      var out = new java.io.ByteArrayOutputStream();
      var err = new java.io.ByteArrayOutputStream();
      Thread outPump = pump(process.getInputStream(), out);
      Thread errPump = pump(process.getErrorStream(), err);
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
      }
      outPump.join();
      errPump.join();
      return new Result(
          process.exitValue(),
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Thread pump(java.io.InputStream from, java.io.OutputStream to) {
    Thread t =
        new Thread(
            () -> {
              try {
                from.transferTo(to);
              } catch (IOException ignored) {
                // the process ended; what was read is kept
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
