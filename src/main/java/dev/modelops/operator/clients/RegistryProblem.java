package dev.modelops.operator.clients;

import dev.modelops.operator.observability.Event.Reason;

/**
 * Why a model registry could not resolve a reference or set an alias: a fixed reason (the
 * ModelResolved condition's and the Event's) and a message built by the operator, which names the
 * registry, model, version or alias and at most an HTTP status and MLflow's documented error code,
 * never a response body or credentials.
 */
public record RegistryProblem(Reason reason, String message) {}
