"""Autoencoder builders shared by the lessons."""

from __future__ import annotations

import keras

from helpers.training import l2_regularizers


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}={value!r}: it must be a whole number >= 1.")
    return value


def mnist_autoencoder(input_dim: int = 784, code_dim: int = 32, encoder_activation: str = "relu",
                      decoder_activation: str = "sigmoid", name: str = "autoencoder") -> keras.Model:
    """The lecture's autoencoder: Input(784) -> Dense(32, relu) -> Dense(784, sigmoid)."""
    _positive_int("input_dim", input_dim)
    _positive_int("code_dim", code_dim)
    inputs = keras.Input(shape=(input_dim,), name="image")
    code = keras.layers.Dense(code_dim, activation=encoder_activation, name="encoder")(inputs)
    outputs = keras.layers.Dense(input_dim, activation=decoder_activation, name="decoder")(code)
    return keras.Model(inputs, outputs, name=name)


def autorec(n_inputs: int, hidden: int = 500, lam: float = 1e-3, activation: str = "sigmoid",
            output_activation: str = "linear", dropout: float = 0.0, name: str = "autorec") -> keras.Model:
    """AutoRec (Sedhain et al., 2015): r -> g(V r + mu) -> f(W h + b), L2 on weights and biases.

    For I-AutoRec each input is one item's vector of ratings by all users (`n_inputs` =
    number of users); 0 means "not rated". Train it with `helpers.training.masked_mse`.
    `dropout` > 0 drops that share of the observed input ratings during training only
    (a denoising autoencoder); the loss still covers every observed rating.
    """
    _positive_int("n_inputs", n_inputs)
    _positive_int("hidden", hidden)
    if not (isinstance(dropout, (int, float)) and 0 <= dropout < 1):
        raise ValueError(f"dropout={dropout!r}: it must be a share in [0, 1).")
    reg = l2_regularizers(lam)
    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(dropout, name="input_dropout")(inputs) if dropout else inputs
    code = keras.layers.Dense(hidden, activation=activation, name="encoder", **reg)(x)
    outputs = keras.layers.Dense(n_inputs, activation=output_activation, name="decoder", **reg)(code)
    return keras.Model(inputs, outputs, name=name)
