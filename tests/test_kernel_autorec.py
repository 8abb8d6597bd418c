"""Notebook 08's Sparse FC and GLocal-K (helpers/kernel_autorec.py): the local and global kernels, GLocal-K's
objective pinned by hand, SciPy's L-BFGS-B on a flat vector, and training on a toy matrix (tiny shapes; the
training tests are slow)."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

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


def test_layer_penalty_is_glocal_ks_halved_l2() -> None:
    layer = _layer(2, 2, lambda_2=0.5, lambda_s=0.25)
    layer.w.assign(np.array([[1.0, 2.0], [0.0, -1.0]], np.float32))
    layer.u.assign(np.array([[0.0, 0.0], [1.0, 1.0]], np.float32))
    layer.v.assign(np.array([[0.0, 0.5], [0.0, 0.0]], np.float32))
    # tf.nn.l2_loss halves: 0.5 * 0.5 * (1 + 4 + 0 + 1) + 0.5 * 0.25 * (0.75^2 + 1^2)
    assert float(layer.penalty()) == pytest.approx(0.5 * 0.5 * 6 + 0.5 * 0.25 * (0.5625 + 1.0), rel=1e-6)


def _tiny_model() -> ka.GLocalK:
    """2 rows x 2 columns, one hidden unit, 1-d embeddings, every number set by hand."""
    config = ka.GLOCAL_K.with_(hidden=(1,), dim=1, lambda_2=2.0, lambda_s=4.0)
    model = ka.GLocalK(2, 2, config)
    first, out = model.local_layers
    first.w.assign([[0.0], [0.0]])  # so the hidden unit is sigmoid(b) = sigmoid(0) = 0.5 for every row
    first.b.assign([0.0])
    first.u.assign([[0.0], [0.5]])
    first.v.assign([[0.0]])  # K1 = [[1], [1 - 0.25]]
    out.w.assign([[2.0, 3.0]])
    out.b.assign([1.0, 3.0])
    out.u.assign([[0.0]])
    out.v.assign([[0.0], [2.0]])  # K2 = [[1, max(0, 1 - 4)]] = [[1, 0]]: the second connection is cut
    return model


def test_glocal_objective_pinned_on_a_hand_computed_example() -> None:
    model = _tiny_model()
    x = np.array([[4.0, 0.0], [0.0, 5.0]], np.float32)  # two ratings; 0 is "not rated"
    # every row is predicted 0.5 * (W2 * K2) + b2 = 0.5 * [2, 0] + [1, 3] = [2, 3]: errors 4 - 2 and 5 - 3
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), [[2.0, 3.0], [2.0, 3.0]], atol=1e-6)
    half_sse = 0.5 * (2.0 ** 2 + 2.0 ** 2)  # 4
    first = 0.5 * 2.0 * 0.0 + 0.5 * 4.0 * (1.0 + 0.75 ** 2)  # 3.125
    out = 0.5 * 2.0 * (2.0 ** 2 + 3.0 ** 2) + 0.5 * 4.0 * (1.0 + 0.0)  # 13 + 2
    objective = float(ka.glocal_objective(model, x))
    assert objective == pytest.approx(half_sse + first + out, rel=1e-6) and objective == pytest.approx(22.125)
    # the kit's per-rating figure, 2 J / n: the masked MSE (8 / 2 = 4) plus the penalties divided by n = 2
    assert ka.per_rating(objective, 2) == pytest.approx(4.0 + 2 * (first + out) / 2)


def test_penalty_has_no_kernel_term_without_the_kernel() -> None:
    layer = _layer(3, 2, lambda_2=0.1, lambda_s=5.0, use_kernel=False, activation=None)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    w = keras.ops.convert_to_numpy(layer.w)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x @ w + layer.b.numpy(), rtol=1e-5)
    assert float(layer.penalty()) == pytest.approx(0.5 * 0.1 * float(np.sum(w ** 2)), rel=1e-5)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="lambda_s"):
        ka.KernelDense(3, lambda_s=-1.0)
    with pytest.raises(ValueError, match="between 1 and this configuration's 90"):
        ka.GLOCAL_K.for_epochs(91)


def test_for_epochs_counts_pre_training_first() -> None:
    assert (ka.GLOCAL_K.for_epochs(12).pretrain_epochs, ka.GLOCAL_K.for_epochs(12).finetune_epochs) == (12, 0)
    assert (ka.GLOCAL_K.for_epochs(79).pretrain_epochs, ka.GLOCAL_K.for_epochs(79).finetune_epochs) == (30, 49)
    assert ka.SPARSE_FC.epochs == 30 and ka.GLOCAL_K.epochs == 90


@pytest.mark.parametrize("size", [3, 2])
def test_global_kernel_patches_give_the_convolution(size: int) -> None:
    rng = np.random.default_rng(0)
    ratings = (rng.integers(0, 6, (7, 5)) * (rng.random((7, 5)) < 0.5)).astype(np.float32)
    layer = ka.GlobalKernel(size, dot_scale=0.7)
    layer.build(ratings.shape)
    row_means = rng.normal(3, 1, 7).astype(np.float32)
    by_conv = keras.ops.convert_to_numpy(layer(ratings, row_means))
    by_patches = keras.ops.convert_to_numpy(layer(ratings, row_means, layer.patches(ratings)))
    np.testing.assert_allclose(by_patches, by_conv, atol=1e-5)
    assert by_conv.shape == ratings.shape and by_conv.min() >= 0  # ReLU
    if size == 3:  # one entry by hand: the 3 x 3 neighbourhood of (2, 2) times the kernel, summed, then ReLU
        k = keras.ops.convert_to_numpy(layer.kernel(row_means))[:, :, 0, 0]
        assert by_conv[2, 2] == pytest.approx(max(0.0, float(np.sum(ratings[1:4, 1:4] * k))), rel=1e-5, abs=1e-5)


def test_row_means_are_the_reconstructions_row_means() -> None:
    model = ka.GLocalK(6, 4, ka.GLOCAL_K.with_(hidden=(3, 2), init_scale=0.5))
    x = np.random.default_rng(1).integers(0, 6, (6, 4)).astype(np.float32)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.row_means(x)),
                               keras.ops.convert_to_numpy(keras.ops.mean(model.local(x), axis=1)), rtol=1e-5, atol=1e-6)
    assert keras.ops.convert_to_numpy(model(x, finetune=True)).shape == (6, 4)


def test_parameter_count_of_the_u1_model() -> None:
    model = ka.GLocalK(1650, 943)
    first = model.local_layers[0]
    assert first.count_params() == 943 * 500 + 500 + (943 + 500) * 5  # exercise 08.1's answer
    assert model.global_kernel.count_params() == 1650 * 9


def test_flat_objective_gives_value_and_gradient_for_scipy() -> None:
    a = tf.Variable([[1.0, 2.0]])
    b = tf.Variable([3.0])
    flat = ka.FlatObjective([a, b], lambda: tf.reduce_sum(a ** 2) + 2.0 * tf.reduce_sum(b ** 3))
    x = flat.get()
    assert x.dtype == np.float64 and x.tolist() == [1.0, 2.0, 3.0]
    value, grad = flat(np.array([1.0, -1.0, 2.0]))
    assert value == pytest.approx(1 + 1 + 16) and grad.dtype == np.float64
    np.testing.assert_allclose(grad, [2.0, -2.0, 24.0])
    assert b.numpy().tolist() == [2.0]  # the vector was written into the variables


def test_one_lbfgsb_epoch_is_a_fresh_scipy_call_of_maxiter_iterations() -> None:
    rng = np.random.default_rng(0)
    scales = tf.constant(rng.uniform(1.0, 10.0, 50).astype(np.float32))
    x = tf.Variable(rng.normal(size=50).astype(np.float32))
    flat = ka.FlatObjective([x], lambda: tf.reduce_sum(scales * (x - 1.0) ** 2))
    start = flat(flat.get())[0]
    result = ka.lbfgsb_epoch(flat, maxiter=5, maxcor=10)
    assert result.nit <= 5 and result.fun < 0.1 * start
    np.testing.assert_allclose(x.numpy(), result.x, rtol=1e-6)  # the variables hold SciPy's result
    for _ in range(10):
        result = ka.lbfgsb_epoch(flat)
    np.testing.assert_allclose(x.numpy(), np.ones(50), atol=1e-3)


def _toy_ratings(seed: int = 0) -> pd.DataFrame:
    """A 30-user x 20-item low-rank rating matrix, 40% observed."""
    rng = np.random.default_rng(seed)
    full = np.clip(np.rint(3 + rng.normal(size=(30, 2)) @ rng.normal(size=(2, 20))), 1, 5)
    users, items = np.nonzero(rng.random((30, 20)) < 0.4)
    return pd.DataFrame({"user_id": users + 1, "item_id": items + 1, "rating": full[users, items]})


def _toy_config(**changes: object) -> ka.GLocalKConfig:
    return ka.GLOCAL_K.with_(hidden=(8, 8), dim=2, lambda_2=1.0, lambda_s=0.01, pretrain_epochs=3,
                             finetune_epochs=2, iterations=3).with_(**changes)


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_both_stages_lower_the_objective_and_record_validation(optimizer: str) -> None:
    ratings = _toy_ratings()
    index = RatingIndex.from_ratings(ratings)
    trained = ka.train_glocal_k(ratings, index, _toy_config(optimizer=optimizer, learning_rate=1e-2),
                                validation=ratings.iloc[:20])
    history = trained.history
    assert history["epoch"].tolist() == [1, 2, 3, 4, 5]
    assert history["stage"].tolist() == ["pre-training"] * 3 + ["fine-tuning"] * 2
    assert history["objective"].iloc[-1] < history["objective"].iloc[0] and history["val_rmse"].notna().all()
    assert trained.predicted.shape == (index.n_items, index.n_users) and np.isfinite(trained.predicted).all()
    assert 1 <= trained.best_epoch() <= 5 and trained.best_valid_predictions is not None
    pred, unseen = trained.predict_pairs(pd.DataFrame({"user_id": [1, 999], "item_id": [1, 1]}), 3.0)
    assert unseen.tolist() == [False, True] and pred[1] == 3.0
    assert 0 <= trained.share_pruned() <= 1 and trained.seconds > 0
    if optimizer == "lbfgs":
        assert (history["iterations"] <= 3).all()  # maxiter per epoch


@pytest.mark.slow
def test_select_and_refit_trains_the_chosen_epochs_on_everything() -> None:
    from helpers.evaluation import Split
    from tools.benchmark import select_and_refit

    ratings = _toy_ratings(2)
    chosen = select_and_refit(Split.of("toy", ratings, ratings.iloc[:0], valid_fraction=0.2), _toy_config())
    assert chosen.epochs == chosen.selection.best_epoch() and len(chosen.final.history) == chosen.epochs
    assert chosen.final.n_ratings == len(ratings) and chosen.selection.n_ratings < len(ratings)
    assert len(chosen.valid_predictions) == round(0.2 * len(ratings))


def test_unknown_optimizer_is_refused() -> None:
    ratings = _toy_ratings()
    with pytest.raises(ValueError, match="optimizer"):
        ka.train_glocal_k(ratings, RatingIndex.from_ratings(ratings), ka.GLOCAL_K.with_(optimizer="sgd"))
