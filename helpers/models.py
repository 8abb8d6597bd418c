"""Autoencoder builders shared by the lessons."""

from __future__ import annotations

import keras

from helpers.losses import SparsityPenalty, l2_regularizers


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


def encoder_of(model: keras.Model, layer: str = "encoder") -> keras.Model:
    """The encoder half of an autoencoder: a model from `model`'s input to the output of `layer`.

    Every builder here names its code layer "encoder" (`stacked_autoencoder`: enc_1..enc_k,
    the code is enc_k); the encoder shares its layers, so it reads the trained weights.
    """
    return keras.Model(model.input, model.get_layer(layer).output, name=f"{model.name}_{layer}")


def autorec(n_inputs: int, hidden: int = 500, lam: float = 1e-3, activation: str = "sigmoid",
            output_activation: str = "linear", dropout: float = 0.0, code_l1: float = 0.0,
            name: str = "autorec") -> keras.Model:
    """AutoRec (Sedhain et al., 2015): r -> g(V r + mu) -> f(W h + b), L2 on weights and biases.

    For I-AutoRec each input is one item's vector of ratings by all users (`n_inputs` =
    number of users); 0 means "not rated". Train it with `helpers.losses.masked_mse`.
    `dropout` > 0 drops that share of the observed input ratings during training only
    (a denoising autoencoder); the loss still covers every observed rating. `code_l1` > 0
    adds an L1 penalty on the code (a sparse code, notebook 06; see `losses.l1_code_penalty`).
    """
    _positive_int("n_inputs", n_inputs)
    _positive_int("hidden", hidden)
    if not (isinstance(dropout, (int, float)) and 0 <= dropout < 1):
        raise ValueError(f"dropout={dropout!r}: it must be a share in [0, 1).")
    reg = l2_regularizers(lam)
    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(dropout, name="input_dropout")(inputs) if dropout else inputs
    code = keras.layers.Dense(hidden, activation=activation, name="encoder", **reg)(x)
    if code_l1:
        code = SparsityPenalty("l1", code_l1, name="sparsity")(code)
    outputs = keras.layers.Dense(n_inputs, activation=output_activation, name="decoder", **reg)(code)
    return keras.Model(inputs, outputs, name=name)


class _TrainingNoise(keras.layers.Layer):
    """Corrupts its input in training only; `corrupt` says how (the noise layers below)."""

    def __init__(self, level: float, seed: int | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.level = level
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def corrupt(self, inputs: object) -> object:
        """The corrupted inputs (training only)."""
        raise NotImplementedError

    def call(self, inputs: object, training: bool | None = None) -> object:
        """Corrupted inputs while training; the inputs untouched otherwise."""
        if not training or self.level == 0:
            return inputs
        return self.corrupt(inputs)

    def get_config(self) -> dict:
        """Config for saving and loading."""
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="helpers")
class MaskingNoise(_TrainingNoise):
    """Masking noise: in training, set each input to 0 with probability `rate` (no rescaling)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: object) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"rate={rate!r}: a masking rate lies in [0, 1).")
        super().__init__(rate, seed, **kwargs)
        self.rate = rate

    def corrupt(self, inputs: object) -> object:
        """Zero a random share `rate` of the inputs."""
        keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return inputs * keras.ops.cast(keep, inputs.dtype)

    def get_config(self) -> dict:
        """Config for saving and loading."""
        return {**super().get_config(), "rate": self.rate}


@keras.saving.register_keras_serializable(package="helpers")
class ClippedGaussianNoise(_TrainingNoise):
    """Gaussian noise for images in [0, 1]: in training, add N(0, stddev^2) and clip to [0, 1]."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: object) -> None:
        if stddev < 0:
            raise ValueError(f"stddev={stddev!r}: a noise standard deviation is >= 0.")
        super().__init__(stddev, seed, **kwargs)
        self.stddev = stddev

    def corrupt(self, inputs: object) -> object:
        """Add N(0, stddev^2) to every input and clip to [0, 1]."""
        noise = keras.random.normal(keras.ops.shape(inputs), stddev=self.stddev, seed=self.seed_generator)
        return keras.ops.clip(inputs + noise, 0.0, 1.0)

    def get_config(self) -> dict:
        """Config for saving and loading."""
        return {**super().get_config(), "stddev": self.stddev}


