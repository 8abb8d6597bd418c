# Generated from notebooks/08_beyond_autorec.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['GLOCAL_K', 'SPARSE_FC', 'local_kernel', 'KernelDense', 'GLocalKConfig', 'per_rating', 'GlobalKernel', 'GLocalK',
           'glocal_objective', 'FlatObjective', 'lbfgsb_epoch', 'TrainedGLocalK', 'train_glocal_k']

# %% ../notebooks/08_beyond_autorec.ipynb
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import ops
from scipy.optimize import minimize

from . import evaluation, runtime
from .ratings import RatingIndex, rating_matrix


def _check_penalty(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name}={value!r}: a penalty weight is a finite number >= 0.")
    return float(value)


def local_kernel(u: Any, v: Any) -> Any:
    """K[i, j] = max(0, 1 - ||u[i] - v[j]||^2) for embeddings u (n x d) and v (m x d): an n x m tensor in [0, 1]."""
    sq = (ops.sum(ops.square(u), axis=1)[:, None] + ops.sum(ops.square(v), axis=1)[None, :]
          - 2.0 * ops.matmul(u, ops.transpose(v)))  # ||u_i - v_j||^2 without an n x m x d tensor
    return ops.maximum(0.0, 1.0 - ops.maximum(sq, 0.0))  # sq >= 0 up to rounding; K stays within [0, 1]


