package dev.modelops.operator.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a model's version and URI must be, written once: the CEL rules of {@link ModelSpec} (what
 * admission checks in spec.model) are built from these constants, and {@link #problems} checks a
 * trainer's result with the same patterns and limits, so a model the operator would promote is one
 * the API server admits.
 *
 * <p>The patterns are RE2 and java.util.regex alike (no backslashes, no look-around), and CEL's
 * {@code matches} finds a match anywhere, as {@link java.util.regex.Matcher#find} does: the
 * anchored ones say so with ^ and $.
 */
public final class ModelRules {
  public static final int VERSION_MAX = 63;

  /** A label value: it becomes modelops.dev/model-version on the serving pods. */
  public static final String VERSION_PATTERN = "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

  public static final String VERSION_MESSAGE =
      "model.version must be usable as a label value: letters, digits, '-', '_' and '.',"
          + " starting and ending with a letter or digit, at most 63 characters (e.g. 1.4.0 or"
          + " 2026-11-27)";

  public static final int URI_MAX = 2048;

  public static final String URI_PATTERN = "^(s3|gs|https|pvc|oci)://[^/].*$";

  public static final String URI_MESSAGE =
      "model.uri must start with s3://, gs://, https://, pvc:// or oci:// followed by a location,"
          + " e.g. s3://models/churn/1.4.0 or pvc://model-store/churn/1.4.0, or be a model registry"
          + " reference: models:/NAME/VERSION or models:/NAME@ALIAS";

  /** What starts a model registry reference (MLflow's models:/ URIs). */
  public static final String REGISTRY_PREFIX = "models:/";

  /**
   * models:/NAME/VERSION or models:/NAME@ALIAS: NAME a registered model name as far as a URI can
   * carry it (MLflow allows anything but '/' and ':'; spaces, '@' and '%' are not supported here),
   * VERSION a registered version number, ALIAS an MLflow alias.
   */
  public static final String REGISTRY_URI_PATTERN =
      "^models:/[A-Za-z0-9_][-A-Za-z0-9_.]{0,255}(/[1-9][0-9]{0,17}|@[-A-Za-z0-9_]{1,255})$";

  public static final String REGISTRY_URI_MESSAGE =
      "a registry model.uri is models:/NAME/VERSION (VERSION a registered version number, e.g."
          + " models:/churn/3) or models:/NAME@ALIAS (e.g. models:/churn@champion); NAME may have"
          + " letters, digits, '-', '_' and '.', ALIAS letters, digits, '-' and '_'";

  /** MLflow reserves these alias names (latest, and v1, V2, ... which name versions). */
  public static final String RESERVED_ALIAS_PATTERN = "@([Ll][Aa][Tt][Ee][Ss][Tt]|[vV][0-9]+)$";

  /** The same, for an alias on its own. */
  public static final String RESERVED_ALIAS_BARE = "^([Ll][Aa][Tt][Ee][Ss][Tt]|[vV][0-9]+)$";

  public static final String RESERVED_ALIAS_MESSAGE =
      "MLflow reserves the aliases latest and v<number>: name the version itself"
          + " (models:/NAME/VERSION) or another alias";

  /**
   * A registry reference names its version itself (or lets the registry tell it):
   * spec.model.version may be left out then.
   */
  public static final String VERSION_REQUIRED_RULE =
      "has(self.version) || self.uri.startsWith('" + REGISTRY_PREFIX + "')";

  public static final String VERSION_REQUIRED_MESSAGE =
      "model.version is required, unless model.uri is a registry reference (models:/...) whose"
          + " version the registry tells";

  /** With models:/NAME/VERSION a version must be that VERSION; with an alias it must be unset. */
  public static final String REGISTRY_VERSION_RULE =
      "!has(self.version) || !self.uri.startsWith('"
          + REGISTRY_PREFIX
          + "') || self.uri.endsWith('/' + self.version)";

  public static final String REGISTRY_VERSION_MESSAGE =
      "with a registry reference, model.version is the registered version: leave it out, or give"
          + " the VERSION of models:/NAME/VERSION; with models:/NAME@ALIAS the registry decides the"
          + " version, so model.version must not be set";

  /** Where a resolved registry model may live: what the model puller fetches. */
  public static final String STORAGE_URI_PATTERN = "^(s3|gs|https)://[^/]";

  /**
   * pvc://CLAIM[/PATH] with CLAIM a DNS-1123 subdomain, the form of a PersistentVolumeClaim name.
   */
  public static final String PVC_URI_PATTERN =
      "^pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*(/.*)?$";

  /** A DNS-1123 subdomain has at most 253 characters. */
  public static final String PVC_CLAIM_LENGTH_PATTERN = "^pvc://[^/]{1,253}(/.*)?$";

  public static final String PVC_MESSAGE =
      "a pvc:// model.uri is pvc://CLAIM/PATH, and CLAIM must be the name of a"
          + " PersistentVolumeClaim: a DNS-1123 subdomain (lowercase letters, digits, '-' and '.',"
          + " starting and ending with a letter or digit, at most 253 characters)";

  /** A `..` path segment anywhere after the scheme (found, not matched whole). */
  public static final String DOT_DOT_SEGMENT_PATTERN = "/[.][.](/|$)";

  public static final String DOT_DOT_MESSAGE =
      "model.uri must not contain a '..' path segment: a model is named by where it is, not by a"
          + " way out of a directory";

  // The CEL rules of ModelSpec, from the patterns above.
  public static final String VERSION_RULE = "self.matches('" + VERSION_PATTERN + "')";
  public static final String URI_RULE =
      "self.startsWith('" + REGISTRY_PREFIX + "') || self.matches('" + URI_PATTERN + "')";
  public static final String REGISTRY_URI_RULE =
      "!self.startsWith('" + REGISTRY_PREFIX + "') || self.matches('" + REGISTRY_URI_PATTERN + "')";
  public static final String RESERVED_ALIAS_RULE =
      "!self.startsWith('"
          + REGISTRY_PREFIX
          + "') || !self.matches('"
          + RESERVED_ALIAS_PATTERN
          + "')";
  public static final String PVC_RULE =
      "!self.startsWith('pvc://') || (self.matches('"
          + PVC_URI_PATTERN
          + "') && self.matches('"
          + PVC_CLAIM_LENGTH_PATTERN
          + "'))";
  public static final String DOT_DOT_RULE = "!self.matches('" + DOT_DOT_SEGMENT_PATTERN + "')";

  private static final Pattern VERSION = Pattern.compile(VERSION_PATTERN);
  private static final Pattern URI = Pattern.compile(URI_PATTERN);
  private static final Pattern PVC = Pattern.compile(PVC_URI_PATTERN);
  private static final Pattern PVC_LENGTH = Pattern.compile(PVC_CLAIM_LENGTH_PATTERN);
  private static final Pattern DOT_DOT = Pattern.compile(DOT_DOT_SEGMENT_PATTERN);
  private static final Pattern REGISTRY_URI = Pattern.compile(REGISTRY_URI_PATTERN);
  private static final Pattern RESERVED_ALIAS = Pattern.compile(RESERVED_ALIAS_PATTERN);
  private static final Pattern STORAGE_URI = Pattern.compile(STORAGE_URI_PATTERN);

  private ModelRules() {}

  /**
   * Whatever admission would refuse in a spec.model with this version (null when left out) and URI;
   * empty if none.
   */
  public static List<String> problems(String version, String uri) {
    List<String> problems = new ArrayList<>();
    boolean registry = isRegistryReference(uri);
    if (version == null) {
      if (!registry) {
        problems.add(VERSION_REQUIRED_MESSAGE);
      }
    } else {
      problems.addAll(versionProblems(version));
      if (registry && !uri.endsWith("/" + version)) {
        problems.add(REGISTRY_VERSION_MESSAGE);
      }
    }
    problems.addAll(uriProblems(uri));
    return problems;
  }

  /** Whether the URI is a model registry reference (models:/...), valid or not. */
  public static boolean isRegistryReference(String uri) {
    return uri != null && uri.startsWith(REGISTRY_PREFIX);
  }

  /** What admission would refuse in spec.model.version. */
  public static List<String> versionProblems(String version) {
    boolean admitted =
        version != null
            && !version.isEmpty()
            && version.length() <= VERSION_MAX
            && VERSION.matcher(version).find();
    return admitted ? List.of() : List.of(VERSION_MESSAGE);
  }

  /** What admission would refuse in spec.model.uri. */
  public static List<String> uriProblems(String uri) {
    if (isRegistryReference(uri)) {
      List<String> problems = new ArrayList<>();
      if (uri.length() > URI_MAX) {
        problems.add("model.uri must be at most " + URI_MAX + " characters");
      }
      if (!REGISTRY_URI.matcher(uri).find()) {
        problems.add(REGISTRY_URI_MESSAGE);
      }
      if (RESERVED_ALIAS.matcher(uri).find()) {
        problems.add(RESERVED_ALIAS_MESSAGE);
      }
      if (DOT_DOT.matcher(uri).find()) {
        problems.add(DOT_DOT_MESSAGE);
      }
      return problems;
    }
    if (uri == null || uri.isEmpty() || !URI.matcher(uri).find()) {
      return List.of(URI_MESSAGE);
    }
    List<String> problems = new ArrayList<>();
    if (uri.length() > URI_MAX) {
      problems.add("model.uri must be at most " + URI_MAX + " characters");
    }
    if (uri.startsWith("pvc://") && !(PVC.matcher(uri).find() && PVC_LENGTH.matcher(uri).find())) {
      problems.add(PVC_MESSAGE);
    }
    if (DOT_DOT.matcher(uri).find()) {
      problems.add(DOT_DOT_MESSAGE);
    }
    return problems;
  }

  /**
   * What is wrong with a storage location a model registry gave for a model version, empty if
   * nothing: it must be what the model puller fetches (s3://, gs:// or https:// followed by a
   * location), pass spec.model.uri's rules, and have no whitespace or control characters.
   */
  public static List<String> storageUriProblems(String uri) {
    if (uri == null || !STORAGE_URI.matcher(uri).find()) {
      return List.of("it is not an s3://, gs:// or https:// location");
    }
    if (uri.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      return List.of("it contains whitespace or control characters");
    }
    return uriProblems(uri);
  }
}
