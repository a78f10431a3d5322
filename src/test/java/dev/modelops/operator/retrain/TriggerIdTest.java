package dev.modelops.operator.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TriggerIdTest {
  @Test
  void roundTripsAndRefusesWhatIsNotOne() {
    TriggerId id = TriggerId.manual("2026-11-27T16:27:44Z");
    assertEquals(Optional.of(id), TriggerId.parse(id.toString()));
    assertEquals(Trigger.schedule, TriggerId.parse("schedule:x").orElseThrow().trigger());
    for (String bad : new String[] {null, "", "manual", ":x", "sideways:x"}) {
      assertEquals(Optional.empty(), TriggerId.parse(bad), String.valueOf(bad));
    }
  }

  @Test
  void aJobWithGarbledLabelsAndAnnotationsIsStillRead() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("p-retrain-x")
            .withLabels(Map.of(Keys.TRIGGER_LABEL, "sideways"))
            .withAnnotations(
                Map.of(
                    Keys.SEQUENCE_ANNOTATION, "not a number",
                    Keys.SCORE_ANNOTATION, "NaN",
                    Keys.TRIGGER_ID_ANNOTATION, "???"))
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .withLastTransitionTime("yesterday")
            .endCondition()
            .endStatus()
            .build();
    RetrainJobView view = RetrainJobView.of(job, List.of());
    assertEquals(0, view.sequence());
    assertEquals(Trigger.manual, view.trigger());
    assertEquals(null, view.score());
    assertEquals(Optional.empty(), view.triggerId());
    assertEquals(RetrainJobView.State.Succeeded, view.state());
    assertEquals(null, view.finishedAt());
  }
}
