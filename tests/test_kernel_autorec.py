"""The kernelised sparse autoencoder: the layer's kernel and penalties, the L-BFGS, and training
on a toy matrix with both optimisers (all fast: tiny shapes)."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from helpers import kernel_autorec as ka
from helpers.ratings import RatingIndex


def _layer(n_in: int = 4, units: int = 3, **kwargs: object) -> ka.KernelDense:
    layer = ka.KernelDense(units, dim=2, **kwargs)
    layer.build((None, n_in))
    return layer


def test_output_shape_and_kernel_in_unit_interval() -> None:
    layer = _layer(6, 5, init_scale=1.0)
    out = keras.ops.convert_to_numpy(layer(np.ones((7, 6), np.float32)))
    assert out.shape == (7, 5) and np.all((out > 0) & (out < 1))  # sigmoid
    k = keras.ops.convert_to_numpy(layer.kernel())
    assert k.shape == (6, 5) and k.min() >= 0 and k.max() <= 1
    assert 0 < layer.share_pruned() < 1  # embeddings of scale 1: some pairs are far enough apart to be cut


def test_kernel_is_the_hat_of_the_embedding_distance() -> None:
    layer = _layer(2, 2)
    layer.u.assign(np.array([[0.0, 0.0], [1.0, 1.0]], np.float32))
    layer.v.assign(np.array([[0.0, 0.5], [0.0, 0.0]], np.float32))
    k = keras.ops.convert_to_numpy(layer.kernel())
    # ||u0 - v0||^2 = 0.25, ||u0 - v1||^2 = 0, ||u1 - v0||^2 = 1.25 (cut), ||u1 - v1||^2 = 2 (cut)
    np.testing.assert_allclose(k, [[0.75, 1.0], [0.0, 0.0]], atol=1e-6)


def test_penalty_value_is_pinned() -> None:
    layer = _layer(2, 2, lam_w=0.5, lam_s=0.25)
    layer.w.assign(np.array([[1.0, 2.0], [0.0, -1.0]], np.float32))
    layer.u.assign(np.array([[0.0, 0.0], [1.0, 1.0]], np.float32))
    layer.v.assign(np.array([[0.0, 0.5], [0.0, 0.0]], np.float32))
    # 0.5 * (1 + 4 + 0 + 1) + 0.25 * (0.75^2 + 1^2)
    assert float(layer.penalty()) == pytest.approx(0.5 * 6 + 0.25 * (0.5625 + 1.0), rel=1e-6)
    model = keras.Sequential([keras.Input((2,)), layer])
    model(np.ones((3, 2), np.float32))
    assert float(sum(model.losses)) == pytest.approx(float(layer.penalty()), rel=1e-6)  # once, whatever the batch
    model(np.ones((30, 2), np.float32))
    assert float(sum(model.losses)) == pytest.approx(float(layer.penalty()), rel=1e-6)


def test_without_kernel_it_is_a_dense_layer_with_l2() -> None:
    layer = _layer(3, 2, lam_w=0.1, use_kernel=False, activation=None)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    w = keras.ops.convert_to_numpy(layer.w)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x @ w, rtol=1e-5)
    assert float(layer.penalty()) == pytest.approx(0.1 * float(np.sum(w ** 2)), rel=1e-5)


def test_bad_penalty_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="lam_s"):
        ka.KernelDense(3, lam_s=-1.0)


def test_layer_config_round_trip() -> None:
    layer = ka.KernelDense(3, dim=4, lam_w=0.1, lam_s=0.2, activation=None)
    again = ka.KernelDense.from_config(layer.get_config())
    assert (again.units, again.dim, again.lam_w, again.lam_s) == (3, 4, 0.1, 0.2)


def test_compact_lbfgs_matches_the_two_loop_recursion() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20, 20))
    hessian = a @ a.T + np.eye(20)
    steps = rng.normal(size=(4, 20)).astype(np.float32)
    changes = (steps @ hessian).astype(np.float32)
    g = rng.normal(size=20).astype(np.float32)
    q, alphas = g.astype(np.float64), []
    for s, y in zip(steps[::-1], changes[::-1]):
        alphas.append(s @ q / (y @ s))
        q = q - alphas[-1] * y
    q *= (steps[-1] @ changes[-1]) / (changes[-1] @ changes[-1])
    for (s, y), alpha in zip(zip(steps, changes), alphas[::-1]):
        q = q + s * (alpha - (y @ q) / (y @ s))
    np.testing.assert_allclose(ka._inverse_hessian_times(steps, changes, g), q, rtol=1e-3, atol=1e-5)


def test_lbfgs_minimises_rosenbrock() -> None:
    def rosenbrock(x: np.ndarray) -> tuple[float, np.ndarray]:
        x = x.astype(np.float64)
        f = np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
        g = np.zeros_like(x)
        g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
        g[1:] += 200 * (x[1:] - x[:-1] ** 2)
        return float(f), g

    x, state = ka.lbfgs(rosenbrock, np.zeros(6), 100)
    x, state = ka.lbfgs(rosenbrock, x, 100, state=state)  # goes on with the same history
    np.testing.assert_allclose(x, np.ones(6), atol=1e-3)
    assert state["f"] < 1e-6 and state["iterations"] <= 200


def _toy_ratings(seed: int = 0) -> pd.DataFrame:
    """A 30-user x 20-item low-rank rating matrix, 40% observed."""
    rng = np.random.default_rng(seed)
    full = np.clip(np.rint(3 + rng.normal(size=(30, 2)) @ rng.normal(size=(2, 20))), 1, 5)
    users, items = np.nonzero(rng.random((30, 20)) < 0.4)
    return pd.DataFrame({"user_id": users + 1, "item_id": items + 1, "rating": full[users, items]})


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_training_lowers_the_objective(optimizer: str) -> None:
    ratings = _toy_ratings()
    index = RatingIndex.from_ratings(ratings)
    config = ka.KernelConfig(hidden=(8, 8), dim=2, epochs=4, iterations=5, optimizer=optimizer,
                             learning_rate=1e-2, batch_size=8, lambda_2=1.0, lambda_s=0.01)
    trained = ka.train_kernel_autorec(ratings, index, config, validation=ratings.iloc[:20])
    objective = trained.history["objective"].to_numpy()
    assert len(objective) == 4 and objective[-1] < objective[0]
    assert trained.predicted.shape == (index.n_items, index.n_users)
    assert "val_rmse" in trained.history and trained.seconds > 0
    pred, unseen = trained.predict_pairs(pd.DataFrame({"user_id": [1, 999], "item_id": [1, 1]}), 3.0)
    assert unseen.tolist() == [False, True] and pred[1] == 3.0
    assert 0 <= trained.share_pruned() <= 1


@pytest.mark.slow
def test_lbfgs_beats_its_starting_point_on_the_toy_matrix() -> None:
    ratings = _toy_ratings(1)
    index = RatingIndex.from_ratings(ratings)
    config = ka.KernelConfig(hidden=(8,), dim=2, epochs=1, iterations=1, lambda_2=0.1, lambda_s=0.0)
    one = ka.train_kernel_autorec(ratings, index, config)
    many = ka.train_kernel_autorec(ratings, index, config.with_(epochs=6, iterations=10))
    assert many.history["objective"].iloc[-1] < 0.5 * one.history["objective"].iloc[-1]


def test_unknown_optimizer_is_refused() -> None:
    ratings = _toy_ratings()
    with pytest.raises(ValueError, match="optimizer"):
        ka.train_kernel_autorec(ratings, RatingIndex.from_ratings(ratings), ka.KernelConfig(optimizer="sgd"))


@pytest.mark.slow
def test_global_kernel_fine_tuning_runs_after_pre_training() -> None:
    ratings = _toy_ratings(2)
    index = RatingIndex.from_ratings(ratings)
    config = ka.KernelConfig(hidden=(8,), dim=2, epochs=2, iterations=3, finetune_epochs=2, lambda_2=0.1)
    trained = ka.train_kernel_autorec(ratings, index, config, validation=ratings.iloc[:10])
    assert trained.history["epoch"].tolist() == [1, 2, 3, 4] and trained.history["val_rmse"].notna().all()
    assert np.isfinite(trained.predicted).all() and trained.predicted.shape == (index.n_items, index.n_users)
