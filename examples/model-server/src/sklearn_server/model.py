"""The KServe model: a scikit-learn classifier served over the Open Inference Protocol (v2).

Request (v2): one input tensor of shape [rows, features], FP64 preferably (FP32 rounds values, which
can move a value that sits on a bucket edge into the next bucket of the input histograms), e.g.
    {"id": "r-1", "inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64",
                              "data": [5.1, 3.5, 1.4, 0.2]}]}
Response outputs: `predict` (INT64 class indices) by default; ask for `predict_proba` (FP64
[rows, classes]) and/or `label` (BYTES class names) with "outputs": [{"name": ...}]. The response id is
the request's id, else its x-request-id header, else a new one: feedback refers to it.
The v1 protocol ({"instances": [[...]]} -> {"predictions": [...]}) works too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path

import numpy as np
from kserve import Model
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferOutput, InferRequest, InferResponse

from .artifacts import BASELINE_FILE, FeatureSpec, load_estimator, load_feature_spec
from .feedback import PredictionLog
from .metrics import ServerMetrics
from .observations import Baseline, InputDistribution, InputDistributionCollector

log = logging.getLogger("sklearn_server")

OUTPUTS = ("predict", "predict_proba", "label")


class SklearnModel(Model):
    def __init__(self, name: str, version: str, model_dir: Path, metrics: ServerMetrics,
                 window_size: int, prediction_log: PredictionLog):
        super().__init__(name)
        self.version = version
        self.model_dir = Path(model_dir)
        self.metrics = metrics
        self.window_size = window_size
        self.prediction_log = prediction_log
        self.spec: FeatureSpec | None = None
        self.distribution: InputDistribution | None = None
        self._estimator = None

    def load(self) -> bool:
        spec = load_feature_spec(self.model_dir)
        estimator = load_estimator(self.model_dir, spec)
        self.spec, self._estimator = spec, estimator
        self.distribution = InputDistribution(spec, self.window_size)
        self.metrics.registry.register(InputDistributionCollector(self.distribution, self._baseline(spec)))
        for name in spec.classes:
            self.metrics.predictions.labels(name)
        self.ready = True
        return True

    def _baseline(self, spec: FeatureSpec) -> Baseline | None:
        path = self.model_dir / BASELINE_FILE
        if not path.exists():
            return None
        try:
            return Baseline(spec, json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError) as e:
            # The score is an extra; serving must not depend on it.
            log.warning("not exporting model_drift_score: %s", e)
            return None

    # --- decoding -------------------------------------------------------------------------------

    def rows_from(self, values) -> np.ndarray:
        """Validated float64 rows of shape (n, features) from anything array-like."""
        try:
            rows = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise InvalidInput(f"inputs must be numbers: {e}") from e
        features = len(self.spec.names)
        if rows.ndim == 1 and rows.size == features:
            rows = rows.reshape(1, features)
        if rows.ndim != 2 or rows.shape[1] != features or rows.shape[0] == 0:
            raise InvalidInput(
                f"expected shape [rows, {features}] ({', '.join(self.spec.names)}), got {list(rows.shape)}"
            )
        if not np.all(np.isfinite(rows)):
            raise InvalidInput("inputs must be finite numbers (no NaN or infinity)")
        return rows

    def _decode_v2(self, request: InferRequest) -> tuple[np.ndarray, list[str]]:
        if len(request.inputs) != 1:
            raise InvalidInput(f"expected one input tensor, got {len(request.inputs)}")
        try:
            values = request.inputs[0].as_numpy()
        except Exception as e:  # kserve raises several types for bad shapes and datatypes
            raise InvalidInput(f"cannot read input {request.inputs[0].name}: {e}") from e
        wanted = [o.name for o in request.request_outputs] if request.request_outputs else ["predict"]
        unknown = [name for name in wanted if name not in OUTPUTS]
        if unknown:
            raise InvalidInput(f"unknown outputs {unknown}; this model has {list(OUTPUTS)}")
        return self.rows_from(values), wanted

    # --- inference ------------------------------------------------------------------------------

    def class_indices(self, rows: np.ndarray) -> np.ndarray:
        predictions = self._estimator.predict(rows)
        if predictions.dtype.kind in "iu":
            return predictions.astype(np.int64)
        # A model trained on class names predicts names; the protocol answers indices.
        return np.asarray([self.spec.class_index(str(p)) for p in predictions], dtype=np.int64)

    def _infer(self, rows: np.ndarray, want_probabilities: bool):
        indices = self.class_indices(rows)
        probabilities = self._estimator.predict_proba(rows) if want_probabilities else None
        return indices, probabilities

    async def predict(self, payload, headers=None):
        if isinstance(payload, InferRequest):
            rows, wanted = self._decode_v2(payload)
            request_id = payload.id
        elif isinstance(payload, dict) and "instances" in payload:
            rows, wanted = self.rows_from(payload["instances"]), ["predict"]
            request_id = None
        else:
            raise InvalidInput("expected a v2 inference request or a v1 body with instances")
        request_id = request_id or (headers or {}).get("x-request-id") or uuid.uuid4().hex

        # scikit-learn runs in a worker thread: the event loop keeps answering probes, /metrics and
        # other requests while a large batch is predicted.
        loop = asyncio.get_running_loop()
        indices, probabilities = await loop.run_in_executor(None, self._infer, rows, "predict_proba" in wanted)

        self.distribution.observe(rows)
        for class_index, count in zip(*np.unique(indices, return_counts=True)):
            self.metrics.predictions.labels(self.spec.classes[class_index]).inc(int(count))
        self.prediction_log.remember(request_id, indices)

        if not isinstance(payload, InferRequest):
            return {"predictions": indices.tolist()}
        outputs = []
        for name in wanted:
            if name == "predict":
                outputs.append(InferOutput("predict", [len(indices)], "INT64", indices.tolist()))
            elif name == "predict_proba":
                outputs.append(InferOutput("predict_proba", list(probabilities.shape), "FP64",
                                           probabilities.ravel().tolist()))
            else:
                outputs.append(InferOutput("label", [len(indices)], "BYTES",
                                           [self.spec.classes[i] for i in indices]))
        return InferResponse(response_id=request_id, model_name=self.name, model_version=self.version,
                             infer_outputs=outputs)
