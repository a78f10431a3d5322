"""What the load generator sends: iris rows with their true labels, optionally shifted.

The shift moves inputs away from what the model was trained on while the labels stay the iris
labels: covariate drift that also costs the model accuracy, which a retrain on the recorded traffic
(inputs + true labels) wins back.
"""

from __future__ import annotations

import threading

import numpy as np
from sklearn.datasets import load_iris

FEATURE_NAMES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


class IrisSampler:
    """Rows drawn uniformly from iris; `shift` is in units of each feature's iris standard deviation
    and is added to the features named in `shifted_features` (all by default)."""

    def __init__(self, seed: int = 0, shift: float = 0.0, shifted_features=FEATURE_NAMES):
        data = load_iris()
        self._rows = np.asarray(data.data, dtype=float)
        self._labels = np.asarray(data.target, dtype=int)
        self._std = self._rows.std(axis=0)
        unknown = set(shifted_features) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"unknown features to shift: {sorted(unknown)}; features are {list(FEATURE_NAMES)}")
        self._mask = np.array([name in shifted_features for name in FEATURE_NAMES], dtype=float)
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()
        self._shift = float(shift)

    @property
    def shift(self) -> float:
        return self._shift

    @shift.setter
    def shift(self, amount: float) -> None:
        if not np.isfinite(amount):
            raise ValueError("shift must be a finite number")
        self._shift = float(amount)

    def sample(self) -> tuple[list[float], int]:
        with self._lock:
            index = int(self._rng.integers(len(self._labels)))
            shift = self._shift
        row = self._rows[index] + shift * self._std * self._mask
        return row.tolist(), int(self._labels[index])