def denoising_autoencoder(noise: str = "gaussian", level: float = 0.3, input_dim: int = 784, code_dim: int = 32,
                          name: str = "denoising_autoencoder") -> keras.Model:
    """The lecture's autoencoder with noise on its input in training only.

    `noise="gaussian"` adds N(0, level^2) to every pixel and clips to [0, 1] (the same
    corruption as `experiments.add_noise`); `noise="masking"` sets a share `level` of the
    pixels to 0. The target stays the clean image.
    """
    _positive_int("code_dim", code_dim)
    if noise == "gaussian":
        corrupt = ClippedGaussianNoise(level, name="gaussian_noise")
    elif noise == "masking":
        corrupt = MaskingNoise(level, name="masking_noise")
    else:
        raise ValueError(f"noise={noise!r}: use 'gaussian' or 'masking'.")
    inputs = keras.Input(shape=(input_dim,), name="image")
    code = keras.layers.Dense(code_dim, activation="relu", name="encoder")(corrupt(inputs))
    outputs = keras.layers.Dense(input_dim, activation="sigmoid", name="decoder")(code)
    return keras.Model(inputs, outputs, name=name)


def stacked_autoencoder(layers: tuple[int, ...] = (128, 64, 32), input_dim: int = 784,
                        name: str = "stacked_autoencoder") -> keras.Model:
    """A deep, symmetric autoencoder: 784-128-64-32-64-128-784 by default (ReLU, sigmoid out).

    The layers are named enc_1..enc_k and dec_1..dec_k (dec_k is the output), so greedy
    layer-wise pre-training can fill them in (see `helpers.experiments.pretrain_layerwise`).
    """
    if not layers:
        raise ValueError("layers must name at least one hidden size, e.g. (128, 64, 32).")
    for size in layers:
        _positive_int("layer size", size)
    inputs = keras.Input(shape=(input_dim,), name="image")
    x = inputs
    for i, size in enumerate(layers, start=1):
        x = keras.layers.Dense(size, activation="relu", name=f"enc_{i}")(x)
    decoder_sizes = list(reversed(layers[:-1])) + [input_dim]
    for i, size in enumerate(decoder_sizes, start=1):
        last = i == len(decoder_sizes)
        x = keras.layers.Dense(size, activation="sigmoid" if last else "relu", name=f"dec_{i}")(x)
    return keras.Model(inputs, x, name=name)


def sparse_autoencoder(kind: str = "l1", weight: float = 1e-4, rho: float = 0.05, input_dim: int = 784,
                       code_dim: int = 32, name: str = "sparse_autoencoder") -> keras.Model:
    """The lecture's autoencoder with a sparsity penalty on its code.

    `kind="l1"`: an L1 penalty on a ReLU code (the Keras blog's version);
    `kind="kl"`: the KL-divergence target `rho` on a sigmoid code, weighted by `weight`.
    The penalty is added by a `losses.SparsityPenalty` layer named "sparsity" right after
    the encoder, averaged over the batch by the kit (the same value on every Keras 3).
    """
    _positive_int("code_dim", code_dim)
    if kind not in ("l1", "kl"):
        raise ValueError(f"kind={kind!r}: use 'l1' or 'kl'.")
    inputs = keras.Input(shape=(input_dim,), name="image")
    code = keras.layers.Dense(code_dim, activation="relu" if kind == "l1" else "sigmoid", name="encoder")(inputs)
    code = SparsityPenalty(kind, weight, rho=rho, name="sparsity")(code)
    outputs = keras.layers.Dense(input_dim, activation="sigmoid", name="decoder")(code)
    return keras.Model(inputs, outputs, name=name)


def deep_autorec(n_inputs: int, layers: tuple[int, ...] = (512, 256, 512), lam: float = 1e-3,
                 code_dropout: float = 0.5, input_dropout: float = 0.0, name: str = "deep_autorec") -> keras.Model:
    """A deep rating autoencoder in the style of Kuchaiev & Ginsburg (2017): SELU layers,
    dropout on the code (the middle layer), a linear output, L2 on weights and biases."""
    _positive_int("n_inputs", n_inputs)
    if len(layers) % 2 == 0:
        raise ValueError(f"layers={layers}: use an odd number of hidden layers so one of them is the code.")
    for size in layers:
        _positive_int("layer size", size)
    reg = l2_regularizers(lam)
    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(input_dropout, name="input_dropout")(inputs) if input_dropout else inputs
    middle = len(layers) // 2
    for i, size in enumerate(layers):
        label = "encoder" if i == middle else f"hidden_{i + 1}"
        x = keras.layers.Dense(size, activation="selu", name=label, **reg)(x)
        if i == middle and code_dropout:
            x = keras.layers.Dropout(code_dropout, name="code_dropout")(x)
    outputs = keras.layers.Dense(n_inputs, name="decoder", **reg)(x)
    return keras.Model(inputs, outputs, name=name)
