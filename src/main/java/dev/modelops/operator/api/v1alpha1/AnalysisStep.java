package dev.modelops.operator.api.v1alpha1;

/** Marks a step that runs rollout.analysis; it has no settings of its own. */
public class AnalysisStep {}
