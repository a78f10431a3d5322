"""`python -m sklearn_server`: serve the scikit-learn model in MODEL_DIR on port 8080.

Configuration is environment only (the operator sets MODEL_NAME, MODEL_VERSION, MODEL_DIR and
MODEL_FORMAT); see README.md for every variable.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

# KServe parses sys.argv when kserve.model_server is imported; our settings come from the
# environment and are passed to ModelServer explicitly, so flags such as --workers have no effect.
from kserve import ModelServer
from kserve.model_server import app
from prometheus_client import disable_created_metrics

from .feedback import PredictionLog
from .metrics import ServerMetrics
from .model import SklearnModel
from .serving import GracefulShutdown, Lifecycle, install_routes

log = logging.getLogger("kserve.sklearn_server")

SUPPORTED_FORMATS = ("", "sklearn", "scikit-learn", "joblib")


@dataclass(frozen=True)
class Settings:
    model_name: str
    model_version: str
    model_dir: Path
    model_format: str
    http_port: int
    window_size: int
    feedback_cache_size: int
    access_log: bool
    drain_seconds: float
    grace_seconds: int

    @staticmethod
    def from_env(env=os.environ) -> "Settings":
        return Settings(
            model_name=env.get("MODEL_NAME", "model"),
            model_version=env.get("MODEL_VERSION", ""),
            model_dir=Path(env.get("MODEL_DIR", "/mnt/models")),
            model_format=env.get("MODEL_FORMAT", ""),
            http_port=int(env.get("HTTP_PORT", "8080")),
            window_size=int(env.get("RECENT_WINDOW_SIZE", "500")),
            feedback_cache_size=int(env.get("FEEDBACK_CACHE_SIZE", "10000")),
            access_log=env.get("ACCESS_LOG", "") in ("1", "true", "yes"),
            drain_seconds=float(env.get("DRAIN_SECONDS", "5")),
            grace_seconds=int(env.get("GRACE_SECONDS", "20")),
        )


def load_in_background(model: SklearnModel, metrics: ServerMetrics) -> threading.Thread:
    """Load while the port is already open, so the readiness probe gets an honest 503 (and /metrics
    answers) during a long load rather than a refused connection. A model that cannot be loaded
    ends the process: the container restarts and `kubectl describe pod` shows why."""

    def load():
        try:
            model.load()
        except Exception as e:
            log.error("cannot load the model from %s: %s", model.model_dir, e)
            logging.shutdown()
            os._exit(1)
        metrics.ready.set(1)
        log.info("model %s version %s loaded from %s", model.name, model.version or "-", model.model_dir)

    thread = threading.Thread(target=load, name="model-loader", daemon=True)
    thread.start()
    return thread


def quiet_request_logs(access_log: bool) -> None:
    # KServe logs a timing line per request on kserve.trace and uvicorn an access line: at a steady
    # load that buries everything else. ACCESS_LOG=1 brings the access lines back.
    logging.getLogger("kserve.trace").setLevel(logging.WARNING)
    if not access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def main() -> int:
    settings = Settings.from_env()
    if settings.model_format.lower() not in SUPPORTED_FORMATS:
        print(f"sklearn_server: MODEL_FORMAT={settings.model_format} is not a scikit-learn model "
              f"(supported: {', '.join(f for f in SUPPORTED_FORMATS if f)})", file=sys.stderr)
        return 2
    server = ModelServer(
        http_port=settings.http_port,
        workers=1,  # our routes and metrics live in this process; more workers would not have them
        enable_grpc=False,  # the operator's contract is HTTP on one port
        enable_docs_url=False,
        enable_latency_logging=False,
        grace_period=settings.grace_seconds,
    )
    quiet_request_logs(settings.access_log)
    disable_created_metrics()  # *_created series double the exposition and nobody queries them here
    metrics = ServerMetrics(settings.model_name, settings.model_version, settings.model_format or "sklearn")
    prediction_log = PredictionLog(settings.feedback_cache_size)
    model = SklearnModel(settings.model_name, settings.model_version, settings.model_dir, metrics,
                         settings.window_size, prediction_log)
    lifecycle = Lifecycle(model, metrics)
    install_routes(app, model, metrics, lifecycle, prediction_log)
    GracefulShutdown(lifecycle, settings.drain_seconds).attach(app)

    server.register_model(model)  # not ready yet: inference answers 503 until the load finishes
    load_in_background(model, metrics)
    server.start([])
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
