package dev.modelops.operator.serving;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The Service in front of every serving pod of the model (all tracks, so a canary gets its share).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ServingNames.MANAGED_BY_SELECTOR))
public class ServingServiceDependent
    extends CRUDKubernetesDependentResource<Service, ModelDeployment> {

  public ServingServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(ModelDeployment md, Context<ModelDeployment> context) {
    return build(md);
  }

  public static Service build(ModelDeployment md) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(ServingNames.serviceName(md))
        .withNamespace(md.getMetadata().getNamespace())
        .withLabels(ServingNames.commonLabels(md))
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(ServingNames.servingSelector(md))
        .addNewPort()
        .withName(ServingNames.HTTP_PORT_NAME)
        .withProtocol("TCP")
        .withPort(80)
        .withTargetPort(new IntOrString(ServingNames.HTTP_PORT_NAME))
        .endPort()
        .endSpec()
        .build();
  }
}