class KernelDense(keras.layers.Layer):
    """A dense layer whose weights are gated by a learned kernel of unit embeddings (a local kernel).

    output = activation(x @ (W * K) + b), K[i, j] = max(0, 1 - ||u[i] - v[j]||^2), with u
    (inputs x dim) and v (units x dim) trained like W. `penalty()` is GLocal-K's
    `0.5 * lambda_2 * sum(W^2) + 0.5 * lambda_s * sum(K^2)`; the training objective adds it
    itself (no `add_loss`, so no Keras reduction ever touches it). `use_kernel=False` makes it
    a plain dense layer with L2 on W.
    """

    def __init__(self, units: int, dim: int = 5, activation: str | None = "sigmoid", lambda_2: float = 0.0,
                 lambda_s: float = 0.0, use_kernel: bool = True, init_scale: float = 1e-3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lambda_2, self.lambda_s = _check_penalty("lambda_2", lambda_2), _check_penalty("lambda_s", lambda_s)
        if int(units) < 1 or int(dim) < 1:
            raise ValueError(f"units={units}, dim={dim}: both must be at least 1.")
        self.units, self.dim = int(units), int(dim)
        self.activation = keras.activations.get(activation)
        self.use_kernel, self.init_scale = bool(use_kernel), float(init_scale)

    def build(self, input_shape: Any) -> None:
        """W (inputs x units), b (units) and, with the kernel, u (inputs x dim) and v (units x dim)."""
        n_in = int(input_shape[-1])
        # TF1's get_variable, which GLocal-K calls without an initializer, draws W and b Glorot-uniform
        self.w = self.add_weight(shape=(n_in, self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="b")
        if self.use_kernel:  # embeddings start near 0, so every kernel value starts near 1 (a dense layer)
            init = keras.initializers.TruncatedNormal(stddev=self.init_scale)
            self.u = self.add_weight(shape=(n_in, self.dim), initializer=init, name="u")
            self.v = self.add_weight(shape=(self.units, self.dim), initializer=init, name="v")

    def kernel(self) -> Any:
        """K, inputs x units, each value in [0, 1] (all ones without the kernel)."""
        if not self.use_kernel:
            return ops.ones((self.w.shape[0], self.units))
        return local_kernel(self.u, self.v)

    def effective_weights(self) -> Any:
        """W * K: the weights the layer multiplies its input by."""
        return self.w * self.kernel() if self.use_kernel else self.w

    def penalty(self) -> Any:
        """0.5 * lambda_2 * sum(W^2) + 0.5 * lambda_s * sum(K^2) (GLocal-K's two regularisers)."""
        value = 0.5 * self.lambda_2 * ops.sum(ops.square(self.w))
        if self.use_kernel and self.lambda_s:
            value = value + 0.5 * self.lambda_s * ops.sum(ops.square(self.kernel()))
        return value

    def call(self, inputs: Any) -> Any:
        """activation(inputs @ (W * K) + b)."""
        return self.activation(ops.matmul(inputs, self.effective_weights()) + self.b)

    def share_pruned(self) -> float:
        """Share of weights whose kernel is exactly 0 (connections the layer has cut)."""
        return float(np.mean(keras.ops.convert_to_numpy(self.kernel()) == 0.0)) if self.use_kernel else 0.0

    def compute_output_shape(self, input_shape: Any) -> Any:
        """(batch, units)."""
        return (*input_shape[:-1], self.units)

# %% ../notebooks/08_beyond_autorec.ipynb
@dataclass(frozen=True)
class GLocalKConfig:
    """Everything that defines one GLocal-K (or Sparse FC) model and its training; GLocal-K's ML-100K values."""

    by: str = "item"  # rows are items (GLocal-K and I-AutoRec), or "user"
    hidden: tuple[int, ...] = (500, 500)
    dim: int = 5  # embedding dimension of the local kernels
    kernel: bool = True  # False: plain dense layers with L2 (the ablation)
    init_scale: float = 1e-3  # std of the embeddings at the start (GLocal-K: 1e-3, so every K starts near 1)
    lambda_2: float = 20.0  # L2 on W, GLocal-K's units: 0.5 * lambda_2 * sum(W^2) next to 0.5 * SSE
    lambda_s: float = 0.006  # L2 on the kernel values, same units
    optimizer: str = "lbfgs"  # "lbfgs": SciPy's L-BFGS-B, a fresh call per epoch; "adam": full-batch Adam
    pretrain_epochs: int = 30  # local kernels only (GLocal-K: epoch_p 30)
    finetune_epochs: int = 60  # with the global kernel (GLocal-K: epoch_f 60); 0 = Sparse FC
    iterations: int = 5  # L-BFGS-B maxiter per epoch (GLocal-K: iter_p = iter_f = 5); Adam steps per epoch
    memory: int = 10  # L-BFGS-B maxcor
    kernel_size: int = 3  # global kernel size (GLocal-K: gk_size 3)
    dot_scale: float = 1.0  # global kernel scale (GLocal-K on ML-100K: 1)
    learning_rate: float = 1e-3  # Adam only

    def with_(self, **changes: Any) -> "GLocalKConfig":
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def epochs(self) -> int:
        """Pre-training plus fine-tuning epochs."""
        return self.pretrain_epochs + self.finetune_epochs

    def for_epochs(self, epochs: int) -> "GLocalKConfig":
        """A copy that stops after `epochs` epochs in all (pre-training first, then fine-tuning)."""
        if not 1 <= int(epochs) <= self.epochs:
            raise ValueError(f"epochs={epochs}: choose between 1 and this configuration's {self.epochs}.")
        return replace(self, pretrain_epochs=min(int(epochs), self.pretrain_epochs),
                       finetune_epochs=max(0, int(epochs) - self.pretrain_epochs))


#: GLocal-K as published for ML-100K (its notebook): 2 x 500 units, kernel dim 5, lambda_2 20,
#: lambda_s 0.006, 30 pre-training and 60 fine-tuning epochs of 5 L-BFGS-B iterations. The
#: benchmark and notebook 08 choose the number of epochs on a validation slice of each base file.
GLOCAL_K = GLocalKConfig()
#: Sparse FC (Muller et al.): the same network with the local kernels only, no fine-tuning.
SPARSE_FC = GLOCAL_K.with_(finetune_epochs=0)


def per_rating(objective: float, n_ratings: int) -> float:
    """GLocal-K's objective J per rating, 2 J / n: the masked MSE plus (λ₂·ΣW² + λₛ·ΣK²) / n."""
    return 2.0 * float(objective) / max(int(n_ratings), 1)

# %% ../notebooks/08_beyond_autorec.ipynb
class GlobalKernel(keras.layers.Layer):
    """GLocal-K's global kernel: the rating matrix convolved with a size x size kernel made from the
    row means of the network's reconstruction, then ReLU.

    kernel = reshape(row_means @ C * dot_scale, (size, size)) with C (rows x size^2) trained, and the
    output `relu(conv2d(R, kernel, padding="same"))` has R's shape. The convolution runs over the
    matrix as an image, so neighbouring rows and columns mix: what GLocal-K does.
    """

    def __init__(self, size: int = 3, dot_scale: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(size) < 1:
            raise ValueError(f"size={size}: the global kernel is at least 1 x 1.")
        self.size, self.dot_scale = int(size), float(dot_scale)

    def build(self, input_shape: Any) -> None:
        """C: one row of size^2 numbers for every row of the rating matrix (GLocal-K: stddev 0.1)."""
        rows = int(input_shape[0])
        self.c = self.add_weight(shape=(rows, self.size ** 2),
                                 initializer=keras.initializers.TruncatedNormal(stddev=0.1), name="c")

    def kernel(self, row_means: Any) -> Any:
        """The size x size convolution kernel for the reconstruction's row means (a vector, rows)."""
        gk = ops.matmul(ops.reshape(row_means, (1, -1)), self.c) * self.dot_scale
        return ops.reshape(gk, (self.size, self.size, 1, 1))

    def call(self, ratings: Any, row_means: Any, patches: Any = None) -> Any:
        """relu(conv2d(ratings, kernel(row_means), padding="same")), the shape of `ratings` (rows x columns).

        `patches` (from `patches(ratings)`) gives the same result as one matrix product, far faster
        on a CPU than a single-channel convolution (and the patches of a fixed matrix are computed once).
        """
        kernel = self.kernel(row_means)
        if patches is not None:
            out = ops.matmul(patches, ops.reshape(kernel, (-1, 1)))
            return ops.reshape(ops.relu(out), (ratings.shape[0], ratings.shape[1]))
        image = ops.reshape(ratings, (1, ratings.shape[0], ratings.shape[1], 1))
        out = ops.relu(ops.conv(image, kernel, padding="same"))
        return ops.reshape(out, (ratings.shape[0], ratings.shape[1]))

    def patches(self, ratings: Any) -> Any:
        """The size x size neighbourhood of every entry, zero-padded as "same" does: (rows * columns) x size^2."""
        rows, cols = int(ratings.shape[0]), int(ratings.shape[1])
        before = (self.size - 1) // 2
        padded = ops.pad(ops.convert_to_tensor(ratings), ((before, self.size - 1 - before),) * 2)
        shifted = [ops.reshape(padded[a:a + rows, b:b + cols], (-1,)) for a in range(self.size) for b in range(self.size)]
        return ops.stack(shifted, axis=1)


class GLocalK(keras.Model):
    """The local network (KernelDense layers: n_cols -> hidden... -> n_cols) and the global kernel.

    `call(x, finetune=False)` is Sparse FC, the network on the rating matrix; `finetune=True` is
    GLocal-K's second stage: the same network on `GlobalKernel(x, row means of network(x))`. Both
    read the whole matrix (rows x columns) at once.
    """

    def __init__(self, n_rows: int, n_cols: int, config: GLocalKConfig = GLOCAL_K, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        layer = dict(dim=config.dim, lambda_2=config.lambda_2, lambda_s=config.lambda_s, use_kernel=config.kernel,
                     init_scale=config.init_scale)
        self.n_rows, self.n_cols = int(n_rows), int(n_cols)
        self.local_layers = [KernelDense(units, activation="sigmoid", name=f"local_{i + 1}", **layer)
                             for i, units in enumerate(config.hidden)]
        self.local_layers.append(KernelDense(self.n_cols, activation=None, name="local_out", **layer))
        self.global_kernel = GlobalKernel(config.kernel_size, config.dot_scale, name="global_kernel")
        width = self.n_cols
        for kernel_layer in self.local_layers:
            kernel_layer.build((None, width))
            width = kernel_layer.units
        self.global_kernel.build((self.n_rows, self.n_cols))
        self.built = True

    def local(self, x: Any) -> Any:
        """The network alone (Sparse FC): x (rows x columns) -> reconstruction."""
        for kernel_layer in self.local_layers:
            x = kernel_layer(x)
        return x

    def row_means(self, x: Any) -> Any:
        """Mean of every row of `local(x)`, as `h @ mean_j(W_out * K_out) + mean(b_out)` (no rows x columns product)."""
        for kernel_layer in self.local_layers[:-1]:
            x = kernel_layer(x)
        out = self.local_layers[-1]
        return ops.matmul(x, ops.mean(out.effective_weights(), axis=1)) + ops.mean(out.b)

    def call(self, x: Any, finetune: bool = False, patches: Any = None) -> Any:
        """Sparse FC's reconstruction, or with `finetune` GLocal-K's (the network on the globally convolved x).

        `patches`: `self.global_kernel.patches(x)`, computed once for a fixed x (the same result, faster).
        """
        if not finetune:
            return self.local(x)
        return self.local(self.global_kernel(x, self.row_means(x), patches))

    def penalty(self) -> Any:
        """Sum of the local layers' penalties (the global kernel has none, as in GLocal-K)."""
        return sum(kernel_layer.penalty() for kernel_layer in self.local_layers)

    def share_pruned(self) -> float:
        """Share of all local weights whose kernel value is 0 (connections cut)."""
        sizes = [kl.w.shape[0] * kl.w.shape[1] for kl in self.local_layers]
        return float(sum(kl.share_pruned() * n for kl, n in zip(self.local_layers, sizes)) / sum(sizes))


def glocal_objective(model: GLocalK, ratings: Any, finetune: bool = False, patches: Any = None) -> Any:
    """GLocal-K's J: 0.5 * the sum of squared errors over observed entries (rating != 0) plus the penalties."""
    ratings = ops.convert_to_tensor(ratings)
    predicted = model(ratings, finetune=finetune, patches=patches)
    mask = ops.cast(ops.not_equal(ratings, 0), predicted.dtype)
    return 0.5 * ops.sum(ops.square((ratings - predicted) * mask)) + model.penalty()

# %% ../notebooks/08_beyond_autorec.ipynb
class FlatObjective:
    """An objective of some variables as a function of one float64 vector, for SciPy.

    One compiled TensorFlow function writes the vector into the variables, evaluates the
    objective and returns its value and gradient as float64, so each evaluation is a single call
    (no Python loop over variables).
    """

    def __init__(self, variables: Sequence[Any], objective: Callable[[], Any]) -> None:
        self.variables = list(variables)
        self.shapes = [tuple(v.shape) for v in self.variables]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.evaluations = 0

        @tf.function(reduce_retracing=True)
        def value_and_gradient(flat: Any) -> tuple[Any, Any]:
            self._assign(flat)
            with tf.GradientTape() as tape:
                value = objective()
            grads = tape.gradient(value, self.variables)
            return tf.cast(value, tf.float64), tf.cast(tf.concat([tf.reshape(g, [-1]) for g in grads], 0), tf.float64)

        self._value_and_gradient = value_and_gradient

    def _assign(self, flat: Any) -> None:
        parts = tf.split(tf.cast(flat, tf.float32), self.sizes)
        for v, part, shape in zip(self.variables, parts, self.shapes):
            v.assign(tf.reshape(part, shape))

    def get(self) -> np.ndarray:
        """The variables' values as one float64 vector."""
        return np.concatenate([np.asarray(v.numpy(), dtype=np.float64).ravel() for v in self.variables])

    def set(self, flat: np.ndarray) -> None:
        """Write a flat vector back into the variables."""
        self._assign(tf.constant(np.asarray(flat, dtype=np.float64)))

    def __call__(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        """(value, gradient) at `flat`, both float64, as `scipy.optimize.minimize(jac=True)` wants."""
        self.evaluations += 1
        value, grad = self._value_and_gradient(tf.constant(flat, dtype=tf.float64))
        return float(value), grad.numpy()


def lbfgsb_epoch(objective: FlatObjective, maxiter: int = 5, maxcor: int = 10) -> Any:
    """One of GLocal-K's epochs: a fresh `scipy.optimize.minimize(method="L-BFGS-B", jac=True)` call of
    `maxiter` iterations (memory `maxcor`) from the variables' values, which it leaves at the result."""
    result = minimize(objective, objective.get(), jac=True, method="L-BFGS-B",
                      options={"maxiter": int(maxiter), "maxcor": int(maxcor)})
    objective.set(result.x)
    return result

# %% ../notebooks/08_beyond_autorec.ipynb
@dataclass
class TrainedGLocalK:
    """A trained GLocal-K (or Sparse FC), its reconstructed matrix and how training went."""

    model: GLocalK
    config: GLocalKConfig
    index: RatingIndex
    predicted: np.ndarray  # reconstruction of the training matrix (items x users for by="item")
    seconds: float  # training wall time (validation scoring excluded)
    n_ratings: int
    history: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per epoch
    best_valid_predictions: np.ndarray | None = None  # the validation predictions at the best epoch

    def predict_pairs(self, pairs: pd.DataFrame, fallback: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Predictions for (user_id, item_id) pairs; unseen ids get `fallback`."""
        return evaluation.predict_from_matrix(self.predicted, self.index, pairs, by=self.config.by, fallback=fallback)

    def share_pruned(self) -> float:
        """Share of all local weights whose kernel value is 0."""
        return self.model.share_pruned()

    def best_epoch(self) -> int:
        """The epoch (counted over both stages) with the lowest validation RMSE; the earliest on a tie."""
        if "val_rmse" not in self.history:
            raise ValueError("No validation RMSE was recorded: train with validation=... to choose an epoch.")
        return int(self.history.loc[self.history["val_rmse"].idxmin(), "epoch"])


def train_glocal_k(
    ratings: pd.DataFrame, index: RatingIndex, config: GLocalKConfig = GLOCAL_K, *, seed: int = 0,
    validation: pd.DataFrame | None = None, fallback: np.ndarray | float = 3.5, verbose: bool = False,
) -> TrainedGLocalK:
    """Train GLocal-K (`config.finetune_epochs` > 0) or Sparse FC on `ratings`, full batch.

    Pre-training then fine-tuning, `config.iterations` L-BFGS-B iterations a fresh SciPy call per
    epoch. With `validation`, its RMSE is recorded after every epoch (`history.val_rmse`) and the
    validation predictions of the best epoch are kept; the model returned is the one after the
    last epoch (choose the number of epochs on validation, then train again with `for_epochs`).
    """
    if config.optimizer not in ("lbfgs", "adam"):
        raise ValueError(f"config.optimizer={config.optimizer!r}: use 'lbfgs' (SciPy's L-BFGS-B) or 'adam'.")
    if config.pretrain_epochs < 1 or config.finetune_epochs < 0 or config.iterations < 1:
        raise ValueError(f"pretrain_epochs={config.pretrain_epochs}, finetune_epochs={config.finetune_epochs}, "
                         f"iterations={config.iterations}: pre-training needs at least 1 epoch and each epoch at "
                         "least 1 iteration; fine-tuning may have 0 epochs.")
    runtime.set_seed(seed)
    matrix, _ = rating_matrix(ratings, index, by=config.by)
    model = GLocalK(*matrix.shape, config)
    x = tf.constant(matrix)
    patches = tf.constant(model.global_kernel.patches(x)) if config.finetune_epochs else None
    n = len(ratings)
    history: list[dict[str, Any]] = []
    seconds = 0.0
    best: tuple[float, np.ndarray | None] = (math.inf, None)

    def reconstruct(finetune: bool) -> Any:  # eager: one forward pass an epoch, no function to trace per model
        return model(x, finetune=finetune, patches=patches)

    def record(stage: str, epoch: int, objective: float, took: float, finetune: bool, **extra: Any) -> None:
        nonlocal best
        row: dict[str, Any] = {"stage": stage, "epoch": epoch, "objective": per_rating(objective, n),
                               "seconds": took, **extra}
        if validation is not None:
            predicted = reconstruct(finetune).numpy()
            pred, _ = evaluation.predict_from_matrix(predicted, index, validation, by=config.by, fallback=fallback)
            row["val_rmse"] = evaluation.rmse(validation["rating"].to_numpy(), pred)
            if row["val_rmse"] < best[0]:
                best = (row["val_rmse"], pred)
        history.append(row)
        if verbose:
            print({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()})

    def run_stage(stage: str, epochs: range, finetune: bool) -> None:
        nonlocal seconds
        variables = [v for kl in model.local_layers for v in kl.trainable_variables]
        if finetune:
            variables += model.global_kernel.trainable_variables
        if config.optimizer == "lbfgs":
            flat = FlatObjective(variables, lambda: glocal_objective(model, x, finetune, patches))
            for epoch in epochs:
                start = time.perf_counter()
                result = lbfgsb_epoch(flat, config.iterations, config.memory)
                took = time.perf_counter() - start
                seconds += took
                record(stage, epoch, float(result.fun), took, finetune, iterations=int(result.nit),
                       evaluations=int(result.nfev))
            return
        optimizer = keras.optimizers.Adam(config.learning_rate)
        optimizer.build(variables)

        @tf.function
        def steps() -> Any:
            value = tf.constant(0.0)
            for _ in tf.range(config.iterations):
                with tf.GradientTape() as tape:
                    value = glocal_objective(model, x, finetune, patches) * (2.0 / n)  # per rating, for Adam's step size
                optimizer.apply_gradients(zip(tape.gradient(value, variables), variables))
            return value

        for epoch in epochs:
            start = time.perf_counter()
            value = float(steps()) * n / 2.0
            took = time.perf_counter() - start
            seconds += took
            record(stage, epoch, value, took, finetune, iterations=config.iterations, evaluations=config.iterations)

    run_stage("pre-training", range(1, config.pretrain_epochs + 1), finetune=False)
    if config.finetune_epochs:
        run_stage("fine-tuning", range(config.pretrain_epochs + 1, config.epochs + 1), finetune=True)
    predicted = reconstruct(bool(config.finetune_epochs)).numpy()
    return TrainedGLocalK(model, config, index, predicted, seconds, n, pd.DataFrame(history), best[1])
