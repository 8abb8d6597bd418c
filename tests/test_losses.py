"""Notebook 02's masked loss (helpers/masked_loss.py) and the kit's masked metric, against hand computations.
(The sparsity penalties have their own file, tests/test_penalties.py, which the Colab replica runs.)"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from helpers import losses
from helpers.masked_loss import masked_mse


def test_masked_mse_matches_hand_computation(slide_matrix: np.ndarray) -> None:
    y_true = slide_matrix
    y_pred = np.arange(25, dtype=np.float32).reshape(5, 5) / 10.0
    observed = y_true != 0
    hand = sum((y_pred[r, c] - y_true[r, c]) ** 2 for r in range(5) for c in range(5) if observed[r, c])
    hand /= observed.sum()  # 11 observed ratings, not 25 entries
    assert observed.sum() == 11
    got = float(masked_mse(y_true, y_pred))
    assert got == pytest.approx(hand, rel=1e-6)
    unmasked = float(np.mean((y_pred - y_true) ** 2))
    assert abs(got - unmasked) > 0.1  # the two really differ on this matrix


def test_masked_mse_gradient_zero_on_unobserved(slide_matrix: np.ndarray) -> None:
    y_true = tf.constant(slide_matrix)
    y_pred = tf.Variable(np.full((5, 5), 2.5, np.float32))
    with tf.GradientTape() as tape:
        loss = masked_mse(y_true, y_pred)
    grad = tape.gradient(loss, y_pred).numpy()
    observed = slide_matrix != 0
    assert np.all(grad[~observed] == 0.0)  # exactly zero, not merely small
    assert np.all(grad[observed] != 0.0)
    expected = 2 * (2.5 - slide_matrix[observed]) / observed.sum()
    np.testing.assert_allclose(grad[observed], expected, rtol=1e-6)


def test_masked_mse_all_unobserved_is_zero_not_nan() -> None:
    assert float(masked_mse(np.zeros((2, 3)), np.ones((2, 3), np.float32))) == 0.0


def test_masked_rmse_accumulates_over_batches(slide_matrix: np.ndarray) -> None:
    y_true = slide_matrix
    y_pred = np.full((5, 5), 3.0, np.float32)
    metric = losses.MaskedRMSE()
    metric.update_state(y_true[:2], y_pred[:2])
    metric.update_state(y_true[2:], y_pred[2:])
    observed = y_true != 0
    expected = np.sqrt(np.mean((y_true[observed] - 3.0) ** 2))
    assert float(metric.result()) == pytest.approx(expected, rel=1e-6)


def test_code_stats_and_bce_per_image() -> None:
    stats = losses.code_stats(np.array([[0.0, 1.0], [0.0, 3.0]]))
    assert stats == {"mean_activation": 1.0, "share_near_zero": 0.5, "active_units": 1.0, "share_alive": 0.5}
    np.testing.assert_allclose(losses.bce_per_image(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])), [np.log(2)])
