"""Model solutions and reference implementations of the notebooks' exercises (for instructors).

Students: this file spoils the exercises. The self-checks in `helpers.exercises` use it in
two ways: a function you write is compared with the reference implementation here on fresh
random inputs, and an answer that depends on your run's data is computed here from the
notebook's variables. Fixed answers (a number, a path) are not needed for checking: the checks
compare a SHA-256 digest of your answer with a stored one. With `COURSE_SOLUTIONS=1` every
check that finds no answer yet takes the model solution from `SOLUTIONS` instead.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# --- references: what a check compares with (computed, never typed into a notebook) ---------------


def dense_params(sizes: Sequence[int]) -> int:
    """Weights and biases of Dense layers sizes[0] -> sizes[1] -> ... -> sizes[-1]."""
    return sum(int(a) * int(b) + int(b) for a, b in zip(sizes[:-1], sizes[1:]))


def worst_digit(per_digit: Any) -> int:
    """The digit with the highest mean reconstruction error (notebook 01's `per_digit`)."""
    return int(per_digit.idxmax())


def missing_share(train: Any, index: Any) -> float:
    """Share of the users x items matrix that holds no rating."""
    return 1 - len(train) / (index.n_users * index.n_items)


def masked_mse_reference(y_true: Any, y_pred: Any) -> float:
    """The kit's masked MSE (helpers.losses.masked_mse), as a float."""
    from helpers import losses

    return float(losses.masked_mse(np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")))


def best_drop_rate(rating_valid: Any, DROP_RATES: Sequence[float]) -> float:  # noqa: N803 (the notebook's name)
    """The drop rate of the lowest validation RMSE in notebook 03's `rating_valid` (0 for no corruption)."""
    best = int(np.argmin(np.asarray(rating_valid["rmse"], dtype=float)))
    return 0.0 if best == 0 else float(DROP_RATES[best - 1])


def masking_noise_reference(x: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """The kit's masking noise (helpers.experiments.add_noise(x, "masking", rate, seed)), without its float32 cast."""
    return x * (np.random.default_rng(seed).random(np.shape(x)) >= rate)


def third_layer_input(LAYERS: Sequence[int]) -> int:  # noqa: N803 (the notebook's name)
    """Greedy pre-training: the third layer's shallow autoencoder reads the second layer's codes."""
    if len(LAYERS) < 3:
        raise ValueError(f"LAYERS = {tuple(LAYERS)} has no third layer; use three or more sizes for this exercise.")
    return int(LAYERS[1])


def stacked_sizes(input_dim: int, layers: Sequence[int]) -> list[int]:
    """Every layer size of the symmetric stacked autoencoder, input to output."""
    return [int(input_dim), *map(int, layers), *map(int, reversed(layers[:-1])), int(input_dim)]


def active_units(mnist_table: Any, headline_l1: str) -> float:
    """Mean number of active code units of notebook 05's headline L1 model (not rounded)."""
    return float(mnist_table.set_index("model").loc[headline_l1, "active_units"])


def kl_penalty_reference(codes: np.ndarray, rho: float, beta: float) -> float:
    """The kit's KL sparsity penalty (helpers.losses.kl_sparsity_penalty), as a float."""
    from helpers import losses

    return float(losses.kl_sparsity_penalty(np.asarray(codes, "float32"), rho, beta))


def matmul_flops(n: int, k: int, m: int) -> int:
    """Floating-point operations of an (n x k) by (k x m) matrix product, a multiply-add counting two."""
    return 2 * int(n) * int(k) * int(m)


def oldest_first(folder: str | os.PathLike) -> list[str]:
    """Names in `folder`, oldest modification time first: what `ls -tr` lists."""
    return [e.name for e in sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns)]


def kernel_gate_reference(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The kernel of helpers.kernel_autorec.KernelDense for embeddings u (n x d) and v (m x d): an n x m array."""
    squared = np.sum((np.asarray(u, dtype=float)[:, None, :] - np.asarray(v, dtype=float)[None, :, :]) ** 2, axis=-1)
    return np.maximum(0.0, 1.0 - squared)


REFERENCES: dict[str, Callable[..., Any]] = {
    "01.2": worst_digit,
    "01.3": dense_params,
    "02.1": missing_share,
    "02.4": masked_mse_reference,
    "03.3": best_drop_rate,
    "03.4": masking_noise_reference,
    "04.2": third_layer_input,
    "04.3": stacked_sizes,
    "05.2": active_units,
    "05.3": kl_penalty_reference,
    "06.3": matmul_flops,
    "06.4": oldest_first,
    "07.2": kernel_gate_reference,
}

# --- model solutions: what a student could write (the solutions switch uses them) ------------------


def solution_dense_autoencoder_params(sizes: list[int]) -> int:
    """Each Dense layer: inputs x outputs weights plus one bias per output."""
    total = 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        total += n_in * n_out + n_out
    return total


def solution_my_masked_mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Squared error on rated entries (y_true != 0), divided by the number of rated entries."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    observed = y_true != 0
    return float(np.sum((y_pred - y_true)[observed] ** 2) / max(observed.sum(), 1))


def solution_mask_noise(x: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """A copy of x with each entry set to 0 with probability `rate`."""
    rng = np.random.default_rng(seed)
    return x * (rng.random(x.shape) >= rate)


def solution_stacked_layer_sizes(input_dim: int, layers: tuple[int, ...]) -> list[int]:
    """Input, the encoder's layers, the decoder mirroring them, output."""
    return [input_dim, *layers, *layers[-2::-1], input_dim]


def solution_kl_penalty(codes: np.ndarray, rho: float, beta: float) -> float:
    """beta * sum over units of KL(rho || mean activation of the unit over the batch)."""
    rho_hat = np.asarray(codes, dtype=float).mean(axis=0)
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    return float(beta * kl.sum())


def solution_matmul_flops(n: int, k: int, m: int) -> int:
    """n x m outputs, each k multiply-adds of two operations."""
    return n * m * k * 2


def solution_oldest_first(folder: str | os.PathLike) -> list[str]:
    """Like `ls -tr`: sort the folder's entries by modification time, oldest first."""
    entries = sorted(Path(folder).iterdir(), key=lambda p: p.stat().st_mtime)
    return [p.name for p in entries]


def solution_kernel_gate(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """K[i, j] = max(0, 1 - ||u_i - v_j||^2): every pair's difference by broadcasting, squared and summed over d."""
    diff = u[:, np.newaxis, :] - v[np.newaxis, :, :]  # n x m x d
    return np.clip(1 - (diff**2).sum(axis=2), 0, None)


SOLUTIONS: dict[str, Any] = {
    "01.1": 784 * 64 + 64 + 64 * 784 + 784,
    "01.3": solution_dense_autoencoder_params,
    "02.2": dense_params([6040, 500, 6040]),  # I-AutoRec on MovieLens 1M
    "02.3": math.sqrt((0**2 + 0.2**2 + 0**2) / 3),
    "02.4": solution_my_masked_mse,
    "03.1": 784 // 2,
    "03.2": 1 / (1 - 0.25),
    "03.4": solution_mask_noise,
    "04.1": dense_params([784, 256, 32, 256, 784]),
    "04.3": solution_stacked_layer_sizes,
    "05.1": 0.05 * math.log(0.05 / 0.5) + 0.95 * math.log(0.95 / 0.5),
    "05.3": solution_kl_penalty,
    "06.1": next(n for n in range(1, 60) if 2.0 ** (2 - n) < 0.001),  # after n steps x = 5 - 2^(2-n)
    "06.2": "/content/drive/MyDrive",
    "06.3": solution_matmul_flops,
    "06.4": solution_oldest_first,
    "07.1": 943 * 500 + 500 + (943 + 500) * 5,  # the first KernelDense of the item-based model on u1 (dim 5)
    "07.2": solution_kernel_gate,
}


def solution(key: str, **context: Any) -> Any:
    """The model answer of exercise `key`: a stored value or function, or one computed from the run's variables."""
    if key in SOLUTIONS:
        return SOLUTIONS[key]
    if key == "05.2":  # the question asks for the rounded number
        return round(active_units(**context))
    return REFERENCES[key](**context)
