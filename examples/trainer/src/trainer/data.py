"""Training data: iris, plus the most recent traffic the load generator recorded with true labels.

A traffic batch is one JSON object per store key (written by load_generator.batches):
    {"format": "modelops-traffic/v1", "features": [...], "classes": [...],
     "rows": [[5.1, 3.5, 1.4, 0.2], ...], "labels": [0, ...], ...}
Keys start with a UTC timestamp, so the lexicographically last keys are the newest batches.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_iris

from .features import CLASS_NAMES, FEATURE_NAMES
from .store import ObjectStore, S3Location, StoreError

log = logging.getLogger(__name__)

TRAFFIC_FORMAT = "modelops-traffic/v1"


@dataclass
class Dataset:
    rows: np.ndarray  # shape (n, len(FEATURE_NAMES)), float64
    labels: np.ndarray  # shape (n,), class indices into CLASS_NAMES

    def __len__(self) -> int:
        return len(self.labels)

    @staticmethod
    def empty() -> "Dataset":
        return Dataset(np.empty((0, len(FEATURE_NAMES))), np.empty((0,), dtype=int))

    def concat(self, other: "Dataset") -> "Dataset":
        return Dataset(np.vstack([self.rows, other.rows]), np.concatenate([self.labels, other.labels]))


def iris() -> Dataset:
    data = load_iris()
    return Dataset(np.asarray(data.data, dtype=float), np.asarray(data.target, dtype=int))


def recent_traffic(store: ObjectStore, location: S3Location, max_rows: int) -> Dataset:
    """The newest rows from the traffic batches under `location`, at most `max_rows`.

    Batches in another format or with another feature schema are skipped with a warning rather than
    failing the retrain: an old load generator must not block training.
    """
    if max_rows <= 0:
        return Dataset.empty()
    keys = sorted(k for k in store.keys(location) if k.endswith(".json"))
    parts: list[Dataset] = []
    collected = 0
    for key in reversed(keys):
        if collected >= max_rows:
            break
        try:
            batch = store.read_json(location.bucket, key)
            part = _parse_batch(batch)
        except (StoreError, ValueError, KeyError, TypeError) as e:
            log.warning("skipping traffic batch s3://%s/%s: %s", location.bucket, key, e)
            continue
        keep = min(len(part), max_rows - collected)
        # Within a batch the last rows are the newest.
        parts.append(Dataset(part.rows[len(part) - keep:], part.labels[len(part) - keep:]))
        collected += keep
    result = Dataset.empty()
    for part in reversed(parts):  # back to chronological order
        result = result.concat(part)
    return result


def _parse_batch(batch: dict) -> Dataset:
    if batch.get("format") != TRAFFIC_FORMAT:
        raise ValueError(f"format {batch.get('format')!r} is not {TRAFFIC_FORMAT}")
    if list(batch["features"]) != list(FEATURE_NAMES):
        raise ValueError(f"features {batch['features']} are not {list(FEATURE_NAMES)}")
    rows = np.asarray(batch["rows"], dtype=float).reshape(-1, len(FEATURE_NAMES))
    labels = np.asarray(batch["labels"], dtype=int)
    if len(rows) != len(labels):
        raise ValueError(f"{len(rows)} rows but {len(labels)} labels")
    if not np.all(np.isfinite(rows)):
        raise ValueError("rows contain NaN or infinite values")
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise ValueError(f"labels outside 0..{len(CLASS_NAMES) - 1}")
    return Dataset(rows, labels)
