package dev.modelops.operator.observability;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Whether this process reconciles: always without leader election, only while it holds the Lease
 * with it. Shown as the gauge modelops_leader (1 or 0) and in /q/health/ready's data.
 */
@Singleton
public class Leadership {
  private static final Logger LOG = Logger.getLogger(Leadership.class);

  private final AtomicBoolean leading = new AtomicBoolean(true);
  private volatile boolean electionEnabled;
  private volatile String leader = "";

  public Leadership(MeterRegistry registry) {
    registry.gauge("modelops_leader", leading, value -> value.get() ? 1 : 0);
  }

  /** Callbacks for JOSDK's leader elector; until the first one fires, this process is a standby. */
  public LeaderCallbacks electionCallbacks() {
    electionEnabled = true;
    leading.set(false);
    return new LeaderCallbacks(
        () -> {
          leading.set(true);
          LOG.info("leading: this process reconciles now");
        },
        () -> {
          leading.set(false);
          if (jvmShuttingDown()) {
            LOG.info("stopped leading: shutting down");
          } else {
            // Lost the Lease while running: exit so that the restarted process rejoins the
            // election. Not
            // JOSDK's own exit-on-stop-leading: it calls System.exit during a SIGTERM shutdown too,
            // which
            // deadlocks with the running shutdown hooks and leaves the pod hanging until SIGKILL.
            LOG.warn("lost the Lease; exiting so that a restart rejoins the leader election");
            new Thread(() -> System.exit(1), "exit-after-lost-lease").start();
          }
        },
        identity -> leader = identity);
  }

  /** The JVM refuses new shutdown hooks once it is shutting down. */
  static boolean jvmShuttingDown() {
    try {
      Thread probe = new Thread(() -> {});
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  public boolean leading() {
    return leading.get();
  }

  public boolean electionEnabled() {
    return electionEnabled;
  }

  /** The Lease holder's identity, empty without leader election or before the first election. */
  public String leader() {
    return leader;
  }
}
