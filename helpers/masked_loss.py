# Generated from notebooks/02_rating_matrix_autoencoder.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['masked_mse']

# %% ../notebooks/02_rating_matrix_autoencoder.ipynb
import keras


def masked_mse(y_true, y_pred):
    """Mean squared error over the rated entries only (`y_true == 0` means "not rated")."""
    y_pred = keras.ops.convert_to_tensor(y_pred)
    y_true = keras.ops.cast(y_true, y_pred.dtype)
    rated = keras.ops.cast(keras.ops.not_equal(y_true, 0), y_pred.dtype)  # 1 where rated, 0 at a blank
    squared = keras.ops.square((y_pred - y_true) * rated)  # a blank adds 0, and no gradient
    return keras.ops.sum(squared) / keras.ops.maximum(keras.ops.sum(rated), 1.0)  # mean over the rated
