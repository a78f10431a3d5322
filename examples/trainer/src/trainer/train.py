"""Fitting the classifier, and the deliberately bad variant used to exercise rollbacks."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from .data import Dataset


def fit(data: Dataset, seed: int, shuffle_labels: bool = False) -> Pipeline:
    """A scaled logistic regression: small, deterministic for a given seed, and good on iris (~97%).

    With shuffle_labels the labels are permuted before fitting, which keeps the class balance but
    destroys any relation between inputs and labels: the model is about as good as a coin with three
    sides, which is what a rollback test needs.
    """
    labels = data.labels
    if shuffle_labels:
        labels = np.random.default_rng(seed).permutation(labels)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
    model.fit(data.rows, labels)
    return model


def accuracy(model: Pipeline, data: Dataset) -> float | None:
    if len(data) == 0:
        return None
    return float(np.mean(model.predict(data.rows) == data.labels))
