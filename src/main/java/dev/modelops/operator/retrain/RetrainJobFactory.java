package dev.modelops.operator.retrain;

import dev.modelops.operator.api.v1alpha1.Keys;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelRules;
import dev.modelops.operator.api.v1alpha1.RetrainPolicy;
import dev.modelops.operator.api.v1alpha1.RetrainRecord.Trigger;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfileBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure: the retraining Job for one trigger of a policy, from the policy's jobTemplate. */
public final class RetrainJobFactory {
  public static final String POLICY_LABEL = Keys.POLICY_LABEL;
  public static final String TRIGGER_LABEL = Keys.TRIGGER_LABEL;
  public static final String SEQUENCE_ANNOTATION = Keys.SEQUENCE_ANNOTATION;
  public static final String SCORE_ANNOTATION = Keys.SCORE_ANNOTATION;
  public static final String MANAGED_BY = Keys.MANAGED_BY;

  /** Job names end up in pod labels (job-name), so they must stay a DNS label. */
  static final int MAX_NAME = 63;

  private RetrainJobFactory() {}

  /** Hex digits of the policy name's SHA-256 that a shortened Job name carries. */
  static final int NAME_HASH_LENGTH = 8;

  /**
   * Deterministic: the n-th retrain of a policy always has the same name, so a restart cannot
   * duplicate it. {@code <policy>-retrain-<n>} when that fits in a DNS label; otherwise the policy
   * name is shortened and followed by a hash of the whole name, {@code
   * <prefix>-<hash>-retrain-<n>}, so two long names that share a prefix never share a Job name.
   */
  public static String jobName(String policyName, long sequence) {
    String suffix = "-retrain-" + sequence;
    if (policyName.length() + suffix.length() <= MAX_NAME) {
      return policyName + suffix;
    }
    String hash = "-" + sha256Hex(policyName).substring(0, NAME_HASH_LENGTH);
    String prefix =
        policyName
            .substring(0, MAX_NAME - suffix.length() - hash.length())
            .replaceAll("[-.]+$", "");
    return prefix + hash + suffix;
  }

