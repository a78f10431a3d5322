package dev.modelops.operator.drift;

/**
 * Population Stability Index.
 *
 * <pre>
 *   PSI = Σ_i (q_i − p_i) · ln(q_i / p_i)
 * </pre>
 *
 * with {@code p} the baseline and {@code q} the current bucket probabilities, natural log. A bucket
 * that is empty on one side would make the log infinite, so each probability is first raised to at
 * least {@code epsilon} ({@code p_i ← max(p_i, ε)}, same for {@code q}; no renormalisation). A
 * bucket empty on both sides then adds 0, and a bucket that goes from empty to {@code q_i} adds
 * {@code (q_i − ε)·ln(q_i/ε)}: large but finite. The default {@code ε = 1e-4} keeps one newly
 * filled 1% bucket at about 0.05, below the usual 0.1 "watch" threshold, while a newly filled 10%
 * bucket alone adds about 0.69, clearly drift.
 *
 * <p>Written this way PSI equals KL(p‖q) + KL(q‖p), so it is symmetric: swapping baseline and
 * current gives the same score. It is unbounded above; 0 means identical.
 */
public final class PsiStatistic implements DriftStatistic {

  public static final double DEFAULT_EPSILON = 1e-4;

  private final double epsilon;

  public PsiStatistic() {
    this(DEFAULT_EPSILON);
  }

  public PsiStatistic(double epsilon) {
    if (!(epsilon > 0 && epsilon < 1)) {
      throw new IllegalArgumentException("PSI epsilon must be in (0, 1), got " + epsilon);
    }
    this.epsilon = epsilon;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  public double score(Histogram baseline, Histogram current) {
    return score(ComparedDistributions.of(baseline, current));
  }

  double score(ComparedDistributions d) {
    double psi = 0;
    for (int i = 0; i < d.p().length; i++) {
      double p = Math.max(d.p()[i], epsilon);
      double q = Math.max(d.q()[i], epsilon);
      psi += (q - p) * Math.log(q / p);
    }
    return psi;
  }
}
