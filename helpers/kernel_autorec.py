"""Beyond AutoRec: a rating autoencoder with kernelised sparse weight matrices.

Each weight `W[i, j]` of a `KernelDense` layer is multiplied by a learned kernel of the
distance between an embedding `u_i` of input unit i and an embedding `v_j` of output unit j,
`k_ij = max(0, 1 - ||u_i - v_j||^2)` (Muller et al., ICML 2018, "Kernelized synaptic weight
matrices"): pairs of units that drift apart lose their connection entirely (the kernel is 0),
so the layer prunes and shares its weights by itself. GLocal-K (Han et al., CIKM 2021) stacks
two such layers of 500 sigmoid units in an item-based autoencoder (rows are items, columns
users) and trains it full-batch with L-BFGS; this module does the same, with mini-batch Adam
as the alternative, and picks every setting on a validation slice.

The objective is GLocal-K's, `0.5 * SSE + 0.5 * lambda_2 * sum ||W||^2 + 0.5 * lambda_s *
sum ||K||^2` over its three layers, divided by half the number of training ratings so that it
reads as the kit's masked MSE plus per-rating penalties; `lambda_2` and `lambda_s` keep
GLocal-K's units (20 and 0.006 on ML-100K), so its published settings can be typed in as they are.

The L-BFGS here is the kit's own (`lbfgs`, NumPy, ~50 lines) rather than SciPy's L-BFGS-B,
which GLocal-K calls: the kit adds no dependency for one optimiser, and its tests pin it.

Measured (2 shared CPU cores): `BEST_KERNEL` scores u1.test RMSE 0.9070 (MAE 0.7089) after 95
L-BFGS steps in 33-48 s, and 0.8968 +- 0.0069 over u1..u5; notebook 02's I/U-AutoRec blend
scores 0.8956 and 0.8875 +- 0.0046. Notebook 08 has the validation comparison behind the choice.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import ops

from helpers import evaluation, losses, runtime
from helpers.ratings import RatingIndex, rating_matrix


@keras.saving.register_keras_serializable(package="helpers")
class KernelDense(keras.layers.Layer):
    """A dense layer whose weights are gated by a learned kernel of unit embeddings.

    output = activation(x @ (W * K) + b), K[i, j] = max(0, 1 - ||u[i] - v[j]||^2), with u
    (inputs x dim) and v (units x dim) trained like W. The layer adds its own penalty
    `lam_w * sum(W^2) + lam_s * sum(K^2)` to the model's loss (`add_loss`), a value that does
    not depend on the batch, so Keras's reduction of activity regularisers (changed in 3.14)
    never touches it. `use_kernel=False` makes it a plain dense layer with L2 on W.
    """

    def __init__(self, units: int, dim: int = 5, activation: str | None = "sigmoid", lam_w: float = 0.0,
                 lam_s: float = 0.0, use_kernel: bool = True, init_scale: float = 1e-3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, value in (("lam_w", lam_w), ("lam_s", lam_s)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name}={value!r}: a penalty weight is a finite number >= 0.")
        if int(units) < 1 or int(dim) < 1:
            raise ValueError(f"units={units}, dim={dim}: both must be at least 1.")
        self.units, self.dim = int(units), int(dim)
        self.activation = keras.activations.get(activation)
        self.lam_w, self.lam_s = float(lam_w), float(lam_s)
        self.use_kernel, self.init_scale = bool(use_kernel), float(init_scale)

    def build(self, input_shape: Any) -> None:
        n_in = int(input_shape[-1])
        self.w = self.add_weight(shape=(n_in, self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        if self.use_kernel:  # embeddings start near 0, so every kernel value starts near 1 (a dense layer)
            init = keras.initializers.TruncatedNormal(stddev=self.init_scale)
            self.u = self.add_weight(shape=(n_in, self.dim), initializer=init, name="u")
            self.v = self.add_weight(shape=(self.units, self.dim), initializer=init, name="v")

    def kernel(self) -> Any:
        """K, inputs x units, each value in [0, 1] (all ones without the kernel)."""
        if not self.use_kernel:
            return ops.ones((self.w.shape[0], self.units))
        sq = (ops.sum(ops.square(self.u), axis=1)[:, None] + ops.sum(ops.square(self.v), axis=1)[None, :]
              - 2.0 * ops.matmul(self.u, ops.transpose(self.v)))  # ||u_i - v_j||^2 without an n_in x units x dim tensor
        return ops.maximum(0.0, 1.0 - ops.maximum(sq, 0.0))  # sq >= 0 up to rounding; K stays within [0, 1]

    def penalty(self) -> Any:
        """lam_w * sum(W^2) + lam_s * sum(K^2)."""
        value = self.lam_w * ops.sum(ops.square(self.w))
        if self.use_kernel and self.lam_s:
            value = value + self.lam_s * ops.sum(ops.square(self.kernel()))
        return value

    def call(self, inputs: Any) -> Any:
        """activation(inputs @ (W * K) + b), adding the penalty to the model's loss."""
        self.add_loss(self.penalty())
        weights = self.w * self.kernel() if self.use_kernel else self.w
        return self.activation(ops.matmul(inputs, weights) + self.b)

    def share_pruned(self) -> float:
        """Share of weights whose kernel is exactly 0 (connections the layer has cut)."""
        return float(np.mean(keras.ops.convert_to_numpy(self.kernel()) == 0.0)) if self.use_kernel else 0.0

    def compute_output_shape(self, input_shape: Any) -> Any:
        """(batch, units)."""
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        """Config for saving and loading."""
        return {**super().get_config(), "units": self.units, "dim": self.dim,
                "activation": keras.activations.serialize(self.activation), "lam_w": self.lam_w,
                "lam_s": self.lam_s, "use_kernel": self.use_kernel, "init_scale": self.init_scale}


