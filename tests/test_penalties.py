"""Every penalty the kit trains with has one pinned value, whatever the Keras version.

Keras changed how it reduces an `activity_regularizer` over the batch in 3.14 (summed
before, averaged after): the same sparse autoencoder trained dead codes on Colab's Keras
3.13. These tests pin the values the optimiser sees, so an upgrade or downgrade of Keras
that changes one of them, or a kit change that rescales one, fails here. `make test-colab`
runs this file on Colab's package set too.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import autorec
from helpers.denoising import denoising_autoencoder
from helpers.lecture_model import encoder_of, mnist_autoencoder
from helpers.masked_loss import masked_mse
from helpers.sparse import SparsityPenalty, build_sparse, kl_penalty, l1_penalty
from helpers.stacked import build_stacked, deep_autorec

CODES = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]], np.float32)
SIGMOID_CODES = np.array([[0.1, 0.5, 0.9], [0.3, 0.5, 0.7]], np.float32)


def test_l1_code_penalty_is_a_batch_mean() -> None:
    # per example: |0|+|1|+|2| = 3 and |3|+|0|+|1| = 4; mean over the batch 3.5; times 0.1
    assert float(l1_penalty(CODES, 0.1)) == pytest.approx(0.35, rel=1e-6)
    # the same rows twice: the same penalty (a mean, not a sum over the batch)
    assert float(l1_penalty(np.concatenate([CODES, CODES]), 0.1)) == pytest.approx(0.35, rel=1e-6)


def test_kl_sparsity_penalty_pinned() -> None:
    # rho_hat = (0.2, 0.5, 0.8); 2 * sum_j KL(0.05 || rho_hat_j), natural log
    assert float(kl_penalty(SIGMOID_CODES, 0.05, 2.0)) == pytest.approx(3.8603658, rel=1e-5)
    assert float(kl_penalty(np.full((4, 3), 0.05, np.float32), 0.05, 2.0)) == pytest.approx(0, abs=1e-5)


def test_sparsity_layer_adds_exactly_the_penalty() -> None:
    for kind, codes, expected in (("l1", CODES, 0.35), ("kl", SIGMOID_CODES, 3.8603658)):
        layer = SparsityPenalty(kind, 0.1 if kind == "l1" else 2.0, rho=0.05)
        out = layer(codes)
        np.testing.assert_array_equal(np.asarray(out), codes)  # a pass-through
        assert len(layer.losses) == 1
        assert float(layer.losses[0]) == pytest.approx(expected, rel=1e-5)


def _batch_loss(model: keras.Model, batch: np.ndarray) -> float:
    """The loss Keras computes on one batch. Before Keras 3.15, `test_on_batch` kept averaging
    its loss with earlier calls' unless the metrics were reset, so reset them first."""
    model.reset_metrics()
    return float(np.ravel(model.test_on_batch(batch, batch))[0])


def _bce(x: np.ndarray, pred: np.ndarray) -> float:
    p = np.clip(pred.astype(np.float64), 1e-7, 1 - 1e-7)
    return float(np.mean(-(x * np.log(p) + (1 - x) * np.log(1 - p))))


@pytest.mark.parametrize("kind, weight", [("l1", 1e-3), ("kl", 0.01)])
def test_sparse_autoencoder_loss_is_bce_plus_batch_penalty(kind: str, weight: float) -> None:
    """The loss Keras reports for a batch (what the optimiser minimises) is the BCE plus the
    kit's penalty on that batch, for a small and a large batch alike."""
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((64, 784)).astype(np.float32)
    model = build_sparse(kind, weight)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    for batch in (x[:8], x):
        codes = np.asarray(encoder_of(model)(batch)).astype(np.float64)
        if kind == "l1":
            penalty = weight * np.abs(codes).sum(axis=1).mean()
        else:
            rho_hat = np.clip(codes.mean(axis=0), 1e-6, 1 - 1e-6)
            penalty = weight * np.sum(0.05 * np.log(0.05 / rho_hat) + 0.95 * np.log(0.95 / (1 - rho_hat)))
        expected = _bce(batch, np.asarray(model(batch))) + penalty
        got = _batch_loss(model, batch)
        assert got == pytest.approx(expected, rel=1e-4), f"{kind} penalty at batch size {len(batch)}"
        assert penalty > 0.01 * expected  # the penalty is a real share of the loss, so a rescaling shows


def test_rating_autoencoder_loss_is_masked_mse_plus_l2_plus_code_l1() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    ratings = (rng.integers(1, 6, (32, 40)) * (rng.random((32, 40)) < 0.3)).astype(np.float32)
    lam, code_l1 = 1e-3, 0.5  # strong enough that a rescaled penalty shows in the total
    model = autorec.build_autorec(autorec.BEST_ITEM.with_(hidden=16, lam=lam, code_l1=code_l1, dropout=0.0), 40)
    model.compile(optimizer="adam", loss=masked_mse)
    for batch in (ratings[:4], ratings):
        pred = np.asarray(model(batch)).astype(np.float64)
        observed = batch != 0
        mse = np.sum(((pred - batch) * observed) ** 2) / observed.sum()
        l2 = lam * sum(np.sum(np.square(np.asarray(w, np.float64))) for w in model.trainable_weights)
        codes = np.asarray(encoder_of(model)(batch)).astype(np.float64)
        l1 = code_l1 * np.abs(codes).sum(axis=1).mean()
        got = _batch_loss(model, batch)
        assert got == pytest.approx(mse + l2 + l1, rel=1e-4), f"batch size {len(batch)}"
        assert l1 > 0.01 * got and l2 > 0


def test_no_builder_uses_an_activity_regularizer() -> None:
    """Keras's activity_regularizer changes meaning across versions; the kit's builders avoid it."""
    built = [mnist_autoencoder(), build_sparse("l1", 1e-3), build_sparse("kl", 0.01),
             autorec.build_autorec(autorec.BEST_ITEM.with_(hidden=4, code_l1=1e-3), 20), deep_autorec(20, layers=(8, 4, 8)),
             build_stacked((16, 8)), denoising_autoencoder()]
    for model in built:
        assert all(getattr(layer, "activity_regularizer", None) is None for layer in model.layers), model.name
