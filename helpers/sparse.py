# Generated from notebooks/06_sparse_autoencoder.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['l1_penalty', 'kl_penalty', 'SparsityPenalty', 'build_sparse']

# %% ../notebooks/06_sparse_autoencoder.ipynb
import keras


def l1_penalty(codes, weight: float):
    """weight * (sum over units of |h_j|), averaged over the examples of the batch."""
    return weight * keras.ops.mean(keras.ops.sum(keras.ops.abs(codes), axis=-1))

# %% ../notebooks/06_sparse_autoencoder.ipynb
def kl_penalty(codes, rho: float, beta: float):
    """beta * sum over units j of KL(rho || rho_hat_j), rho_hat_j = unit j's mean activation over the batch."""
    rho_hat = keras.ops.clip(keras.ops.mean(codes, axis=0), 1e-6, 1 - 1e-6)  # keeps both logarithms finite
    kl = rho * keras.ops.log(rho / rho_hat) + (1 - rho) * keras.ops.log((1 - rho) / (1 - rho_hat))
    return beta * keras.ops.sum(kl)

# %% ../notebooks/06_sparse_autoencoder.ipynb
class SparsityPenalty(keras.layers.Layer):
    """Passes the code through unchanged and adds its sparsity penalty to the model's loss."""

    def __init__(self, kind: str, weight: float, rho: float = 0.05, **kwargs):
        super().__init__(**kwargs)
        self.kind, self.weight, self.rho = kind, weight, rho

    def call(self, codes):
        if self.kind == "l1":
            self.add_loss(l1_penalty(codes, self.weight))
        else:
            self.add_loss(kl_penalty(codes, self.rho, self.weight))
        return codes

# %% ../notebooks/06_sparse_autoencoder.ipynb
def build_sparse(kind: str, weight: float, rho: float = 0.05, input_dim: int = 784,
                 code_dim: int = 32) -> keras.Model:
    """The lecture's autoencoder with a sparsity penalty on its code: L1 on ReLU units, KL on sigmoid units."""
    inputs = keras.Input(shape=(input_dim,), name="image")
    activation = "relu" if kind == "l1" else "sigmoid"
    code = keras.layers.Dense(code_dim, activation=activation, name="encoder")(inputs)
    code = SparsityPenalty(kind, weight, rho=rho, name="sparsity")(code)
    outputs = keras.layers.Dense(input_dim, activation="sigmoid", name="decoder")(code)
    return keras.Model(inputs, outputs, name="sparse_autoencoder")
