"""Notebook 08's Bayesian factorization machine (helpers.bfm, myfm's Gibbs sampler): the feature rows
it builds from a base file, its grouping, predictions for pairs it never saw, and a seeded run repeating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sps

from helpers import bfm


def _ratings(seed: int = 0, users: int = 30, items: int = 20) -> pd.DataFrame:
    """A low-rank rating matrix, 40% observed, over 10 days."""
    rng = np.random.default_rng(seed)
    full = np.clip(np.rint(3 + rng.normal(size=(users, 2)) @ rng.normal(size=(2, items))), 1, 5)
    u, i = np.nonzero(rng.random((users, items)) < 0.4)
    return pd.DataFrame({"user_id": u + 1, "item_id": i + 1, "rating": full[u, i],
                         "timestamp": 880_000_000 + rng.integers(0, 10, len(u)) * 86_400})


def test_the_feature_rows_are_built_from_the_base_file_only() -> None:
    base = _ratings()
    fm = bfm.BayesianFM("timeSVD++ flipped", samples=4).fit(base)
    pairs = pd.DataFrame({"user_id": [1, 999], "item_id": [1, 1], "timestamp": [880_000_000, 990_000_000]})
    day, (users, items) = fm._design(pairs)
    assert day.shape == (2, len(fm.days)) and day[1].nnz == 0  # a day the base file never saw: no day feature
    row = users.data[users.original_to_block[0]].toarray().ravel()  # user 1: its id, then 1/sqrt(n) on its n items
    n = (base["user_id"] == 1).sum()
    assert row[: len(fm.users)].sum() == 1 and np.isclose(np.sum(row[len(fm.users):] ** 2), 1.0)
    assert np.allclose(row[len(fm.users):][row[len(fm.users):] > 0], 1 / np.sqrt(n))
    assert users.data[users.original_to_block[1]].nnz == 0  # user 999: no id, no items
    assert items.data.shape[1] == len(fm.items) + len(fm.users)  # the flipped side: the users who rated the item
    mf = bfm.BayesianFM("MF", samples=4).fit(base)
    day, (users, items) = mf._design(pairs)
    assert day is None and users.data.shape[1] == len(mf.users) and items.data.shape[1] == len(mf.items)


def test_predictions_unseen_pairs_and_a_seeded_repeat() -> None:
    base, pairs = _ratings(0), _ratings(1).head(40)
    pairs.loc[pairs.index[0], "user_id"] = 999
    a, unseen = bfm.BayesianFM(samples=16, seed=3).fit(base).predict_pairs(pairs, fallback=3.25)
    b, _ = bfm.BayesianFM(samples=16, seed=3).fit(base).predict_pairs(pairs, fallback=3.25)
    assert unseen.tolist() == [True] + [False] * 39 and a[0] == 3.25
    assert np.isfinite(a).all() and 0 < a[1:].min() and a[1:].max() < 6
    np.testing.assert_allclose(a, b)  # myfm's sampler is seeded
    with pytest.raises(ValueError, match="features="):
        bfm.BayesianFM("timeSVD")


@pytest.mark.slow
def test_richer_features_fit_the_base_file_better() -> None:
    """On the ratings it was given, SVD++'s implicit feedback adds information to MF's ids (a sanity check
    of the feature rows, not a claim about held-out ratings)."""
    base = _ratings(0, users=60, items=40)
    fitted = {f: bfm.BayesianFM(f, samples=64, seed=0).fit(base) for f in ("MF", "timeSVD++ flipped")}
    rmse = {f: float(np.sqrt(np.mean((m.predict_pairs(base, 3.0)[0] - base["rating"]) ** 2)))
            for f, m in fitted.items()}
    assert rmse["timeSVD++ flipped"] < rmse["MF"]


@pytest.mark.parametrize("features", ["MF", "timeSVD++ flipped"])
def test_ordered_probit_predicts_the_mean_star(features: str) -> None:
    """The ordered-probit FM reads the stars as ordered classes: its prediction is the mean of each pair's
    star distribution, so it lies within the stars the base file holds; stars that are not whole are an error."""
    base, pairs = _ratings(0), _ratings(1).head(40)
    fm = bfm.BayesianFM(features, samples=16, seed=1, likelihood="ordered probit").fit(base)
    pred, unseen = fm.predict_pairs(pairs, fallback=3.0)
    stars = np.unique(base["rating"])
    assert not unseen.any() and stars.min() <= pred.min() and pred.max() <= stars.max()
    day, blocks = fm._design(pairs)
    proba = fm.fm.predict_proba(sps.csr_matrix((len(pairs), 0)) if day is None else day, blocks)
    np.testing.assert_allclose(pred, proba @ stars)
    half = base.assign(rating=base["rating"] + 0.5 * (base.index % 2))
    with pytest.raises(ValueError, match="whole, consecutive stars"):
        bfm.BayesianFM(features, samples=4, likelihood="ordered probit").fit(half)
    with pytest.raises(ValueError, match="likelihood="):
        bfm.BayesianFM(likelihood="poisson")