@dataclass(frozen=True)
class KernelConfig:
    """Everything that defines one kernelised autoencoder and its training (GLocal-K's defaults)."""

    by: str = "item"  # rows are items (GLocal-K and I-AutoRec), or "user"
    hidden: tuple[int, ...] = (500, 500)
    dim: int = 5  # embedding dimension of the kernel
    kernel: bool = True  # False: plain dense layers (the ablation)
    init_scale: float = 1e-3  # std of the embeddings at the start (GLocal-K: 1e-3, so every K starts near 1)
    lambda_2: float = 20.0  # L2 on W, GLocal-K's units (on 0.5 * SSE); divided by the ratings / 2 here
    lambda_s: float = 0.006  # L2 on the kernel values, same units
    optimizer: str = "lbfgs"  # "lbfgs" (full batch) or "adam" (mini-batches, cosine decay)
    epochs: int = 30  # L-BFGS: rounds of `iterations` steps (GLocal-K: 30 x 5); Adam: passes over the rows
    iterations: int = 5  # L-BFGS steps per epoch
    memory: int = 10  # L-BFGS history pairs (scipy's maxcor)
    learning_rate: float = 1e-3  # Adam only
    batch_size: int = 64  # Adam only
    dropout: float = 0.0  # input dropout, Adam only
    finetune_epochs: int = 0  # GLocal-K's second stage (global kernel), L-BFGS epochs of `iterations` steps
    kernel_size: int = 3  # global kernel's size (GLocal-K: 3)
    dot_scale: float = 1.0  # global kernel's scale (GLocal-K on ML-100K: 1)

    def with_(self, **changes: Any) -> KernelConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)


#: GLocal-K's pre-training on ML-100K (its notebook: n_hid 500, n_dim 5, 2 layers, lambda_2 20,
#: lambda_s 0.006, 30 epochs of 5 L-BFGS iterations), before any choice made on validation.
GLOCAL_K = KernelConfig()
#: Chosen on a validation slice of u1.base (5%, seed 0), never on a test file: the lowest validation
#: RMSE among GLocal-K's settings and one change each (no kernel, one layer, Adam, Adam + input
#: dropout, lambda_2 10 or 40, embeddings started at 0.3, 60 epochs, 30 epochs of global-kernel
#: fine-tuning), read at every epoch: lambda_2 = 10 after 19 epochs (95 L-BFGS steps), 0.9023.
BEST_KERNEL = GLOCAL_K.with_(lambda_2=10.0, epochs=19)


