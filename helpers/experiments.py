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
    model.compile(optimizer=make_optimizer(optimizer), loss=loss,
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


def pretrain_layerwise(x: np.ndarray, layers: tuple[int, ...], epochs: int, batch_size: int = 128,
                       seed: int = 0) -> tuple[keras.Model, float]:
    """Greedy layer-wise pre-training (Bengio et al., 2007) of `models.stacked_autoencoder(layers)`.

    Layer k is trained as a shallow autoencoder on the codes of layers 1..k-1 (the first on
    pixels with BCE and a sigmoid output, the others on ReLU codes with MSE); its encoder
    becomes enc_k and its decoder the matching dec layer of the deep model. Returns the
    assembled model, not yet fine-tuned, and the pre-training seconds.
    """
    runtime.set_seed(seed)
    deep = models.stacked_autoencoder(layers, input_dim=x.shape[1])
    inputs, seconds = x, 0.0
    for k, size in enumerate(layers, start=1):
        first = k == 1
        shallow = keras.Sequential([
            keras.Input((inputs.shape[1],)),
            keras.layers.Dense(size, activation="relu", name="enc"),
            keras.layers.Dense(inputs.shape[1], activation="sigmoid" if first else "relu", name="dec"),
        ])
        shallow.compile(optimizer=make_optimizer("rmsprop"), loss="binary_crossentropy" if first else "mse")
        start = time.perf_counter()
        shallow.fit(inputs, inputs, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
        seconds += time.perf_counter() - start
        deep.get_layer(f"enc_{k}").set_weights(shallow.get_layer("enc").get_weights())
        deep.get_layer(f"dec_{len(layers) - k + 1}").set_weights(shallow.get_layer("dec").get_weights())
        inputs = shallow.get_layer("enc")(inputs).numpy()
    return deep, seconds
