package dev.modelops.operator.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an Argo CD customization script with a real Lua 5.1 interpreter (gopher-lua, which Argo CD
 * embeds, implements Lua 5.1) inside src/test/resources/argocd/argocd-lua-sandbox.lua, which gives
 * the script what Argo CD gives it: the global `obj`, the base and table libraries, os.time and
 * os.date, nothing else.
 */
final class ArgoCdLua {
  static final String INTERPRETER = "lua5.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The script raised an error (Argo CD would show it to the user and change nothing). */
  static final class ScriptFailed extends RuntimeException {
    ScriptFailed(String message) {
      super(message);
    }
  }

  private final Path workDir;
  private final Path sandbox;

  private ArgoCdLua(Path workDir, Path sandbox) {
    this.workDir = workDir;
    this.sandbox = sandbox;
  }

  /**
   * Fails with the install command when the interpreter is missing: these tests are never skipped.
   */
  static ArgoCdLua start(Path workDir) throws IOException, InterruptedException {
    try {
      Process version = new ProcessBuilder(INTERPRETER, "-v").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        throw new IOException(INTERPRETER + " -v did not succeed");
      }
    } catch (IOException e) {
      throw new AssertionError(
          INTERPRETER
              + " is not installed, and the Argo CD Lua scripts are tested with it."
              + " Install it: apt-get install lua5.1 (.ci/run does). Cause: "
              + e.getMessage(),
          e);
    }
    Path sandbox = workDir.resolve("argocd-lua-sandbox.lua");
    try (InputStream in = ArgoCdLua.class.getResourceAsStream("/argocd/argocd-lua-sandbox.lua")) {
      Files.write(sandbox, in.readAllBytes());
    }
    return new ArgoCdLua(workDir, sandbox);
  }

  /** What the script returns, as JSON (a health table, a discovery table or the changed object). */
  JsonNode run(String script, JsonNode object) throws IOException, InterruptedException {
    Path scriptFile = Files.createTempFile(workDir, "script", ".lua");
    Path objectFile = Files.createTempFile(workDir, "object", ".lua");
    Files.writeString(scriptFile, script, StandardCharsets.UTF_8);
    Files.writeString(objectFile, "return " + LuaLiteral.of(object) + "\n", StandardCharsets.UTF_8);
    Path stderr = Files.createTempFile(workDir, "stderr", ".txt");
    Process lua =
        new ProcessBuilder(
                List.of(
                    INTERPRETER, sandbox.toString(), scriptFile.toString(), objectFile.toString()))
            .redirectError(stderr.toFile())
            .start();
    byte[] stdout = lua.getInputStream().readAllBytes();
    if (!lua.waitFor(10, TimeUnit.SECONDS)) {
      lua.destroyForcibly();
      throw new AssertionError("the Lua script did not finish within 10 s (Argo CD allows 1 s)");
    }
    String errors = Files.readString(stderr).strip();
    if (lua.exitValue() == 2) {
      throw new ScriptFailed(errors);
    }
    if (lua.exitValue() != 0) {
      throw new AssertionError(INTERPRETER + " exited with " + lua.exitValue() + ": " + errors);
    }
    return JSON.readTree(stdout);
  }
}
