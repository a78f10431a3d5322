"""The load generator's own HTTP port (CONTROL_PORT, default 8090):

  GET  /stats              JSON: sent, ok, failed, retried, failures by kind, feedback, predictions
                           (client-side correct/incorrect), shift, and the answered inputs' bucket
                           counts since start ("buckets") and over the recent window ("recent_buckets")
  GET  /metrics            Prometheus text (loadgen_* metrics)
  GET  /shift              {"shift": 0.0}
  POST /shift?amount=1.5   change the input shift at run time (standard deviations); answers the new value
  GET  /healthz            200 once running
"""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from .runner import LoadGenerator


class ControlServer:
    def __init__(self, generator: LoadGenerator, port: int, host: str = "0.0.0.0"):
        handler = _handler_for(generator)
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="control", daemon=True)

    def start(self) -> "ControlServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler_for(generator: LoadGenerator):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, document) -> None:
            self._reply(status, json.dumps(document).encode())

        def do_GET(self):
            path = urlparse(self.path).path
            if path == "/stats":
                self._json(200, generator.stats.as_json())
            elif path == "/metrics":
                self._reply(200, generate_latest(generator.stats.registry), CONTENT_TYPE_LATEST)
            elif path == "/shift":
                self._json(200, {"shift": generator.sampler.shift})
            elif path == "/healthz":
                self._json(200, {"ok": True})
            else:
                self._json(404, {"error": f"no such path {path}"})

        def do_POST(self):
            url = urlparse(self.path)
            if url.path != "/shift":
                self._json(404, {"error": f"no such path {url.path}"})
                return
            values = parse_qs(url.query).get("amount")
            try:
                amount = float(values[0]) if values else math.nan
            except ValueError:
                amount = math.nan
            if not math.isfinite(amount):
                self._json(400, {"error": "POST /shift?amount=<number of standard deviations>"})
                return
            generator.set_shift(amount)
            self._json(200, {"shift": amount})

        def log_message(self, *args):
            pass  # scrapes every few seconds would drown the log

    return Handler
