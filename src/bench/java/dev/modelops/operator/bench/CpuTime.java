package dev.modelops.operator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from /proc/PID/stat (utime + stime, in clock ticks of 1/100 s on Linux).
 */
final class CpuTime {
  private static final double TICKS_PER_SECOND = 100.0;

  private CpuTime() {}

  static double seconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  /** CPU seconds of a control-plane component started by hack/cluster-up.sh. */
  static double component(String name) throws IOException {
    return seconds(
        Long.parseLong(
            Files.readString(BenchCluster.STATE.resolve("pids/" + name + ".pid")).strip()));
  }
}
