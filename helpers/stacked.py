# Generated from notebooks/05_stacked_autoencoder.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['build_stacked', 'pretrain_greedy', 'deep_autorec']

# %% ../notebooks/05_stacked_autoencoder.ipynb
import keras
import numpy as np

from . import runtime


def build_stacked(layers: tuple[int, ...] = (128, 64, 32), input_dim: int = 784) -> keras.Model:
    """A deep, symmetric autoencoder: input -> layers -> the same sizes in reverse -> input."""
    inputs = keras.Input(shape=(input_dim,), name="image")
    x = inputs
    for i, size in enumerate(layers, start=1):  # the encoder: 784 -> 128 -> 64 -> 32
        x = keras.layers.Dense(size, activation="relu", name=f"enc_{i}")(x)
    decoder_sizes = [*reversed(layers[:-1]), input_dim]  # the decoder: 32 -> 64 -> 128 -> 784
    for i, size in enumerate(decoder_sizes, start=1):
        last = i == len(decoder_sizes)
        x = keras.layers.Dense(size, activation="sigmoid" if last else "relu", name=f"dec_{i}")(x)
    return keras.Model(inputs, x, name="stacked_autoencoder")

# %% ../notebooks/05_stacked_autoencoder.ipynb
def pretrain_greedy(x: np.ndarray, layers: tuple[int, ...], epochs: int, seed: int = 0) -> keras.Model:
    """Greedy layer-wise pre-training of build_stacked(layers); the result is not fine-tuned."""
    runtime.set_seed(seed)
    deep = build_stacked(layers, input_dim=x.shape[1])
    inputs = x  # what the shallow autoencoder of the next layer rebuilds
    for k, size in enumerate(layers, start=1):
        first = k == 1
        shallow = keras.Sequential([
            keras.Input((inputs.shape[1],)),
            keras.layers.Dense(size, activation="relu", name="enc"),
            keras.layers.Dense(inputs.shape[1], activation="sigmoid" if first else "relu", name="dec"),
        ])
        shallow.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
                        loss="binary_crossentropy" if first else "mse")
        shallow.fit(inputs, inputs, batch_size=128, epochs=epochs, shuffle=True, verbose=0)
        deep.get_layer(f"enc_{k}").set_weights(shallow.get_layer("enc").get_weights())
        deep.get_layer(f"dec_{len(layers) - k + 1}").set_weights(shallow.get_layer("dec").get_weights())
        inputs = keras.ops.convert_to_numpy(shallow.get_layer("enc")(inputs))  # this layer's codes
    return deep

# %% ../notebooks/05_stacked_autoencoder.ipynb
def deep_autorec(n_inputs: int, layers: tuple[int, ...] = (512, 256, 512), lam: float = 1e-3,
                 code_dropout: float = 0.5, input_dropout: float = 0.0, name: str = "deep_autorec") -> keras.Model:
    """SELU layers, dropout on the middle one (the code), a linear output, L2(lam) on weights and biases."""
    def l2() -> dict:  # one regulariser per tensor, as in notebook 03
        return {"kernel_regularizer": keras.regularizers.L2(lam), "bias_regularizer": keras.regularizers.L2(lam)}

    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(input_dropout, name="input_dropout")(inputs) if input_dropout else inputs
    middle = len(layers) // 2
    for i, size in enumerate(layers):
        label = "encoder" if i == middle else f"hidden_{i + 1}"
        x = keras.layers.Dense(size, activation="selu", name=label, **l2())(x)
        if i == middle and code_dropout:
            x = keras.layers.Dropout(code_dropout, name="code_dropout")(x)
    outputs = keras.layers.Dense(n_inputs, name="decoder", **l2())(x)  # linear: ratings, not probabilities
    return keras.Model(inputs, outputs, name=name)
