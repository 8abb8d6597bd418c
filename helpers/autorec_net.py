# Generated from notebooks/03_autorec_movielens.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['OPTIMIZERS', 'autorec_network', 'compile_autorec']

# %% ../notebooks/03_autorec_movielens.ipynb
import keras
import numpy as np

from .losses import MaskedRMSE
from .masked_loss import masked_mse  # written in notebook 02


def autorec_network(n_inputs: int, hidden: int, lam: float, dropout: float = 0.0, activation: str = "sigmoid",
                    name: str = "autorec", code_layer: keras.layers.Layer | None = None) -> keras.Model:
    """r -> Dropout -> g(V r + mu) -> W h + b, with L2(lam) on V, mu, W and b.

    `code_layer`, if given, is applied to the code (`helpers.autorec` passes notebook 06's L1 penalty)."""
    def l2() -> dict:  # one regulariser per tensor: the slide's ||W_l||^2 and ||b_l||^2
        return {"kernel_regularizer": keras.regularizers.L2(lam), "bias_regularizer": keras.regularizers.L2(lam)}

    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(dropout, name="input_dropout")(inputs) if dropout else inputs  # training only
    code = keras.layers.Dense(hidden, activation=activation, name="encoder", **l2())(x)  # V, mu
    if code_layer is not None:
        code = code_layer(code)
    outputs = keras.layers.Dense(n_inputs, name="decoder", **l2())(code)  # W, b; linear output
    return keras.Model(inputs, outputs, name=name)


OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "adagrad": keras.optimizers.Adagrad}


def compile_autorec(model: keras.Model, config, n_rows: int) -> keras.Model:
    """`config.optimizer` (Adam) with a learning rate that decays to 0 along a cosine over the whole run,
    the masked loss, and the RMSE over observed ratings as a metric."""
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(f"config.optimizer={config.optimizer!r}: choose one of {sorted(OPTIMIZERS)}.")
    steps = config.epochs * int(np.ceil(n_rows / config.batch_size))  # optimizer steps in the whole run
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps)
    model.compile(optimizer=OPTIMIZERS[config.optimizer](schedule), loss=masked_mse, metrics=[MaskedRMSE(name="rmse")])
    return model
