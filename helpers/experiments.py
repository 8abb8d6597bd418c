"""Controlled experiments the lessons run: one variant changed, everything else fixed."""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np

from helpers import models, runtime

OPTIMIZERS = {
    "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
    "adagrad": lambda: keras.optimizers.Adagrad(learning_rate=0.01),
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.001),
}


def make_optimizer(name: str) -> keras.optimizers.Optimizer:
    """A fresh optimizer by name: 'rmsprop' (the lecture's), 'adagrad' or 'adam'."""
    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}.")
    return OPTIMIZERS[name]()


def train_mnist_variant(
    x_train: np.ndarray, x_test: np.ndarray, *, code_dim: int = 32, loss: str = "binary_crossentropy",
    optimizer: str = "rmsprop", activation: str = "relu", epochs: int = 10, batch_size: int = 128,
    seed: int = 0, verbose: int = 0,
) -> dict[str, Any]:
    """Train one variant of the lecture's MNIST autoencoder and measure it.

    Every variant is scored with the same yardsticks (validation BCE and MSE), whatever
    loss it was trained with, so the rows of a comparison table can be read side by side.
    """
    runtime.set_seed(seed)
    model = models.mnist_autoencoder(code_dim=code_dim, encoder_activation=activation)
    model.compile(optimizer=make_optimizer(optimizer), loss=loss,
                  metrics=[keras.metrics.BinaryCrossentropy(name="bce"), keras.metrics.MeanSquaredError(name="mse")])
    start = time.perf_counter()
    history = model.fit(x_train, x_train, batch_size=batch_size, epochs=epochs, shuffle=True,
                        validation_data=(x_test, x_test), verbose=verbose)
    seconds = time.perf_counter() - start
    h = history.history
    return {
        "code_dim": code_dim, "loss": loss, "optimizer": optimizer, "activation": activation,
        "epochs": epochs, "val_bce": float(h["val_bce"][-1]), "val_mse": float(h["val_mse"][-1]),
        "val_loss": float(h["val_loss"][-1]), "seconds": seconds, "seconds_per_epoch": seconds / epochs,
        "history": h, "model": model,
    }
