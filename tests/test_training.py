"""Masked loss and metric, the lecture's objective, and the resumable `fit`."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import datasets, losses, models, training
from helpers.ratings import RatingIndex, rating_dataset, rating_matrix


def slide_matrix() -> np.ndarray:
    return datasets.load_toy_matrix("5x5").values


def test_masked_mse_matches_hand_computation() -> None:
    y_true = slide_matrix()
    y_pred = np.arange(25, dtype=np.float32).reshape(5, 5) / 10.0
    observed = y_true != 0
    hand = sum((y_pred[r, c] - y_true[r, c]) ** 2 for r in range(5) for c in range(5) if observed[r, c])
    hand /= observed.sum()  # 11 observed ratings, not 25 entries
    assert observed.sum() == 11
    got = float(losses.masked_mse(y_true, y_pred))
    assert got == pytest.approx(hand, rel=1e-6)
    unmasked = float(np.mean((y_pred - y_true) ** 2))
    assert abs(got - unmasked) > 0.1  # the two really differ on this matrix


def test_masked_mse_gradient_zero_on_unobserved() -> None:
    y_true = tf.constant(slide_matrix())
    y_pred = tf.Variable(np.full((5, 5), 2.5, np.float32))
    with tf.GradientTape() as tape:
        loss = losses.masked_mse(y_true, y_pred)
    grad = tape.gradient(loss, y_pred).numpy()
    observed = slide_matrix() != 0
    assert np.all(grad[~observed] == 0.0)  # exactly zero, not merely small
    assert np.all(grad[observed] != 0.0)
    expected = 2 * (2.5 - slide_matrix()[observed]) / observed.sum()
    np.testing.assert_allclose(grad[observed], expected, rtol=1e-6)


def test_masked_mse_all_unobserved_is_zero_not_nan() -> None:
    assert float(losses.masked_mse(np.zeros((2, 3)), np.ones((2, 3), np.float32))) == 0.0


def test_masked_rmse_accumulates_over_batches() -> None:
    y_true = slide_matrix()
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


def test_lecture_objective_value() -> None:
    model = models.autorec(5, hidden=3, lam=0.1)
    y = slide_matrix()
    pred = model.predict(y, verbose=0)
    sse = np.sum(((pred - y) * (y != 0)) ** 2)
    penalty = sum(np.sum(np.square(w)) for w in model.trainable_weights)
    assert losses.lecture_objective(model, y, 0.1) == pytest.approx(sse + 0.1 * penalty, rel=1e-5)


def toy_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = models.autorec(5, hidden=4, lam=1e-3)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=losses.masked_mse,
                  metrics=[losses.MaskedRMSE()])
    return model


def test_fit_learns_observed_entries_and_writes_history(tmp_path: Path) -> None:
    y = slide_matrix()
    result = training.fit(toy_model(), y, y, run_dir=tmp_path / "run", epochs=40, batch_size=5, verbose=0)
    hist = result.history
    assert hist["epoch"].tolist() == list(range(1, 41))
    assert hist["loss"].iloc[-1] < hist["loss"].iloc[0] / 4
    assert (tmp_path / "run" / "history.csv").is_file()
    assert result.resumed_from_epoch == 0 and result.epochs == 40


def test_fit_resumes_from_last_epoch(tmp_path: Path) -> None:
    y = slide_matrix()
    run = tmp_path / "run"
    training.fit(toy_model(), y, y, run_dir=run, epochs=5, batch_size=5, verbose=0)
    model = toy_model()
    result = training.fit(model, y, y, run_dir=run, epochs=8, batch_size=5, verbose=0)
    assert result.resumed_from_epoch == 5
    assert result.history["epoch"].tolist() == list(range(1, 9))
    assert int(model.optimizer.iterations.numpy()) == 8  # one step per epoch, none lost on resume
    done = training.fit(toy_model(), y, y, run_dir=run, epochs=8, batch_size=5, verbose=0)
    assert done.resumed_from_epoch == 8 and done.epochs == 8  # finished runs are not retrained


def test_fit_stops_on_nan(tmp_path: Path) -> None:
    y = slide_matrix().copy()
    y[0, 1] = np.nan
    with pytest.raises(training.TrainingDivergedError, match="epoch 1, batch 1"):
        training.fit(toy_model(), y, y, run_dir=tmp_path / "nan", epochs=3, batch_size=5, verbose=0)
    assert training.EpochCheckpoint(tmp_path / "nan" / "checkpoint").completed_epochs() == 0


def test_resumed_run_matches_uninterrupted_run(tmp_path: Path) -> None:
    y = slide_matrix()

    def model_with_schedule() -> keras.Model:
        keras.utils.set_random_seed(0)
        model = models.autorec(5, hidden=4, lam=1e-3)
        schedule = keras.optimizers.schedules.CosineDecay(0.05, decay_steps=10)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss=losses.masked_mse)
        return model

    whole = model_with_schedule()
    training.fit(whole, y, y, run_dir=tmp_path / "whole", epochs=10, batch_size=5, shuffle=False, verbose=0)
    training.fit(model_with_schedule(), y, y, run_dir=tmp_path / "split", epochs=4, batch_size=5, shuffle=False, verbose=0)
    resumed = model_with_schedule()
    result = training.fit(resumed, y, y, run_dir=tmp_path / "split", epochs=10, batch_size=5, shuffle=False, verbose=0)
    assert result.resumed_from_epoch == 4
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fit_rejects_bad_epochs(tmp_path: Path) -> None:
    y = slide_matrix()
    with pytest.raises(ValueError, match="whole number >= 1"):
        training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=0)


def test_dense_and_sparse_training_agree(offline_data: Path) -> None:
    train, _ = datasets.load_movielens("ml-100k", "u1")
    train = train[train["item_id"] <= 200]
    index = RatingIndex.from_ratings(train)
    dense, _ = rating_matrix(train, index)

    def trained(x: object) -> np.ndarray:
        keras.utils.set_random_seed(1)
        model = models.autorec(index.n_users, hidden=16, lam=1e-3)
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=losses.masked_mse)
        if isinstance(x, np.ndarray):
            model.fit(x, x, batch_size=50, epochs=2, shuffle=False, verbose=0)
        else:
            model.fit(x, epochs=2, verbose=0)
        return model.predict(dense, verbose=0)

    sparse = rating_dataset(train, index, batch_size=50, shuffle=False)
    np.testing.assert_allclose(trained(dense), trained(sparse), atol=1e-5)


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    y = slide_matrix()
    training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=2, batch_size=5, verbose=0, fingerprint={"lam": 0.001})
    again = training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0,
                         fingerprint={"lam": 0.001})
    assert again.resumed_from_epoch == 2  # same settings (more epochs): resumes
    with pytest.raises(ValueError, match="lam differ"):
        training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0, fingerprint={"lam": 0.1})


def test_training_time_survives_resume(tmp_path: Path) -> None:
    y = slide_matrix()
    first = training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0)
    assert first.total_seconds > 0 and len(first.history["seconds"]) == 3
    done = training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0)
    assert done.seconds < first.total_seconds or done.resumed_from_epoch == 3
    assert done.total_seconds == pytest.approx(first.total_seconds)  # an earlier run's time is not lost
