# Generated from notebooks/01_mnist_autoencoder.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['LEARNING_RATES', 'mnist_autoencoder', 'encoder_of', 'make_optimizer']

# %% ../notebooks/01_mnist_autoencoder.ipynb
import keras


def mnist_autoencoder(code_dim: int = 32, encoder_activation: str = "relu", input_dim: int = 784,
                      name: str = "autoencoder") -> keras.Model:
    """The lecture's autoencoder: Input(784) -> Dense(32, relu) -> Dense(784, sigmoid)."""
    inputs = keras.Input(shape=(input_dim,), name="image")  # ① input dimension
    code = keras.layers.Dense(code_dim, activation=encoder_activation, name="encoder")(inputs)  # ②, ③
    outputs = keras.layers.Dense(input_dim, activation="sigmoid", name="decoder")(code)  # ④, ⑤
    return keras.Model(inputs, outputs, name=name)


def encoder_of(model: keras.Model, layer: str = "encoder") -> keras.Model:
    """The encoder half: `model`'s input to `layer`'s output, sharing the trained weights."""
    return keras.Model(model.input, model.get_layer(layer).output, name=f"{model.name}_{layer}")


LEARNING_RATES = {"rmsprop": 0.001, "adagrad": 0.01, "adam": 0.001}  # Keras's defaults, but 0.01 for Adagrad (0.001)


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """A fresh optimizer: RMSprop as on the slide (rho=0.9), Adagrad or Adam."""
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate, rho=0.9)
    return {"adagrad": keras.optimizers.Adagrad, "adam": keras.optimizers.Adam}[name](learning_rate=learning_rate)