  /** The n of a Job name this factory made ({@code ...-retrain-<n>}), if it is one. */
  public static OptionalLong sequenceOf(String jobName) {
    Matcher m = SEQUENCE.matcher(jobName == null ? "" : jobName);
    if (!m.find() || m.group(1).length() > 18) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(m.group(1)));
  }

  private static final Pattern SEQUENCE = Pattern.compile("-retrain-([0-9]+)$");

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Parses and checks the template; a problem here is the user's to fix, so it says what and where.
   */
  public static JobTemplateSpec template(RetrainPolicy policy) throws InvalidJobTemplateException {
    JobTemplateSpec template;
    try {
      template =
          Serialization.jsonMapper()
              .treeToValue(policy.getSpec().jobTemplate, JobTemplateSpec.class);
    } catch (Exception e) {
      throw new InvalidJobTemplateException(
          "jobTemplate is not a batch/v1 JobTemplateSpec: " + firstLine(e.getMessage()));
    }
    if (template == null
        || template.getSpec() == null
        || template.getSpec().getTemplate() == null
        || template.getSpec().getTemplate().getSpec() == null
        || template.getSpec().getTemplate().getSpec().getContainers() == null
        || template.getSpec().getTemplate().getSpec().getContainers().isEmpty()) {
      throw new InvalidJobTemplateException(
          "jobTemplate.spec.template.spec.containers must list at least one container");
    }
    for (Container c : template.getSpec().getTemplate().getSpec().getContainers()) {
      if (c.getImage() == null || c.getImage().isBlank()) {
        throw new InvalidJobTemplateException(
            "jobTemplate container " + c.getName() + " has no image");
      }
    }
    if (template.getSpec().getTtlSecondsAfterFinished() != null) {
      throw new InvalidJobTemplateException(
          "jobTemplate.spec.ttlSecondsAfterFinished is not allowed: the Job (and its result) could"
              + " be deleted before the operator reads it; successfulJobsHistoryLimit and"
              + " failedJobsHistoryLimit prune finished Jobs once their result is recorded");
    }
    String restart = template.getSpec().getTemplate().getSpec().getRestartPolicy();
    if (restart != null && !restart.equals("Never") && !restart.equals("OnFailure")) {
      throw new InvalidJobTemplateException(
          "jobTemplate restartPolicy must be Never or OnFailure, not " + restart);
    }
    return template;
  }

  /** The trainer pod as the Job would run it (the template with the operator's defaults). */
  public static PodSpec trainerPod(RetrainPolicy policy) throws InvalidJobTemplateException {
    PodSpec pod = template(policy).getSpec().getTemplate().getSpec();
    if (pod.getRestartPolicy() == null) {
      pod.setRestartPolicy("Never");
    }
    restrictByDefault(pod);
    return pod;
  }

  public static Job build(
      RetrainPolicy policy, ModelDeployment target, Trigger trigger, Double score, long sequence)
      throws InvalidJobTemplateException {
    JobTemplateSpec template = template(policy);
    String name = jobName(policy.getMetadata().getName(), sequence);
    Map<String, String> labels = new HashMap<>();
    labels.put(POLICY_LABEL, policy.getMetadata().getName());
    labels.put(TRIGGER_LABEL, trigger.name());
    labels.put(Keys.MANAGED_BY_LABEL, Keys.MANAGED_BY);
    labels.put(Keys.COMPONENT_LABEL, "model-trainer");

    ObjectMeta meta = template.getMetadata() != null ? template.getMetadata() : new ObjectMeta();
    Map<String, String> annotations =
        new HashMap<>(meta.getAnnotations() != null ? meta.getAnnotations() : Map.of());
    annotations.put(SEQUENCE_ANNOTATION, String.valueOf(sequence));
    if (score != null) {
      annotations.put(SCORE_ANNOTATION, formatScore(score));
    }
    PodSpec pod = template.getSpec().getTemplate().getSpec();
    if (pod.getRestartPolicy() == null) {
      pod.setRestartPolicy("Never");
    }
    restrictByDefault(pod);
    // For a registry reference, MODEL_URI is the reference (a trainer with an MLflow client reads
    // it as is), MODEL_VERSION the version it is pinned to and MODEL_STORAGE_URI where that is.
    var pin = target.getStatus() == null ? null : target.getStatus().registry;
    boolean registered = ModelRules.isRegistryReference(target.getSpec().model.uri) && pin != null;
    String version = target.getSpec().model.version;
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar("MODEL_NAME", target.getSpec().model.name, null));
    env.add(
        new EnvVar(
            "MODEL_VERSION", version != null ? version : registered ? pin.version : "", null));
    env.add(new EnvVar("MODEL_URI", target.getSpec().model.uri, null));
    if (registered) {
      env.add(new EnvVar("MODEL_STORAGE_URI", pin.storageUri, null));
    }
    env.add(new EnvVar("DRIFT_SCORE", score == null ? "" : formatScore(score), null));
    env.add(new EnvVar("TRIGGER", trigger.name(), null));
    for (Container c : pod.getContainers()) {
      List<EnvVar> merged = new ArrayList<>(c.getEnv() != null ? c.getEnv() : List.of());
      merged.removeIf(e -> env.stream().anyMatch(o -> o.getName().equals(e.getName())));
      merged.addAll(env);
      c.setEnv(merged);
    }
    Map<String, String> podLabels =
        new HashMap<>(
            template.getSpec().getTemplate().getMetadata() != null
                    && template.getSpec().getTemplate().getMetadata().getLabels() != null
                ? template.getSpec().getTemplate().getMetadata().getLabels()
                : Map.of());
    podLabels.putAll(labels);

    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(policy.getMetadata().getNamespace())
        .addToLabels(meta.getLabels() != null ? meta.getLabels() : Map.of())
        .addToLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(policy.getApiVersion())
                .withKind(policy.getKind())
                .withName(policy.getMetadata().getName())
                .withUid(policy.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withSpec(template.getSpec())
        .editSpec()
        .editTemplate()
        .editOrNewMetadata()
        .withLabels(podLabels)
        .endMetadata()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * Fills what the `restricted` Pod Security profile needs where the template leaves it unset, and
   * mounts no ServiceAccount token unless the template asks for one.
   */
  static void restrictByDefault(PodSpec pod) {
    if (pod.getAutomountServiceAccountToken() == null) {
      pod.setAutomountServiceAccountToken(false);
    }
    PodSecurityContext podContext =
        pod.getSecurityContext() != null ? pod.getSecurityContext() : new PodSecurityContext();
    if (podContext.getRunAsNonRoot() == null) {
      podContext.setRunAsNonRoot(true);
    }
    if (podContext.getRunAsUser() == null) {
      podContext.setRunAsUser(1000L);
    }
    if (podContext.getSeccompProfile() == null) {
      podContext.setSeccompProfile(new SeccompProfileBuilder().withType("RuntimeDefault").build());
    }
    pod.setSecurityContext(podContext);
    List<Container> all = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    for (Container c : all) {
      SecurityContext sc =
          c.getSecurityContext() != null ? c.getSecurityContext() : new SecurityContext();
      if (sc.getAllowPrivilegeEscalation() == null) {
        sc.setAllowPrivilegeEscalation(false);
      }
      if (sc.getCapabilities() == null) {
        sc.setCapabilities(
            new io.fabric8.kubernetes.api.model.CapabilitiesBuilder().withDrop("ALL").build());
      } else if (sc.getCapabilities().getDrop() == null
          || sc.getCapabilities().getDrop().isEmpty()) {
        sc.getCapabilities().setDrop(List.of("ALL"));
      }
      c.setSecurityContext(sc);
    }
  }

  public static String formatScore(double score) {
    return String.format(Locale.ROOT, "%.4f", score);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
