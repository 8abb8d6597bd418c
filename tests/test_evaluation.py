"""RMSE/MAE, baselines and ranking metrics against hand computations and real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import datasets, evaluation
from helpers.ratings import RatingIndex


def test_rmse_mae_with_clipping() -> None:
    truth = np.array([1.0, 5.0, 3.0])
    pred = np.array([0.0, 6.0, 4.0])  # clipped to 1, 5, 4
    assert evaluation.rmse(truth, pred) == pytest.approx(np.sqrt(1 / 3))
    assert evaluation.mae(truth, pred) == pytest.approx(1 / 3)
    assert evaluation.rmse(truth, pred, clip=None) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="pair up"):
        evaluation.rmse(truth, pred[:2])
    with pytest.raises(ValueError, match="NaN"):
        evaluation.rmse(truth, np.array([1.0, np.nan, 2.0]))


def test_predict_from_matrix_handles_unseen() -> None:
    train = pd.DataFrame({"user_id": [1, 2], "item_id": [10, 20], "rating": [4.0, 2.0]})
    index = RatingIndex.from_ratings(train)
    predicted = np.array([[4.1, 3.0], [2.5, 1.9]])  # items x users
    pairs = pd.DataFrame({"user_id": [1, 2, 3], "item_id": [20, 10, 10], "rating": [3.0, 3.0, 5.0]})
    pred, unseen = evaluation.predict_from_matrix(predicted, index, pairs, fallback=3.5)
    np.testing.assert_allclose(pred, [2.5, 3.0, 3.5])
    assert unseen.tolist() == [False, False, True]
    scores = evaluation.score(pairs, pred, unseen)
    assert scores.n == 3 and scores.n_fallback == 1
    with pytest.raises(ValueError, match="pass a fallback"):
        evaluation.predict_from_matrix(predicted, index, pairs)


def test_baselines_on_u1(offline_data: Path) -> None:
    train, test = datasets.load_movielens("ml-100k", "u1")
    mean = evaluation.GlobalMean().fit(train)
    mean_scores = evaluation.score(test, mean.predict(test))
    bias = evaluation.BiasBaseline().fit(train)
    bias_scores = evaluation.score(test, bias.predict(test))
    # Known figures for u1: global mean about 1.15-1.16, biases about 0.94-0.96.
    assert 1.13 < mean_scores.rmse < 1.18
    assert 0.92 < bias_scores.rmse < 0.97
    assert bias_scores.mae < mean_scores.mae


def test_bias_score_matrix_matches_predict() -> None:
    train = pd.DataFrame({"user_id": [1, 1, 2, 3], "item_id": [10, 20, 10, 30], "rating": [5.0, 3.0, 4.0, 1.0]})
    bias = evaluation.BiasBaseline().fit(train)
    users, items = np.array([1, 2, 3, 99]), np.array([10, 20, 30, 77])  # 99 and 77 were never seen
    matrix = bias.score_matrix(users, items)
    assert matrix.shape == (4, 4)
    pairs = pd.DataFrame({"user_id": np.repeat(users, 4), "item_id": np.tile(items, 4)})
    np.testing.assert_allclose(matrix.ravel(), bias.predict(pairs))
    assert matrix[3, 3] == pytest.approx(bias.mu)  # unseen user and item: the global mean


def test_recall_and_ndcg_by_hand() -> None:
    ranked = np.array([3, 1, 7, 5])
    assert evaluation.recall_at_k(ranked, {1, 5, 9}, k=2) == pytest.approx(1 / 3)
    dcg = 1 / np.log2(3)
    idcg = 1 + 1 / np.log2(3)
    assert evaluation.ndcg_at_k(ranked, {1, 5, 9}, k=2) == pytest.approx(dcg / idcg)
    assert evaluation.ndcg_at_k(ranked, {3}, k=4) == pytest.approx(1.0)
    assert evaluation.ndcg_at_k(ranked, {3}, k=1) == pytest.approx(1.0)
    assert evaluation.ndcg_at_k(ranked, {9}, k=4) == 0.0  # the one relevant item is not in the list
    # 1 and 5 at ranks 2 and 4 of k=4; ideal: three relevant items at ranks 1..3
    dcg4 = 1 / np.log2(3) + 1 / np.log2(5)
    assert evaluation.ndcg_at_k(ranked, {1, 5, 9}, k=4) == pytest.approx(dcg4 / (1 + 1 / np.log2(3) + 1 / np.log2(4)))
    # a list shorter than k: the ideal still has min(k, relevant) items on top
    assert evaluation.ndcg_at_k(ranked[:2], {1, 5}, k=5) == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    with pytest.raises(ValueError):
        evaluation.ndcg_at_k(ranked, set(), 2)
    with pytest.raises(ValueError):
        evaluation.recall_at_k(ranked, set(), 2)


def test_ranking_metrics_excludes_seen_items() -> None:
    train = pd.DataFrame({"user_id": [1, 2], "item_id": [10, 20], "rating": [5.0, 5.0]})
    test = pd.DataFrame({"user_id": [1, 2, 2], "item_id": [20, 10, 30], "rating": [5.0, 4.0, 2.0]})
    index = RatingIndex.from_ratings(train, test)
    scores = np.array([[9.0, 1.0, 0.5], [1.0, 9.0, 8.0]])  # user 1 loves item 10 (seen: excluded)
    out = evaluation.ranking_metrics(scores, index, train, test, k=1)
    assert out["users"] == 2
    assert out["recall@1"] == pytest.approx(0.5)  # user 1 hits item 20; user 2 gets 30 (not relevant)
    with pytest.raises(ValueError, match="shape"):
        evaluation.ranking_metrics(scores.T, index, train, test)


def test_biased_mf_recovers_low_rank_ratings() -> None:
    rng = np.random.default_rng(0)
    n_users, n_items, k = 60, 40, 3
    truth = 3.0 + rng.normal(0, 0.3, (n_users, 1)) + rng.normal(0, 0.3, (1, n_items)) \
        + rng.normal(0, 0.6, (n_users, k)) @ rng.normal(0, 0.6, (k, n_items))
    users, items = np.meshgrid(np.arange(1, n_users + 1), np.arange(1, n_items + 1), indexing="ij")
    frame = pd.DataFrame({"user_id": users.ravel(), "item_id": items.ravel(), "rating": truth.ravel()})
    shown = rng.random(len(frame)) < 0.5
    train, held = frame[shown], frame[~shown]
    mf = evaluation.BiasedMF(factors=3, reg=0.01, n_iter=20).fit(train)
    biases = evaluation.BiasBaseline().fit(train)
    mf_rmse = evaluation.rmse(held["rating"], mf.predict(held), clip=None)
    assert mf_rmse < 0.2 < evaluation.rmse(held["rating"], biases.predict(held), clip=None)
    again = evaluation.BiasedMF(factors=3, reg=0.01, n_iter=20).fit(train)
    np.testing.assert_allclose(again.predict(held), mf.predict(held))  # same seed, same model


def test_biased_mf_unseen_pairs_and_arguments() -> None:
    train = pd.DataFrame({"user_id": [1, 1, 2, 2], "item_id": [10, 20, 10, 30], "rating": [5.0, 3.0, 4.0, 2.0]})
    mf = evaluation.BiasedMF(factors=2, reg=0.1, n_iter=5).fit(train)
    pairs = pd.DataFrame({"user_id": [1, 9, 9], "item_id": [99, 10, 99]})
    pred = mf.predict(pairs)
    assert pred[2] == pytest.approx(mf.mu)  # nothing known: the global mean
    assert pred[0] == pytest.approx(mf.mu + mf.user_bias[0])  # unseen item: the user's bias only
    assert mf.known(pairs).tolist() == [False, False, False]
    with pytest.raises(ValueError, match="factors"):
        evaluation.BiasedMF(factors=0)
    with pytest.raises(ValueError, match="reg"):
        evaluation.BiasedMF(reg=0.0)
