"""The masked loss and metric and the lecture's L2 objective, against hand computations.
(The sparsity penalties have their own file, tests/test_penalties.py, which the Colab replica runs.)"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from helpers import losses, models


def test_masked_mse_matches_hand_computation(slide_matrix: np.ndarray) -> None:
    y_true = slide_matrix
    y_pred = np.arange(25, dtype=np.float32).reshape(5, 5) / 10.0
    observed = y_true != 0
    hand = sum((y_pred[r, c] - y_true[r, c]) ** 2 for r in range(5) for c in range(5) if observed[r, c])
    hand /= observed.sum()  # 11 observed ratings, not 25 entries
    assert observed.sum() == 11
    got = float(losses.masked_mse(y_true, y_pred))
    assert got == pytest.approx(hand, rel=1e-6)
    unmasked = float(np.mean((y_pred - y_true) ** 2))
    assert abs(got - unmasked) > 0.1  # the two really differ on this matrix


def test_masked_mse_gradient_zero_on_unobserved(slide_matrix: np.ndarray) -> None:
    y_true = tf.constant(slide_matrix)
    y_pred = tf.Variable(np.full((5, 5), 2.5, np.float32))
    with tf.GradientTape() as tape:
        loss = losses.masked_mse(y_true, y_pred)
    grad = tape.gradient(loss, y_pred).numpy()
    observed = slide_matrix != 0
    assert np.all(grad[~observed] == 0.0)  # exactly zero, not merely small
    assert np.all(grad[observed] != 0.0)
    expected = 2 * (2.5 - slide_matrix[observed]) / observed.sum()
    np.testing.assert_allclose(grad[observed], expected, rtol=1e-6)


def test_masked_mse_all_unobserved_is_zero_not_nan() -> None:
    assert float(losses.masked_mse(np.zeros((2, 3)), np.ones((2, 3), np.float32))) == 0.0


def test_masked_rmse_accumulates_over_batches(slide_matrix: np.ndarray) -> None:
    y_true = slide_matrix
    y_pred = np.full((5, 5), 3.0, np.float32)
    metric = losses.MaskedRMSE()
    metric.update_state(y_true[:2], y_pred[:2])
    metric.update_state(y_true[2:], y_pred[2:])
    observed = y_true != 0
    expected = np.sqrt(np.mean((y_true[observed] - 3.0) ** 2))
    assert float(metric.result()) == pytest.approx(expected, rel=1e-6)


def test_l2_regularizers_are_the_lecture_penalty() -> None:
    lam = 0.01
    model = models.autorec(5, hidden=3, lam=lam)
    model(np.zeros((1, 5), np.float32))
    penalty = sum(float(np.sum(np.square(w))) for w in model.trainable_weights)
    assert len(model.trainable_weights) == 4  # W, b of the encoder and V, mu of the decoder
    assert float(sum(model.losses)) == pytest.approx(lam * penalty, rel=1e-5)
    with pytest.raises(ValueError, match="finite number >= 0"):
        losses.l2_regularizers(-1)


def test_lecture_objective_value(slide_matrix: np.ndarray) -> None:
    model = models.autorec(5, hidden=3, lam=0.1)
    y = slide_matrix
    pred = model.predict(y, verbose=0)
    sse = np.sum(((pred - y) * (y != 0)) ** 2)
    penalty = sum(np.sum(np.square(w)) for w in model.trainable_weights)
    assert losses.lecture_objective(model, y, 0.1) == pytest.approx(sse + 0.1 * penalty, rel=1e-5)


def test_code_stats_and_bce_per_image() -> None:
    stats = losses.code_stats(np.array([[0.0, 1.0], [0.0, 3.0]]))
    assert stats == {"mean_activation": 1.0, "share_near_zero": 0.5, "active_units": 1.0, "share_alive": 0.5}
    np.testing.assert_allclose(losses.bce_per_image(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])), [np.log(2)])
