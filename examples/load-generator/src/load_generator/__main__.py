"""`python -m load_generator`: steady inference traffic with delayed feedback against TARGET_URL.

Environment (see README.md): TARGET_URL (required), MODEL_NAME, RATE, SHIFT, SHIFT_FEATURES,
FEEDBACK_DELAY, CONTROL_PORT, BATCH_URI, BATCH_SIZE, MAX_REQUESTS, DURATION, CONCURRENCY,
REQUEST_TIMEOUT, KEEP_ALIVE, RECENT_WINDOW_SIZE, FEATURES_FILE, STARTUP_TIMEOUT, SEED, STATS_LOG_INTERVAL.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import time

import requests

from .batches import TrafficRecorder
from .client import ModelClient
from .control import ControlServer
from .runner import LoadGenerator
from .stats import Stats
from .traffic import FEATURE_NAMES, IrisSampler

log = logging.getLogger("load_generator")


class ConfigError(Exception):
    pass


def feature_edges(client: ModelClient, env, timeout: float) -> list[list[float]]:
    """The model's bucket edges, from FEATURES_FILE or the server's /features endpoint (waiting for the
    server to come up: the generator has nothing to send to before that anyway)."""
    if env.get("FEATURES_FILE"):
        with open(env["FEATURES_FILE"]) as f:
            schema = json.load(f)
    else:
        deadline = time.monotonic() + timeout
        while True:
            try:
                schema = client.feature_schema()
                break
            except (requests.RequestException, ValueError) as e:
                if time.monotonic() > deadline:
                    raise ConfigError(f"no feature schema at {client.features_url} after {timeout:.0f} s: {e}") from e
                time.sleep(1)
    by_name = {f["name"]: f["edges"] for f in schema["features"]}
    if sorted(by_name) != sorted(FEATURE_NAMES):
        raise ConfigError(f"the model's features {sorted(by_name)} are not iris's {sorted(FEATURE_NAMES)}")
    return [by_name[name] for name in FEATURE_NAMES]


def build(env=os.environ) -> tuple[LoadGenerator, dict]:
    target = env.get("TARGET_URL")
    if not target:
        raise ConfigError("TARGET_URL is not set (e.g. http://iris.ml.svc.cluster.local)")
    delay_text = env.get("FEEDBACK_DELAY", "5")
    feedback_delay = None if delay_text.lower() in ("off", "none", "-1") else float(delay_text)
    client = ModelClient(target, env.get("MODEL_NAME", "iris"), timeout=float(env.get("REQUEST_TIMEOUT", "5")),
                         keep_alive=env.get("KEEP_ALIVE", "") in ("1", "true", "yes"))
    shifted = [n.strip() for n in env.get("SHIFT_FEATURES", ",".join(FEATURE_NAMES)).split(",") if n.strip()]
    try:
        sampler = IrisSampler(seed=int(env.get("SEED", "0")), shift=float(env.get("SHIFT", "0")),
                              shifted_features=shifted)
    except ValueError as e:
        raise ConfigError(str(e)) from e
    edges = feature_edges(client, env, float(env.get("STARTUP_TIMEOUT", "300")))
    stats = Stats(FEATURE_NAMES, edges, recent_window=int(env.get("RECENT_WINDOW_SIZE", "500")))
    recorder = None
    if env.get("BATCH_URI"):
        recorder = TrafficRecorder(env["BATCH_URI"], int(env.get("BATCH_SIZE", "100")),
                                   instance=env.get("HOSTNAME") or socket.gethostname())
    generator = LoadGenerator(client, sampler, stats, rate=float(env.get("RATE", "5")), feedback_delay=feedback_delay,
                              concurrency=int(env.get("CONCURRENCY", "4")), recorder=recorder,
                              log_interval=float(env.get("STATS_LOG_INTERVAL", "30")))
    limits = {"max_requests": int(env.get("MAX_REQUESTS", "0")), "duration": float(env.get("DURATION", "0"))}
    return generator, limits


def result_line(summary: dict) -> dict:
    return {k: summary[k] for k in ("sent", "ok", "failed", "retried", "failures", "feedback", "predictions",
                                    "shift", "buckets")}


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        generator, limits = build()
    except (ConfigError, ValueError, OSError) as e:
        print(f"load_generator: error: {e}", file=sys.stderr)
        return 1
    control = ControlServer(generator, int(os.environ.get("CONTROL_PORT", "8090"))).start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: generator.stop())
    log.info("sending %s requests/s to %s (shift %.2f)", generator.rate, generator.client.infer_url,
             generator.sampler.shift)
    summary = generator.run(**limits)
    control.stop()
    # The last line is the run's result, for a Job's log or a test; "buckets" are the answered rows'
    # histograms, what an offline drift check (offline_drift) compares with a baseline.
    print(json.dumps(result_line(summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
