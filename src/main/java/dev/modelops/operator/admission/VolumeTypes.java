package dev.modelops.operator.admission;

import io.fabric8.kubernetes.api.model.Volume;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Pure: the type of a volume, by the one source field it sets (as Pod Security names them). */
final class VolumeTypes {
  private static final Map<String, Function<Volume, Object>> SOURCES = new LinkedHashMap<>();

  static {
    SOURCES.put("awsElasticBlockStore", Volume::getAwsElasticBlockStore);
    SOURCES.put("azureDisk", Volume::getAzureDisk);
    SOURCES.put("azureFile", Volume::getAzureFile);
    SOURCES.put("cephfs", Volume::getCephfs);
    SOURCES.put("cinder", Volume::getCinder);
    SOURCES.put("configMap", Volume::getConfigMap);
    SOURCES.put("csi", Volume::getCsi);
    SOURCES.put("downwardAPI", Volume::getDownwardAPI);
    SOURCES.put("emptyDir", Volume::getEmptyDir);
    SOURCES.put("ephemeral", Volume::getEphemeral);
    SOURCES.put("fc", Volume::getFc);
    SOURCES.put("flexVolume", Volume::getFlexVolume);
    SOURCES.put("flocker", Volume::getFlocker);
    SOURCES.put("gcePersistentDisk", Volume::getGcePersistentDisk);
    SOURCES.put("gitRepo", Volume::getGitRepo);
    SOURCES.put("glusterfs", Volume::getGlusterfs);
    SOURCES.put("hostPath", Volume::getHostPath);
    SOURCES.put("image", Volume::getImage);
    SOURCES.put("iscsi", Volume::getIscsi);
    SOURCES.put("nfs", Volume::getNfs);
    SOURCES.put("persistentVolumeClaim", Volume::getPersistentVolumeClaim);
    SOURCES.put("photonPersistentDisk", Volume::getPhotonPersistentDisk);
    SOURCES.put("portworxVolume", Volume::getPortworxVolume);
    SOURCES.put("projected", Volume::getProjected);
    SOURCES.put("quobyte", Volume::getQuobyte);
    SOURCES.put("rbd", Volume::getRbd);
    SOURCES.put("scaleIO", Volume::getScaleIO);
    SOURCES.put("secret", Volume::getSecret);
    SOURCES.put("storageos", Volume::getStorageos);
    SOURCES.put("vsphereVolume", Volume::getVsphereVolume);
  }

  private VolumeTypes() {}

  /** The type, or "unknown" for a source this model does not know (never allowed by restricted). */
  static String of(Volume volume) {
    for (var source : SOURCES.entrySet()) {
      if (source.getValue().apply(volume) != null) {
        return source.getKey();
      }
    }
    return volume.getAdditionalProperties() == null || volume.getAdditionalProperties().isEmpty()
        ? null
        : "unknown";
  }
}
