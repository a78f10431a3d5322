"""A classifier whose loading and predictions wait for the test to open a gate (files in GATE_DIR),
so a test can hold the server in "loading" or keep a request in flight for as long as it needs."""

import os
import time
from pathlib import Path


def _gate_dir():
    return Path(os.environ["GATE_DIR"]) if os.environ.get("GATE_DIR") else None


def _wait_for_gate(name, timeout=60.0):
    directory = _gate_dir()
    if directory is None:
        return
    deadline = time.monotonic() + timeout
    while not (directory / f"open-{name}").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gate {name} was never opened")
        time.sleep(0.01)


class GatedClassifier:
    def __init__(self, inner):
        self.inner = inner
        self.n_features_in_ = inner.n_features_in_
        self.classes_ = inner.classes_

    def __setstate__(self, state):  # runs inside joblib.load, i.e. while the server loads the model
        self.__dict__.update(state)
        _wait_for_gate("load")

    def predict(self, rows):
        directory = _gate_dir()
        if directory is not None:
            (directory / "predict-started").touch()
        _wait_for_gate("predict")
        return self.inner.predict(rows)

    def predict_proba(self, rows):
        return self.inner.predict_proba(rows)
