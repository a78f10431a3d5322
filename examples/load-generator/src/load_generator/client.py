"""HTTP calls to the model's Service: v2 inference, feedback and the feature schema."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from .stats import Stats


@dataclass
class Answer:
    predicted: int | None = None
    failure: str | None = None  # one of stats.FAILURE_KINDS


class ModelClient:
    """One new connection per request by default: a Service spreads connections, not requests, over
    its pods, so a few long-lived keep-alive connections would pin the traffic to a few pods and
    distort a canary's share. `keep_alive=True` reuses connections per thread instead."""

    def __init__(self, target_url: str, model_name: str, timeout: float = 5.0, keep_alive: bool = False):
        base = target_url.rstrip("/")
        self.infer_url = f"{base}/v2/models/{model_name}/infer"
        self.feedback_url = f"{base}/v2/models/{model_name}/feedback"
        self.features_url = f"{base}/v2/models/{model_name}/features"
        self.timeout = timeout
        self.headers = {} if keep_alive else {"Connection": "close"}
        self._session = requests.Session() if keep_alive else None

    def _post(self, url, body):
        post = self._session.post if self._session else requests.post
        return post(url, json=body, headers=self.headers, timeout=self.timeout)

    def infer(self, request_id: str, row: list[float], stats: Stats) -> Answer:
        body = {"id": request_id,
                "inputs": [{"name": "input-0", "shape": [1, len(row)], "datatype": "FP64", "data": row}]}
        # One retry on a connection error: a pod that is going away may close an idle or fresh connection
        # between accept and response (what a Service's client would see as a reset). Inference has no side
        # effect worth protecting, so sending it again is safe; retries are counted on their own.
        for attempt in (1, 2):
            try:
                response = self._post(self.infer_url, body)
            except requests.Timeout:
                return Answer(failure="timeout")
            except requests.ConnectionError:
                if attempt == 1:
                    stats.record_retry()
                    continue
                return Answer(failure="connect")
            break
        if response.status_code >= 500:
            return Answer(failure="http_5xx")
        if response.status_code != 200:
            return Answer(failure="http_4xx")
        try:
            outputs = {o["name"]: o for o in response.json()["outputs"]}
            return Answer(predicted=int(outputs["predict"]["data"][0]))
        except (ValueError, KeyError, IndexError, TypeError):
            return Answer(failure="bad_response")

    def send_feedback(self, request_id: str, row: list[float], label: int) -> bool:
        try:
            response = self._post(self.feedback_url, {"id": request_id, "inputs": [row], "labels": [label]})
        except requests.RequestException:
            return False
        return response.status_code == 200

    def feature_schema(self) -> dict:
        response = requests.get(self.features_url, timeout=self.timeout, headers=self.headers)
        response.raise_for_status()
        return response.json()
