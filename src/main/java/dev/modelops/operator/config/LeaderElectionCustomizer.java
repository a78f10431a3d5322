package dev.modelops.operator.config;

import dev.modelops.operator.observability.Leadership;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** Turns on JOSDK's Lease-based leader election when modelops.leader-election.enabled is true. */
@Singleton
public class LeaderElectionCustomizer implements ConfigurationServiceCustomizer {
  private static final Logger LOG = Logger.getLogger(LeaderElectionCustomizer.class);

  private final OperatorSettings settings;
  private final Leadership leadership;

  public LeaderElectionCustomizer(OperatorSettings settings, Leadership leadership) {
    this.settings = settings;
    this.leadership = leadership;
  }

  @Override
  public Consumer<ConfigurationServiceOverrider> overrider() {
    var leaderElection = leaderElection();
    return overrider -> {
      if (leaderElection != null) {
        overrider.withLeaderElectionConfiguration(leaderElection);
      }
    };
  }

  private LeaderElectionConfiguration leaderElection() {
    var election = settings.leaderElection();
    if (!election.enabled()) {
      return null;
    }
    String identity = election.identity().orElseGet(LeaderElectionCustomizer::hostAndPid);
    String namespace = election.leaseNamespace().orElse(System.getenv("KUBERNETES_NAMESPACE"));
    LOG.infof(
        "leader election on: Lease %s/%s, identity %s", namespace, election.leaseName(), identity);
    return new LeaderElectionConfiguration(
        election.leaseName(),
        namespace,
        election.leaseDuration(),
        election.renewDeadline(),
        election.retryPeriod(),
        identity,
        leadership.electionCallbacks(),
        false);
  }

  static String hostAndPid() {
    try {
      return InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
    } catch (Exception e) {
      return "modelops-" + ProcessHandle.current().pid();
    }
  }
}
