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


@pytest.mark.parametrize("batch_size", [2, 4, 8])
def test_the_slides_lambda_is_the_keras_weight_times_all_observed_ratings(batch_size: int) -> None:
    """Mini-batches holding as many ratings each: the gradient summed over an epoch's steps (masked mean of a
    batch plus the L2 penalties, as Keras adds them at every step) is B/n times the gradient of the slide's
    objective with lambda = n x the Keras weight, n = all observed ratings, B = batches: every batch size has
    the slide's stationary points, so its minimiser. Converting with a batch's count instead is off."""
    import keras

    from helpers.autorec_net import autorec_network

    rng = np.random.default_rng(0)
    rows, cols, per_row = 8, 6, 3
    ratings = np.zeros((rows, cols), np.float32)
    for r in range(rows):
        ratings[r, rng.choice(cols, per_row, replace=False)] = rng.integers(1, 6, per_row)
    n, lam_slide = int((ratings != 0).sum()), 0.5

    def flat(grads: list) -> np.ndarray:
        return np.concatenate([np.asarray(g, np.float64).ravel() for g in grads])

    def slide_gradient(model: keras.Model) -> np.ndarray:
        with tf.GradientTape() as tape:
            error = tf.reduce_sum(((ratings - model(ratings)) * (ratings != 0)) ** 2)
            slide = error + lam_slide * tf.add_n([tf.reduce_sum(w**2) for w in model.trainable_weights])
        return flat(tape.gradient(slide, model.trainable_weights))

    def epoch_gradient(model: keras.Model) -> np.ndarray:
        total = 0.0
        for start in range(0, rows, batch_size):
            batch = ratings[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = masked_mse(batch, model(batch, training=True)) + tf.add_n(model.losses)
            total = total + flat(tape.gradient(loss, model.trainable_weights))
        return total

    batches, in_a_batch = rows // batch_size, batch_size * per_row
    for lam_kit, right in ((lam_slide / n, True), (lam_slide / in_a_batch, in_a_batch == n)):
        keras.utils.set_random_seed(1)
        model = autorec_network(cols, 4, lam=lam_kit)
        scaled = batches / n * slide_gradient(model)
        close = np.allclose(epoch_gradient(model), scaled, rtol=1e-4, atol=1e-6)
        assert close == right, f"lam_kit = {lam_kit:g}: the epoch's gradient {'is not' if right else 'is'} B/n x the slide's"
