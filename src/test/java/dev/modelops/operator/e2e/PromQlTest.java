package dev.modelops.operator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void findsTheMetricsButNotFunctionsLabelsOrRanges() {
    assertEquals(
        Set.of("reconciliations_execution_duration_seconds_bucket"),
        PromQl.metricNames(
            "histogram_quantile(0.95, sum by (le, controller_name) (rate(reconciliations_execution_duration_seconds_bucket[5m])))"));
    assertEquals(
        Set.of("modelops_drift_score"),
        PromQl.metricNames(
            "max by (namespace, policy, feature) (modelops_drift_score{namespace=~\"$namespace\"})"));
    assertEquals(
        Set.of("custom_resources", "modelops_leader"),
        PromQl.metricNames(
            "sum(custom_resources) / on() group_left max(modelops_leader) offset 5m"));
  }

  @Test
  void readsDashboardVariableQueries() {
    assertEquals(
        Set.of("modelops_leader"), PromQl.metricNames("label_values(modelops_leader, job)"));
  }
}
