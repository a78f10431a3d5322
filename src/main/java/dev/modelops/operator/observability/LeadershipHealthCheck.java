package dev.modelops.operator.observability;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the leader status in /q/health/ready. A standby is ready too: it is healthy and takes
 * over when the leader goes, and a not-ready standby would stall rolling updates of the operator
 * itself.
 */
@Readiness
@Singleton
public class LeadershipHealthCheck implements HealthCheck {
  private final Leadership leadership;

  public LeadershipHealthCheck(Leadership leadership) {
    this.leadership = leadership;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("modelops leadership")
        .up()
        .withData("leaderElection", leadership.electionEnabled())
        .withData("leading", leadership.leading())
        .withData("leader", leadership.leader())
        .build();
  }
}
