"""Metrics the lessons score with: `MaskedRMSE` (observed ratings only), `bce_per_image`, `code_stats`.
The losses and penalties the lessons teach are written in them (masked_loss: 02, sparse: 06)."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="helpers")
class MaskedRMSE(keras.metrics.Metric):
    """RMSE over observed entries (`y_true != 0`), accumulated exactly across batches."""

    def __init__(self, name: str = "masked_rmse", clip: tuple[float, float] | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.clip = tuple(clip) if clip is not None else None
        self.sse = self.add_variable(shape=(), initializer="zeros", name="sse")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch's squared errors on observed entries."""
        y_pred = ops.cast(y_pred, "float32")
        y_true = ops.cast(y_true, "float32")
        if self.clip is not None:
            y_pred = ops.clip(y_pred, self.clip[0], self.clip[1])
        mask = ops.cast(ops.not_equal(y_true, 0), "float32")
        self.sse.assign_add(ops.sum(ops.square((y_pred - y_true) * mask)))
        self.count.assign_add(ops.sum(mask))

    def result(self) -> Any:
        """sqrt(sum of squared errors / number of observed entries)."""
        return ops.sqrt(self.sse / ops.maximum(self.count, 1.0))

    def get_config(self) -> dict[str, Any]:
        """Config for saving and loading."""
        return {**super().get_config(), "clip": self.clip}


def bce_per_image(x_clean: np.ndarray, reconstructed: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of each reconstruction against its clean image."""
    eps = 1e-7
    r = np.clip(reconstructed, eps, 1 - eps)
    return -(x_clean * np.log(r) + (1 - x_clean) * np.log(1 - r)).mean(axis=1)


def code_stats(codes: np.ndarray, near_zero: float = 0.01, alive_share: float = 0.01) -> dict[str, float]:
    """How sparse codes are: mean activation, share of activations below `near_zero`, the mean
    number of units per example above it, and `share_alive`: the share of units that reach
    `near_zero` on at least `alive_share` of the examples (the others are dead)."""
    codes = np.asarray(codes)
    active = codes >= near_zero
    return {"mean_activation": float(codes.mean()), "share_near_zero": float(1 - active.mean()),
            "active_units": float(active.sum(axis=1).mean()),
            "share_alive": float((active.mean(axis=0) >= alive_share).mean())}
