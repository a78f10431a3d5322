package dev.modelops.operator.clients;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.observability.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Writes core/v1 Events (what `kubectl describe` shows). Callers record an Event only when the
 * status they derive it from changes, so a steady reconcile records nothing.
 */
@ApplicationScoped
public class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  public static final String COMPONENT = Keys.MANAGED_BY;

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void record(HasMetadata about, Event event) {
    String now = Instant.now().toString();
    var k8sEvent =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(about.getMetadata().getName() + ".")
            .withNamespace(about.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(about.getApiVersion())
            .withKind(about.getKind())
            .withName(about.getMetadata().getName())
            .withNamespace(about.getMetadata().getNamespace())
            .withUid(about.getMetadata().getUid())
            .endInvolvedObject()
            .withType(event.type().name())
            .withReason(event.reason())
            .withMessage(event.message())
            .withNewSource(COMPONENT, null)
            .withReportingComponent(COMPONENT)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    LOG.infof(
        "%s/%s %s %s: %s",
        about.getMetadata().getNamespace(),
        about.getMetadata().getName(),
        event.type(),
        event.reason(),
        event.message());
    try {
      client
          .v1()
          .events()
          .inNamespace(about.getMetadata().getNamespace())
          .resource(k8sEvent)
          .create();
    } catch (KubernetesClientException e) {
      // Events are best effort: losing one must not fail or repeat the reconcile that caused it.
      LOG.warnf(
          "could not record event %s on %s/%s: %s",
          event.reason(),
          about.getMetadata().getNamespace(),
          about.getMetadata().getName(),
          e.getMessage());
    }
  }
}
