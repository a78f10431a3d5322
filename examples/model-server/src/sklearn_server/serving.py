"""What this server adds to KServe's REST server: honest readiness, feedback, the feature schema,
request metrics, and a drain on SIGTERM.

Our routes are added to KServe's FastAPI app before KServe adds its own, so ours answer first for
the paths both define (readiness: KServe's /v2/health/ready is always 200 once the port is open).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from kserve.errors import InvalidInput

from .feedback import InvalidFeedback, PredictionLog, parse_feedback, score
from .metrics import ServerMetrics
from .model import SklearnModel

log = logging.getLogger("kserve.sklearn_server")

_ENDPOINTS = (
    (re.compile(r"^/v2/models/[^/]+(/versions/[^/]+)?/infer$"), "infer"),
    (re.compile(r"^/v1/models/[^/]+:predict$"), "infer"),
    (re.compile(r"^/v2/models/[^/]+/feedback$"), "feedback"),
)


class Lifecycle:
    """Loading -> ready -> draining. Draining starts at SIGTERM: the pod still serves, but tells the
    kubelet it is not ready, so that the endpoints controller takes it out of the Service first."""

    def __init__(self, model: SklearnModel, metrics: ServerMetrics):
        self.model = model
        self.metrics = metrics
        self.draining = False

    def not_ready_reason(self) -> str | None:
        if self.draining:
            return "draining"
        if not self.model.ready:
            return "loading"
        return None

    def start_draining(self) -> None:
        self.draining = True
        self.metrics.ready.set(0)


def endpoint_of(path: str) -> str | None:
    for pattern, endpoint in _ENDPOINTS:
        if pattern.match(path):
            return endpoint
    return None


class RequestMetricsMiddleware:
    """Counts inference and feedback requests by status and times them (plain ASGI: no body buffering).
    While draining, every response carries `Connection: close`, so keep-alive clients reconnect
    (through the Service, to another pod) instead of sending more requests over this pod's sockets."""

    def __init__(self, app, metrics: ServerMetrics, lifecycle: Lifecycle):
        self.app = app
        self.metrics = metrics
        self.lifecycle = lifecycle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        endpoint = endpoint_of(scope["path"])
        status = 500  # what the client sees if the app fails before it starts a response
        started = time.perf_counter()

        async def send_with_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if self.lifecycle.draining:
                    message = dict(message, headers=list(message.get("headers", [])) + [(b"connection", b"close")])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            if endpoint:
                self.metrics.observe_request(endpoint, status, time.perf_counter() - started)


def install_routes(app: FastAPI, model: SklearnModel, metrics: ServerMetrics, lifecycle: Lifecycle,
                   prediction_log: PredictionLog) -> None:
    def readiness():
        reason = lifecycle.not_ready_reason()
        if reason:
            return JSONResponse({"ready": False, "reason": reason}, status_code=503)
        return JSONResponse({"ready": True})

    def model_readiness(model_name: str):
        if model_name != model.name:
            return JSONResponse({"error": f"model {model_name} not found"}, status_code=404)
        reason = lifecycle.not_ready_reason()
        return JSONResponse({"name": model.name, "ready": reason is None}, status_code=503 if reason else 200)

    def features(model_name: str):
        if model_name != model.name:
            return JSONResponse({"error": f"model {model_name} not found"}, status_code=404)
        if not model.ready:
            return JSONResponse({"error": "the model is still loading"}, status_code=503)
        return JSONResponse(dict(model.spec.as_document(), name=model.name, version=model.version))

    async def feedback(model_name: str, request: Request):
        if model_name != model.name:
            return JSONResponse({"error": f"model {model_name} not found"}, status_code=404)
        if not model.ready:
            return JSONResponse({"error": "the model is still loading"}, status_code=503)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        try:
            items = parse_feedback(body, model.spec.class_index)
            result = score(items, prediction_log, lambda inputs: model.class_indices(model.rows_from(inputs)))
        except (InvalidFeedback, InvalidInput) as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        metrics.feedback.labels("correct").inc(result.correct)
        metrics.feedback.labels("incorrect").inc(result.incorrect)
        metrics.feedback_unmatched.inc(result.unmatched)
        return JSONResponse(result.as_dict())

    app.add_api_route("/v2/health/ready", readiness, methods=["GET"])
    app.add_api_route("/v1/models/{model_name}", model_readiness, methods=["GET"])
    app.add_api_route("/v2/models/{model_name}/ready", model_readiness, methods=["GET"])
    app.add_api_route("/v2/models/{model_name}/features", features, methods=["GET"])
    app.add_api_route("/v2/models/{model_name}/feedback", feedback, methods=["POST"])
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics, lifecycle=lifecycle)


class GracefulShutdown:
    """SIGTERM: drain for `drain_seconds` (not ready, still serving), then hand the signal to uvicorn,
    which stops accepting connections and waits for in-flight requests (KServe's grace period).

    Kubernetes removes a terminating pod from the Service's endpoints at the same time as it sends
    SIGTERM, and kube-proxy applies that a moment later: a server that closed its port at once would
    refuse the connections still routed to it. A second signal skips the rest of the drain.
    """

    def __init__(self, lifecycle: Lifecycle, drain_seconds: float):
        self.lifecycle = lifecycle
        self.drain_seconds = drain_seconds

    def attach(self, app: FastAPI) -> None:
        # Installed from the app's lifespan, i.e. after uvicorn has installed its own handlers,
        # which are the ones ours hand over to.
        original = app.router.lifespan_context

        @contextlib.asynccontextmanager
        async def lifespan(app_):
            self._install(asyncio.get_running_loop())
            async with original(app_) as state:
                yield state

        app.router.lifespan_context = lifespan

    def _install(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            if callable(previous):
                signal.signal(sig, self._handler(loop, previous))

    def _handler(self, loop, previous):
        def on_signal(sig, frame):
            if self.lifecycle.draining:
                previous(sig, frame)
                return
            log.info("received %s: draining for %.1f s before shutting down", signal.Signals(sig).name,
                     self.drain_seconds)
            self.lifecycle.start_draining()
            loop.call_soon_threadsafe(loop.call_later, self.drain_seconds, previous, sig, None)

        return on_signal
