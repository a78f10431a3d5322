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
          + " e.g. s3://models/churn/1.4.0 or pvc://model-store/churn/1.4.0";

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
  public static final String URI_RULE = "self.matches('" + URI_PATTERN + "')";
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

  private ModelRules() {}

  /** Whatever admission would refuse in a spec.model with this version and URI; empty if none. */
  public static List<String> problems(String version, String uri) {
    List<String> problems = new ArrayList<>(versionProblems(version));
    problems.addAll(uriProblems(uri));
    return problems;
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
}
