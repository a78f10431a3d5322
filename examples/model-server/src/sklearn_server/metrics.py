"""The server's own Prometheus metrics (KServe's request_*_seconds and the process metrics are also on
/metrics). No metric carries the model version in its name; model_info carries it as a label, and
Prometheus adds the pod's labels (model, version, track) when it scrapes."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServerMetrics:
    def __init__(self, model_name: str, version: str, model_format: str, registry: CollectorRegistry = REGISTRY):
        self.registry = registry
        self.requests = Counter(
            "model_requests", "Inference and feedback requests, by HTTP status.", ["endpoint", "status"],
            registry=registry,
        )
        self.errors = Counter(
            "model_request_errors", "Requests answered with a 4xx or 5xx status.", ["endpoint", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "model_request_duration_seconds", "Time from request to response.", ["endpoint"],
            buckets=LATENCY_BUCKETS, registry=registry,
        )
        self.predictions = Counter(
            "model_predictions", "Predicted classes, one per input row.", ["class"], registry=registry
        )
        self.feedback = Counter(
            "model_feedback", "True labels received, by whether the prediction was correct.", ["outcome"],
            registry=registry,
        )
        self.feedback_unmatched = Counter(
            "model_feedback_unmatched",
            "Feedback items whose request id this pod does not remember and that carried no inputs.",
            registry=registry,
        )
        self.ready = Gauge("model_ready", "1 once the model is loaded and not shutting down.", registry=registry)
        info = Gauge("model_info", "The model this server serves.", ["model", "version", "format"], registry=registry)
        info.labels(model_name, version, model_format).set(1)
        # Both outcomes exist from the start, so a ratio query has data before the first feedback.
        for outcome in ("correct", "incorrect"):
            self.feedback.labels(outcome)

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, str(status)).inc()
        if status >= 400:
            self.errors.labels(endpoint, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)
