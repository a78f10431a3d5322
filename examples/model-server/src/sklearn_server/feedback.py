"""True labels that come back after the prediction: POST /v2/models/{name}/feedback.

Body: one item, or a JSON array of items, each
    {"id": "<the inference request's id>", "inputs": [[5.1, 3.5, 1.4, 0.2]], "labels": ["setosa"]}
`labels` (required) holds one true label per row of the request, as a class name or index. `id` and
`inputs` are both optional, at least one is needed to score: the item is scored against the
predictions this pod made for that request id if it remembers them, else the model predicts
`inputs` again. Behind a Service, feedback often reaches another pod than the one that answered, so
clients should send the inputs too; an item that can be scored neither way counts as unmatched.
Answer: {"correct": 3, "incorrect": 1, "unmatched": 0}.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np


class InvalidFeedback(ValueError):
    pass


@dataclass(frozen=True)
class FeedbackItem:
    request_id: str | None
    inputs: list | None
    labels: tuple[int, ...]


@dataclass
class FeedbackResult:
    correct: int = 0
    incorrect: int = 0
    unmatched: int = 0

    def as_dict(self) -> dict:
        return {"correct": self.correct, "incorrect": self.incorrect, "unmatched": self.unmatched}


class PredictionLog:
    """The predictions of the last `capacity` requests by id, so feedback can be scored against what
    was actually answered (a model reloaded or retrained since would answer differently)."""

    def __init__(self, capacity: int):
        self._capacity = capacity
        self._entries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, request_id: str, predictions: np.ndarray) -> None:
        if self._capacity <= 0:
            return
        with self._lock:
            self._entries[request_id] = predictions
            self._entries.move_to_end(request_id)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def lookup(self, request_id: str) -> np.ndarray | None:
        with self._lock:
            return self._entries.get(request_id)


def parse_feedback(body, class_index) -> list[FeedbackItem]:
    """Items from a request body; `class_index` turns a label into a class index or raises ValueError."""
    raw_items = body if isinstance(body, list) else [body]
    if not raw_items:
        raise InvalidFeedback("no feedback items")
    items = []
    for number, raw in enumerate(raw_items):
        where = f"item {number}" if isinstance(body, list) else "feedback"
        if not isinstance(raw, dict):
            raise InvalidFeedback(f"{where} is not an object")
        labels = raw.get("labels")
        if not isinstance(labels, list) or not labels:
            raise InvalidFeedback(f'{where} needs "labels": a list with one true label per row')
        try:
            indices = tuple(class_index(label) for label in labels)
        except ValueError as e:
            raise InvalidFeedback(f"{where}: {e}") from e
        request_id = raw.get("id")
        if request_id is not None and not isinstance(request_id, str):
            raise InvalidFeedback(f'{where}: "id" must be a string')
        inputs = raw.get("inputs")
        if inputs is not None and (not isinstance(inputs, list) or len(inputs) != len(indices)):
            raise InvalidFeedback(f'{where}: "inputs" must be a list of {len(indices)} rows, one per label')
        items.append(FeedbackItem(request_id, inputs, indices))
    return items


def score(items: list[FeedbackItem], log: PredictionLog, predict_rows) -> FeedbackResult:
    """`predict_rows(inputs)` predicts class indices for an item's inputs (and validates them)."""
    result = FeedbackResult()
    for item in items:
        predictions = log.lookup(item.request_id) if item.request_id else None
        if predictions is None and item.inputs is not None:
            predictions = predict_rows(item.inputs)
        if predictions is None:
            result.unmatched += 1
            continue
        if len(predictions) != len(item.labels):
            raise InvalidFeedback(
                f"request {item.request_id} had {len(predictions)} rows but the feedback has {len(item.labels)} labels"
            )
        correct = int(np.sum(np.asarray(predictions) == np.asarray(item.labels)))
        result.correct += correct
        result.incorrect += len(item.labels) - correct
    return result
