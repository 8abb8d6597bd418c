"""Controlled experiments on MNIST: one variant changed, everything else fixed (notebook 04, the benchmark)."""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np

from helpers.lecture_model import LEARNING_RATES, make_optimizer  # written in notebook 01


def fit_autoencoder(
    model: keras.Model, x_train: np.ndarray, x_valid: np.ndarray, *, epochs: int, loss: str = "binary_crossentropy",
    optimizer: str = "rmsprop", batch_size: int = 128, inputs_train: np.ndarray | None = None, verbose: int = 0,
) -> dict[str, Any]:
    """Compile and train an image autoencoder to rebuild `x_train`; score it on `x_valid`, a
    validation slice carved from the training images (never the test images).

    Every model is scored with the same yardsticks, validation BCE and MSE against the clean
    images, whatever it was trained with. `inputs_train` (default: `x_train`) lets a model
    read other inputs than its targets.
    """
    if optimizer not in LEARNING_RATES:
        raise ValueError(f"Unknown optimizer {optimizer!r}; choose one of {sorted(LEARNING_RATES)}.")
    model.compile(optimizer=make_optimizer(optimizer, LEARNING_RATES[optimizer]), loss=loss,
                  metrics=[keras.metrics.BinaryCrossentropy(name="bce"), keras.metrics.MeanSquaredError(name="mse")])
    start = time.perf_counter()
    history = model.fit(x_train if inputs_train is None else inputs_train, x_train, batch_size=batch_size,
                        epochs=epochs, shuffle=True, validation_data=(x_valid, x_valid), verbose=verbose)
    seconds = time.perf_counter() - start
    h = history.history
    return {"val_bce": float(h["val_bce"][-1]), "val_mse": float(h["val_mse"][-1]), "val_loss": float(h["val_loss"][-1]),
            "epochs": epochs, "seconds": seconds, "seconds_per_epoch": seconds / epochs, "history": h, "model": model}


def add_noise(x: np.ndarray, kind: str, level: float, seed: int = 0) -> np.ndarray:
    """A fixed noisy copy of images in [0, 1]: 'gaussian' (std `level`, clipped) or 'masking'."""
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        return np.clip(x + rng.normal(0.0, level, size=x.shape), 0.0, 1.0).astype(np.float32)
    if kind == "masking":
        return (x * (rng.random(x.shape) >= level)).astype(np.float32)
    raise ValueError(f"kind={kind!r}: use 'gaussian' or 'masking'.")