def kernel_autorec(n_in: int, config: KernelConfig, n_ratings: int, name: str = "KernelAutoRec") -> keras.Model:
    """n_in -> hidden... (sigmoid) -> n_in (linear), every layer a `KernelDense`.

    `n_ratings` (the training ratings) turns GLocal-K's lambdas into per-rating weights.
    """
    scale = 2.0 / max(int(n_ratings), 1)
    layer = dict(dim=config.dim, lam_w=config.lambda_2 * scale, lam_s=config.lambda_s * scale, use_kernel=config.kernel,
                 init_scale=config.init_scale)
    x = inputs = keras.Input((n_in,), name="ratings")
    if config.dropout:
        x = keras.layers.Dropout(config.dropout, name="input_dropout")(x)
    for i, units in enumerate(config.hidden):
        x = KernelDense(units, activation="sigmoid", name=f"kernel_{i + 1}", **layer)(x)
    out = KernelDense(n_in, activation=None, name="kernel_out", **layer)(x)
    return keras.Model(inputs, out, name=name)


# --------------------------------------------------------------------------- L-BFGS


def lbfgs(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray, iterations: int,
          memory: int = 10, state: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Minimise `fun` (returning value and gradient) by `iterations` L-BFGS steps from `x0`.

    The search direction is -H g with H the L-BFGS inverse-Hessian estimate from the last
    `memory` steps s and gradient changes y, in its compact form (Byrd, Nocedal and Schnabel,
    1994): four passes over the history matrices instead of the two-loop recursion's 4 x memory
    passes over single vectors, which matters for a million float32 weights on two cores. The
    step length: 1 first, then backtracking by quadratic interpolation until the Armijo
    condition holds; pairs with s.y <= 0 are not kept. Pass the returned `state` back in to go
    on with the same history (SciPy's L-BFGS-B, which GLocal-K calls every 5 steps, starts afresh).
    """
    x = np.asarray(x0, dtype=np.float32).copy()
    st = state if state is not None else {}
    if "f" not in st:
        st.update(f=None, g=None, S=np.zeros((0, x.size), np.float32), Y=np.zeros((0, x.size), np.float32),
                  evaluations=0, iterations=0)
    if st["f"] is None:
        f, g = fun(x)
        st.update(f=float(f), g=np.asarray(g, np.float32), evaluations=st["evaluations"] + 1)
    f, g = st["f"], st["g"]
    for _ in range(iterations):
        direction = -_inverse_hessian_times(st["S"], st["Y"], g)
        slope = float(g @ direction)
        if not slope < 0:  # not a descent direction: forget the history, go down the gradient
            st["S"], st["Y"] = st["S"][:0], st["Y"][:0]
            direction = -_inverse_hessian_times(st["S"], st["Y"], g)
            slope = float(g @ direction)
        step = 1.0
        for _ in range(20):
            f_new, g_new = fun(x + step * direction)
            st["evaluations"] += 1
            if np.isfinite(f_new) and f_new <= f + 1e-4 * step * slope:
                break
            denom = 2.0 * (f_new - f - step * slope) if np.isfinite(f_new) else 0.0
            quad = -slope * step * step / denom if denom > 0 else 0.5 * step
            step = float(np.clip(quad, 0.1 * step, 0.5 * step))
        else:
            break  # no decrease along this direction: stop here
        g_new = np.asarray(g_new, np.float32)
        s_new, y_new = (step * direction).astype(np.float32), g_new - g
        if float(s_new @ y_new) > 1e-10 * float(y_new @ y_new):
            st["S"] = np.vstack([st["S"][-(memory - 1):] if memory > 1 else st["S"][:0], s_new[None]])
            st["Y"] = np.vstack([st["Y"][-(memory - 1):] if memory > 1 else st["Y"][:0], y_new[None]])
        x, f, g = x + s_new, float(f_new), g_new
        st.update(f=f, g=g, iterations=st["iterations"] + 1)
    return x, st


def _inverse_hessian_times(steps: np.ndarray, changes: np.ndarray, g: np.ndarray) -> np.ndarray:
    """H g for the L-BFGS matrix of the pairs (rows of `steps` s and `changes` y), compact form; with no pair, a
    step of unit length along g (as L-BFGS-B's first step)."""
    if len(steps) == 0:
        return g / max(float(np.linalg.norm(g)), 1.0)
    sy = (steps @ changes.T).astype(np.float64)  # sy[i, j] = s_i . y_j
    yy = (changes @ changes.T).astype(np.float64)
    gamma = sy[-1, -1] / yy[-1, -1]
    r_upper = np.triu(sy)
    d_diag = np.diag(np.diag(sy))
    a, b = (steps @ g).astype(np.float64), gamma * (changes @ g).astype(np.float64)
    r_inv_a = np.linalg.solve(r_upper, a)
    p1 = np.linalg.solve(r_upper.T, (d_diag + gamma * yy) @ r_inv_a - b)
    p2 = -r_inv_a
    return (gamma * g + p1.astype(np.float32) @ steps + (gamma * p2).astype(np.float32) @ changes).astype(np.float32)


class _Flat:
    """Variables as one float32 vector, and an objective's value and gradient on it."""

    def __init__(self, variables: list[Any], objective: Callable[[], Any]) -> None:
        self.vars = list(variables)
        self.sizes = [int(np.prod(v.shape)) for v in self.vars]

        @tf.function
        def value_and_grad() -> tuple[Any, list[Any]]:
            with tf.GradientTape() as tape:
                value = objective()
            return value, tape.gradient(value, self.vars)

        self._value_and_grad = value_and_grad

    def get(self) -> np.ndarray:
        return np.concatenate([np.asarray(v.numpy(), dtype=np.float32).ravel() for v in self.vars])

    def set(self, flat: np.ndarray) -> None:
        for v, part in zip(self.vars, np.split(np.asarray(flat, np.float32), np.cumsum(self.sizes)[:-1])):
            v.assign(part.reshape(v.shape))

    def __call__(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        self.set(flat)
        objective, grads = self._value_and_grad()
        return float(objective), np.concatenate([np.asarray(g, dtype=np.float32).ravel() for g in grads])


def global_kernel_input(model: keras.Model, x: Any, conv_kernel: Any, dot_scale: float = 1.0) -> Any:
    """GLocal-K's global kernel: the input matrix convolved with a size x size kernel made from the
    model's own reconstruction (each row's mean, times `conv_kernel`, rows x size^2), then ReLU.

    The convolution runs over the matrix as an image, so neighbouring rows and columns (items and
    users in id order) mix: what GLocal-K does, whatever the ids mean.
    """
    size = int(round(math.sqrt(conv_kernel.shape[1])))
    pooled = ops.mean(model(x), axis=1)[None, :]  # 1 x rows: the mean predicted rating of every row
    kernel = ops.reshape(ops.matmul(pooled, conv_kernel) * dot_scale, (size, size, 1, 1))
    image = ops.reshape(x, (1, x.shape[0], x.shape[1], 1))
    return ops.reshape(ops.relu(ops.conv(image, kernel, padding="same")), x.shape)


def kernel_objective(model: keras.Model, x: Any, training: bool = False) -> Any:
    """Masked MSE of the reconstruction of `x` plus every layer's penalty (what both optimisers minimise)."""
    predicted = model(x, training=training)
    objective = losses.masked_mse(x, predicted)
    for penalty in model.losses:  # the KernelDense penalties of this call
        objective = objective + penalty
    return objective


# --------------------------------------------------------------------------- training


@dataclass
class TrainedKernelAutoRec:
    """A trained kernelised autoencoder, its reconstructed matrix and how training went."""

    model: keras.Model
    config: KernelConfig
    index: RatingIndex
    predicted: np.ndarray  # reconstruction of the training matrix (items x users for by="item")
    seconds: float  # training wall time (validation scoring excluded)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)  # epoch, objective, seconds, [val_rmse], L-BFGS counts

    def predict_pairs(self, pairs: pd.DataFrame, fallback: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Predictions for (user_id, item_id) pairs; unseen ids get `fallback`."""
        return evaluation.predict_from_matrix(self.predicted, self.index, pairs, by=self.config.by, fallback=fallback)

    def share_pruned(self) -> float:
        """Share of all weights whose kernel value is 0."""
        layers = [layer for layer in self.model.layers if isinstance(layer, KernelDense)]
        sizes = [layer.w.shape[0] * layer.w.shape[1] for layer in layers]
        return float(sum(layer.share_pruned() * n for layer, n in zip(layers, sizes)) / sum(sizes))


def _reconstruct(model: keras.Model, matrix: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    return np.concatenate([keras.ops.convert_to_numpy(model(matrix[i:i + batch_size], training=False))
                           for i in range(0, len(matrix), batch_size)])


def train_kernel_autorec(
    ratings: pd.DataFrame, index: RatingIndex, config: KernelConfig = BEST_KERNEL, *, seed: int = 0,
    validation: pd.DataFrame | None = None, fallback: np.ndarray | float = 3.5, verbose: bool = False,
) -> TrainedKernelAutoRec:
    """Train a kernelised autoencoder on `ratings`; with `validation`, score it after every epoch.

    The validation RMSE per epoch is in `history` to choose the number of epochs on; the model
    returned is the one after the last epoch (no epoch is picked by looking at any score).
    """
    if config.optimizer not in ("lbfgs", "adam"):
        raise ValueError(f"config.optimizer={config.optimizer!r}: use 'lbfgs' or 'adam'.")
    if config.epochs < 1 or config.iterations < 1:
        raise ValueError(f"epochs={config.epochs}, iterations={config.iterations}: both must be at least 1.")
    runtime.set_seed(seed)
    matrix, _ = rating_matrix(ratings, index, by=config.by)
    model = kernel_autorec(matrix.shape[1], config, len(ratings))
    rows: list[dict[str, float]] = []
    seconds = 0.0

    def inputs_of(m: np.ndarray) -> np.ndarray:  # what the network reads: the matrix itself until fine-tuning
        return m

    def record(epoch: int, objective: float, took: float, **extra: float) -> None:
        row = {"epoch": epoch, "objective": objective, "seconds": took, **extra}
        if validation is not None:
            pred, _ = evaluation.predict_from_matrix(_reconstruct(model, inputs_of(matrix)), index, validation,
                                                     by=config.by, fallback=fallback)
            row["val_rmse"] = evaluation.rmse(validation["rating"].to_numpy(), pred)
        rows.append(row)
        if verbose:
            print({k: round(v, 4) for k, v in row.items()})

    def lbfgs_epochs(flat: _Flat, epochs: range) -> None:
        """One round of `config.iterations` L-BFGS steps an epoch, its history kept across rounds."""
        nonlocal seconds
        x, state = flat.get(), None
        for epoch in epochs:
            start = time.perf_counter()
            x, state = lbfgs(flat, x, config.iterations, config.memory, state)
            flat.set(x)
            took = time.perf_counter() - start
            seconds += took
            record(epoch, float(state["f"]), took, iterations=state["iterations"], evaluations=state["evaluations"])

    if config.optimizer == "lbfgs":
        x_all = tf.constant(matrix)
        lbfgs_epochs(_Flat(model.trainable_variables, lambda: kernel_objective(model, x_all, training=True)),
                     range(1, config.epochs + 1))
    else:
        steps = config.epochs * int(np.ceil(len(matrix) / config.batch_size))
        optimizer = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(config.learning_rate, steps))
        variables = model.trainable_variables

        @tf.function(input_signature=[tf.TensorSpec((None, matrix.shape[1]), tf.float32)])  # one trace, any batch
        def step(batch: Any) -> Any:
            with tf.GradientTape() as tape:
                objective = kernel_objective(model, batch, training=True)
            optimizer.apply_gradients(zip(tape.gradient(objective, variables), variables))
            return objective

        rng = np.random.default_rng(seed)
        for epoch in range(1, config.epochs + 1):
            start = time.perf_counter()
            order = rng.permutation(len(matrix))
            total = 0.0
            for i in range(0, len(order), config.batch_size):
                total += float(step(tf.constant(matrix[order[i:i + config.batch_size]])))
            took = time.perf_counter() - start
            seconds += took
            record(epoch, total / math.ceil(len(order) / config.batch_size), took)
    if config.finetune_epochs:  # GLocal-K's fine-tuning: the same network reads the globally convolved matrix
        x_all = tf.constant(matrix)
        conv_kernel = tf.Variable(tf.random.truncated_normal((len(matrix), config.kernel_size ** 2), stddev=0.1,
                                                             seed=seed), name="conv_kernel")

        def finetuned_input(_: np.ndarray) -> np.ndarray:
            return keras.ops.convert_to_numpy(global_kernel_input(model, x_all, conv_kernel, config.dot_scale))

        def objective() -> Any:
            predicted = model(global_kernel_input(model, x_all, conv_kernel, config.dot_scale), training=True)
            value = losses.masked_mse(x_all, predicted)
            for penalty in model.losses:
                value = value + penalty
            return value

        inputs_of = finetuned_input
        lbfgs_epochs(_Flat([*model.trainable_variables, conv_kernel], objective),
                     range(config.epochs + 1, config.epochs + config.finetune_epochs + 1))
    predicted = _reconstruct(model, inputs_of(matrix))
    return TrainedKernelAutoRec(model, config, index, predicted, seconds, pd.DataFrame(rows))
