"""Losses, penalties and metrics: what the lessons optimise and how they score it.

- `masked_mse`, `MaskedRMSE`: squared error and RMSE over observed ratings only;
- `l2_regularizers`, `lecture_objective`: the slide's L2 term and its whole objective;
- `l1_code_penalty`, `kl_sparsity_penalty`, `SparsityPenalty`: sparsity penalties on a code,
  each averaged over the batch by the kit itself, so they mean the same on every Keras;
- `bce_per_image`, `code_stats`: per-image reconstruction error and how sparse a code is.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="helpers")
def masked_mse(y_true: Any, y_pred: Any) -> Any:
    """Mean squared error over observed entries only (`y_true == 0` means "not rated").

    The sum of squared errors on observed entries is divided by the number of observed
    entries in the batch, not by all entries (what Keras's `sample_weight` averaging would
    do, keras-team/keras#19740). Unobserved entries get exactly zero gradient.
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    mask = ops.cast(ops.not_equal(y_true, 0), y_pred.dtype)
    squared = ops.square((y_pred - y_true) * mask)
    return ops.sum(squared) / ops.maximum(ops.sum(mask), 1.0)


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


def l2_regularizers(lam: float) -> dict[str, keras.regularizers.Regularizer]:
    """`kernel_regularizer` and `bias_regularizer` that add lam * (||W||^2 + ||b||^2) to the loss.

    Pass them to every Dense layer: `Dense(500, **l2_regularizers(lam))`. Together with
    `masked_mse` this is the lecture's objective, with the squared error averaged over
    observed ratings (so `lam` is per rating, not per matrix).
    """
    if not (isinstance(lam, (int, float)) and math.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam={lam!r}: the L2 weight must be a finite number >= 0.")
    return {"kernel_regularizer": keras.regularizers.L2(lam), "bias_regularizer": keras.regularizers.L2(lam)}


def lecture_objective(model: keras.Model, ratings: np.ndarray, lam: float) -> float:
    """The slide's objective, evaluated in NumPy: sum over observed (r - h(r))^2 + lam * sum(W^2 + b^2)."""
    # a direct call: predict() would compile a prediction function per model (TensorFlow warns when many are)
    pred = keras.ops.convert_to_numpy(model(np.asarray(ratings, dtype="float32"), training=False))
    observed = ratings != 0
    sse = float(np.sum(((pred - ratings) * observed) ** 2))
    penalty = sum(float(np.sum(np.square(w))) for w in model.trainable_weights)
    return sse + lam * penalty



def l1_code_penalty(codes: Any, weight: float) -> Any:
    """weight * (sum over units of |code|), averaged over the examples of the batch.

    Keras's own `activity_regularizer=L1(weight)` means this only from Keras 3.14; before,
    it summed over the batch, 64-128 times stronger at the lessons' batch sizes (and dead
    codes). The kit computes the batch mean itself so the penalty is the same everywhere.
    """
    per_example = ops.sum(ops.abs(codes), axis=-1)
    return weight * ops.mean(per_example)


def kl_sparsity_penalty(codes: Any, rho: float, beta: float) -> Any:
    """beta * sum_j KL(rho || rho_hat_j), rho_hat_j = unit j's mean activation over the batch.

    The classic sparse-autoencoder penalty (Ng's notes) for codes in (0, 1). It is already a
    statistic of the batch, so it is not divided by the batch size again.
    """
    rho_hat = ops.clip(ops.mean(codes, axis=0), 1e-6, 1 - 1e-6)
    kl = rho * ops.log(rho / rho_hat) + (1 - rho) * ops.log((1 - rho) / (1 - rho_hat))
    return beta * ops.sum(kl)


@keras.saving.register_keras_serializable(package="helpers")
class SparsityPenalty(keras.layers.Layer):
    """Passes its input through and adds a sparsity penalty on it to the model's loss.

    Put it right after the encoder: `code = SparsityPenalty("l1", 1e-3)(encoder_output)`.
    `kind="l1"` adds `l1_code_penalty(code, weight)`; `kind="kl"` adds
    `kl_sparsity_penalty(code, rho, weight)`. Unlike an `activity_regularizer`, whose batch
    reduction changed in Keras 3.14, the value added is exactly the function's value.
    """

    def __init__(self, kind: str, weight: float, rho: float = 0.05, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if kind not in ("l1", "kl"):
            raise ValueError(f"kind={kind!r}: use 'l1' or 'kl'.")
        if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight >= 0):
            raise ValueError(f"weight={weight!r}: a penalty weight is a finite number >= 0.")
        if kind == "kl" and not 0 < rho < 1:
            raise ValueError(f"rho={rho!r}: the target activation lies strictly between 0 and 1.")
        self.kind, self.weight, self.rho = kind, float(weight), float(rho)

    def penalty(self, codes: Any) -> Any:
        """The penalty's value on a batch of codes."""
        if self.kind == "l1":
            return l1_code_penalty(codes, self.weight)
        return kl_sparsity_penalty(codes, self.rho, self.weight)

    def call(self, inputs: Any) -> Any:
        """Add the penalty on `inputs` to the loss; return `inputs` unchanged."""
        self.add_loss(self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Same shape as the input."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        """Config for saving and loading."""
        return {**super().get_config(), "kind": self.kind, "weight": self.weight, "rho": self.rho}


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
