package dev.modelops.operator.clients;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelLineage;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes a retrained model into its ModelDeployment: spec.model.version and spec.model.uri only,
 * with Server-Side Apply under its own field manager, plus the lineage annotation the
 * ModelDeployment's history copies. This is the one documented path by which the operator writes a
 * spec field a user owns.
 */
@ApplicationScoped
public class ModelPromoter {
  public static final String FIELD_MANAGER = "modelops-retrain";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final boolean serverSideApply;

  /**
   * Follows the operator's SSA switch; it is off only for the Fabric8 mock server, which has no
   * SSA.
   */
  public ModelPromoter(
      KubernetesClient client,
      @ConfigProperty(name = "quarkus.operator-sdk.enable-ssa", defaultValue = "true")
          boolean serverSideApply) {
    this.client = client;
    this.serverSideApply = serverSideApply;
  }

  public void promote(String namespace, String modelDeployment, ModelLineage lineage) {
    ObjectNode patch = JSON.createObjectNode();
    patch.put("apiVersion", ModelDeployment.GROUP + "/" + ModelDeployment.VERSION);
    patch.put("kind", "ModelDeployment");
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("name", modelDeployment);
    metadata.put("namespace", namespace);
    metadata.putObject("annotations").put(ModelLineage.ANNOTATION, lineage.toJson());
    ObjectNode model = patch.putObject("spec").putObject("model");
    model.put("version", lineage.version());
    model.put("uri", lineage.uri());
    PatchContext context =
        serverSideApply
            ? new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(FIELD_MANAGER)
                .withForce(true)
                .build()
            : new PatchContext.Builder()
                .withPatchType(PatchType.JSON_MERGE)
                .withFieldManager(FIELD_MANAGER)
                .build();
    client
        .resources(ModelDeployment.class)
        .inNamespace(namespace)
        .withName(modelDeployment)
        .patch(context, patch.toString());
  }
}
