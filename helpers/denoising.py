# Generated from notebooks/04_denoising_autoencoder.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['ClippedGaussianNoise', 'MaskingNoise', 'denoising_autoencoder']

# %% ../notebooks/04_denoising_autoencoder.ipynb
import keras


class ClippedGaussianNoise(keras.layers.Layer):
    """In training: add N(0, stddev^2) to every input and clip to [0, 1]. Otherwise: pass through."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(seed)  # a fresh draw at every step

    def call(self, inputs, training=None):
        if not training:
            return inputs
        noise = keras.random.normal(keras.ops.shape(inputs), stddev=self.stddev, seed=self.seed_generator)
        return keras.ops.clip(inputs + noise, 0.0, 1.0)


class MaskingNoise(keras.layers.Layer):
    """In training: set each input to 0 with probability `rate` (no rescaling). Otherwise: pass through."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return inputs * keras.ops.cast(keep, inputs.dtype)

# %% ../notebooks/04_denoising_autoencoder.ipynb
def denoising_autoencoder(noise: str = "gaussian", level: float = 0.3, code_dim: int = 32) -> keras.Model:
    """Input(784) -> noise (training only) -> Dense(code_dim, relu) -> Dense(784, sigmoid)."""
    if noise == "gaussian":
        corrupt = ClippedGaussianNoise(level, name="gaussian_noise")
    elif noise == "masking":
        corrupt = MaskingNoise(level, name="masking_noise")
    else:
        raise ValueError(f"noise={noise!r}: use 'gaussian' or 'masking'.")
    inputs = keras.Input(shape=(784,), name="image")
    code = keras.layers.Dense(code_dim, activation="relu", name="encoder")(corrupt(inputs))
    outputs = keras.layers.Dense(784, activation="sigmoid", name="decoder")(code)
    return keras.Model(inputs, outputs, name="denoising_autoencoder")
