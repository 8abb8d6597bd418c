"""Notebook 06 writes the sparsity penalties (L1 and KL), the layer that adds them to the loss and
the sparse autoencoder in its own cells; the kit keeps copies (`losses.l1_code_penalty`,
`losses.kl_sparsity_penalty`, `losses.SparsityPenalty`, `models.sparse_autoencoder`) for later
lessons. These tests run the notebook's cells and check that both agree: the same penalty values
(pinned, whatever Keras's reduction of an `activity_regularizer`), the same layers, shapes and
parameter counts, and the same loss on a batch."""

from __future__ import annotations

from typing import Any

import jupytext
import keras
import numpy as np
import pytest

from helpers import losses, models
from helpers.runtime import kit_root

NOTEBOOK = kit_root() / "notebooks" / "06_sparse_autoencoder.py"
NAMES = ("l1_penalty", "kl_penalty", "SparsityPenalty", "build_sparse")
CODES = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]], np.float32)
SIGMOID_CODES = np.array([[0.1, 0.5, 0.9], [0.3, 0.5, 0.7]], np.float32)


def notebook_definitions() -> dict[str, Any]:
    """Exec the notebook's code cells that define NAMES (and nothing else) and return them."""
    cells = [c.source for c in jupytext.read(NOTEBOOK).cells if c.cell_type == "code"]
    namespace: dict[str, Any] = {"keras": keras, "np": np}
    for name in NAMES:
        found = [src for src in cells if src.lstrip().startswith((f"def {name}(", f"class {name}("))]
        assert len(found) == 1, f"notebook 06 should define {name} in one cell of its own"
        exec(compile(found[0], f"{NOTEBOOK.name}:{name}", "exec"), namespace)
    return {name: namespace[name] for name in NAMES}


@pytest.fixture(scope="module")
def nb() -> dict[str, Any]:
    return notebook_definitions()


def test_notebook_penalties_have_the_pinned_values(nb: dict[str, Any]) -> None:
    # the values tests/test_penalties.py pins for the library's copies
    assert float(nb["l1_penalty"](CODES, 0.1)) == pytest.approx(0.35, rel=1e-6)
    assert float(nb["l1_penalty"](np.concatenate([CODES, CODES]), 0.1)) == pytest.approx(0.35, rel=1e-6)
    assert float(nb["kl_penalty"](SIGMOID_CODES, 0.05, 2.0)) == pytest.approx(3.8603658, rel=1e-5)


def test_notebook_penalties_match_the_library(nb: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        codes = rng.random((int(rng.integers(2, 200)), int(rng.integers(1, 64)))).astype(np.float32)
        weight, rho = float(rng.uniform(1e-4, 1.0)), float(rng.uniform(0.01, 0.5))
        assert float(nb["l1_penalty"](codes, weight)) == pytest.approx(float(losses.l1_code_penalty(codes, weight)),
                                                                       rel=1e-6)
        assert float(nb["kl_penalty"](codes, rho, weight)) == pytest.approx(
            float(losses.kl_sparsity_penalty(codes, rho, weight)), rel=1e-5)


def test_notebook_layer_adds_exactly_the_penalty(nb: dict[str, Any]) -> None:
    for kind, codes, weight, expected in (("l1", CODES, 0.1, 0.35), ("kl", SIGMOID_CODES, 2.0, 3.8603658)):
        layer = nb["SparsityPenalty"](kind, weight, rho=0.05)
        np.testing.assert_array_equal(np.asarray(layer(codes)), codes)  # a pass-through
        assert len(layer.losses) == 1 and float(layer.losses[0]) == pytest.approx(expected, rel=1e-5)


def structure(model: keras.Model) -> list[tuple[str, str, tuple, str | None, int]]:
    """Each layer's name, kind, output shape, activation and parameter count."""
    rows = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        rows.append((layer.name, type(layer).__name__, tuple(layer.output.shape),
                     getattr(activation, "__name__", None), layer.count_params()))
    return rows


@pytest.mark.parametrize("kind, weight, code_dim", [("l1", 1e-3, 32), ("kl", 0.01, 32), ("l1", 1e-4, 128), ("kl", 0.1, 7)])
def test_notebook_build_matches_the_library(nb: dict[str, Any], kind: str, weight: float, code_dim: int) -> None:
    mine = nb["build_sparse"](kind, weight, rho=0.05, code_dim=code_dim)
    kits = models.sparse_autoencoder(kind, weight, rho=0.05, code_dim=code_dim)
    assert structure(mine) == structure(kits)
    assert mine.count_params() == kits.count_params()
    assert all(getattr(layer, "activity_regularizer", None) is None for layer in mine.layers)


def _batch_loss(model: keras.Model, batch: np.ndarray) -> float:
    model.reset_metrics()
    return float(np.ravel(model.test_on_batch(batch, batch))[0])


@pytest.mark.parametrize("kind, weight", [("l1", 1e-3), ("kl", 0.01)])
def test_notebook_and_library_models_have_the_same_loss(nb: dict[str, Any], kind: str, weight: float) -> None:
    """With the same weights, the loss Keras reports (what the optimiser lowers) is the same for the
    notebook's and the library's model, for a small and a large batch, and it is BCE + penalty."""
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((64, 784)).astype(np.float32)
    mine, kits = nb["build_sparse"](kind, weight), models.sparse_autoencoder(kind, weight)
    kits.set_weights(mine.get_weights())
    for model in (mine, kits):
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    for batch in (x[:8], x):
        codes = np.asarray(models.encoder_of(mine)(batch)).astype(np.float64)
        if kind == "l1":  # by hand: a batch mean of per-example sums
            penalty = weight * np.abs(codes).sum(axis=1).mean()
        else:
            rho_hat = np.clip(codes.mean(axis=0), 1e-6, 1 - 1e-6)
            penalty = weight * np.sum(0.05 * np.log(0.05 / rho_hat) + 0.95 * np.log(0.95 / (1 - rho_hat)))
        pred = np.clip(np.asarray(mine(batch)).astype(np.float64), 1e-7, 1 - 1e-7)
        bce = float(np.mean(-(batch * np.log(pred) + (1 - batch) * np.log(1 - pred))))
        assert _batch_loss(mine, batch) == pytest.approx(bce + penalty, rel=1e-4)
        assert _batch_loss(mine, batch) == pytest.approx(_batch_loss(kits, batch), rel=1e-6)
