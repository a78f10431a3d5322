package dev.modelops.operator.serving;

/**
 * Where a model URI points: a PersistentVolumeClaim to mount read-only (pvc://CLAIM/PATH), or a
 * remote location the model puller downloads (s3://, gs://, https://, oci://).
 */
public record ModelLocation(String uri, String claimName, String subPath) {

  public static ModelLocation parse(String uri) {
    if (uri.startsWith("pvc://")) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      String claim = slash < 0 ? rest : rest.substring(0, slash);
      String path = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
      return new ModelLocation(uri, claim, path);
    }
    return new ModelLocation(uri, null, null);
  }

  public boolean isVolumeClaim() {
    return claimName != null;
  }
}
