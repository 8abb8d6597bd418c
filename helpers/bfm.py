# Generated from notebooks/08_beyond_autorec.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['FEATURE_SETS', 'LIKELIHOODS', 'BayesianFM']

# %% ../notebooks/08_beyond_autorec.ipynb
import contextlib
import io
import time

import myfm
import numpy as np
import pandas as pd
import scipy.sparse as sps

#: What a rating's row holds besides its user's and its item's one-hot ids (Rendle et al., 2019).
FEATURE_SETS = {
    "MF": (),  # the user's and the item's ids alone: biased MF
    "SVD++": ("items the user rated",),  # implicit feedback: which items, not how they were rated
    "timeSVD++ flipped": ("items the user rated", "users who rated the item", "day"),
}

#: How a rating arises from the FM's score: plus Gaussian noise (regression), or the score plus noise
#: cut at thresholds sampled with the rest (ordered probit: which star, not how many).
LIKELIHOODS = {"gaussian": myfm.MyFMRegressor, "ordered probit": myfm.MyFMOrderedProbit}


def _codes(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Position of each value in the sorted array `known`; len(known) for a value not in it."""
    at = np.searchsorted(known, values).clip(0, len(known) - 1)
    return np.where(known[at] == values, at, len(known))


def _one_hot(values: np.ndarray, known: np.ndarray) -> sps.csr_matrix:
    """One-hot rows over `known`; a value the base file never saw gets an empty row."""
    codes = _codes(values, known)
    seen = codes < len(known)
    return sps.csr_matrix((np.ones(seen.sum()), (np.flatnonzero(seen), codes[seen])),
                          shape=(len(values), len(known)))


def _scaled(rated: sps.csr_matrix) -> sps.csr_matrix:
    """Each row divided by the root of its count (SVD++'s 1/sqrt(n)), and an empty row for unseen ids."""
    norm = 1 / np.sqrt(np.maximum(np.asarray(rated.sum(axis=1)).ravel(), 1))
    return sps.vstack([sps.diags(norm) @ rated, sps.csr_matrix((1, rated.shape[1]))], format="csr")

# %% ../notebooks/08_beyond_autorec.ipynb
class BayesianFM:
    """A factorization machine of rank `rank`, sampled by Gibbs sampling (myfm); features from the base file."""

    def __init__(self, features: str = "timeSVD++ flipped", rank: int = 10, samples: int = 512, seed: int = 0,
                 likelihood: str = "gaussian"):
        if features not in FEATURE_SETS:
            raise ValueError(f"features={features!r}: choose one of {list(FEATURE_SETS)}.")
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood={likelihood!r}: choose one of {list(LIKELIHOODS)}.")
        self.features, self.rank, self.samples, self.seed = features, rank, samples, seed
        self.extra, self.likelihood = FEATURE_SETS[features], likelihood

    def _design(self, pairs: pd.DataFrame) -> tuple:
        """The day as one-hot columns (or None), and a relation block for the users and one for the items."""
        blocks = []
        for key, known, implicit, what in (
                ("user_id", self.users, self.by_user, "items the user rated"),
                ("item_id", self.items, self.by_item, "users who rated the item")):
            ids, where = np.unique(pairs[key].to_numpy(), return_inverse=True)
            parts = [_one_hot(ids, known)] + ([implicit[_codes(ids, known)]] if what in self.extra else [])
            blocks.append(myfm.RelationBlock(where, sps.hstack(parts, format="csr")))
        day = _one_hot(pairs["timestamp"].to_numpy() // 86_400, self.days) if "day" in self.extra else None
        return day, blocks

    def fit(self, ratings: pd.DataFrame) -> "BayesianFM":
        """Sample the posterior given `ratings` (a base file); the implicit features come from it too."""
        start = time.perf_counter()
        self.users, self.items = np.unique(ratings["user_id"]), np.unique(ratings["item_id"])
        self.days = np.unique(ratings["timestamp"].to_numpy() // 86_400)
        u, i = _codes(ratings["user_id"].to_numpy(), self.users), _codes(ratings["item_id"].to_numpy(), self.items)
        rated = sps.csr_matrix((np.ones(len(u)), (u, i)), shape=(len(self.users), len(self.items)))
        self.by_user, self.by_item = _scaled(rated), _scaled(rated.T.tocsr())
        day, blocks = self._design(ratings)
        groups = [len(self.days)] * ("day" in self.extra) + [len(self.users)] \
            + [len(self.items)] * ("items the user rated" in self.extra) + [len(self.items)] \
            + [len(self.users)] * ("users who rated the item" in self.extra)  # one prior per group
        grouping = [g for g, size in enumerate(groups) for _ in range(size)]
        target = ratings["rating"].to_numpy(dtype=np.float64)
        if self.likelihood == "ordered probit":  # the stars as ordered classes 0, 1, ...
            self.stars = np.unique(target)
            if not np.allclose(self.stars, np.arange(self.stars[0], self.stars[0] + len(self.stars))):
                raise ValueError(f"ordered probit needs whole, consecutive stars; the ratings hold {self.stars}.")
            target = (target - self.stars[0]).astype(np.int64)
            day = sps.csr_matrix((len(ratings), 0)) if day is None else day
        self.fm = LIKELIHOODS[self.likelihood](rank=self.rank, random_seed=self.seed)
        with contextlib.redirect_stderr(io.StringIO()):  # myfm draws a progress bar on stderr
            self.fm.fit(day, target, X_rel=blocks, grouping=grouping, n_iter=self.samples,
                        n_kept_samples=self.samples)
        self.seconds = time.perf_counter() - start
        return self

    def predict_pairs(self, pairs: pd.DataFrame, fallback: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """The mean prediction over the samples for (user_id, item_id) pairs, and which pairs hold a user or
        an item the base file never saw: those get `fallback`, as with every other model here."""
        unseen = (_codes(pairs["user_id"].to_numpy(), self.users) == len(self.users)) | (
            _codes(pairs["item_id"].to_numpy(), self.items) == len(self.items))
        day, blocks = self._design(pairs)
        if self.likelihood == "gaussian":
            return np.where(unseen, fallback, self.fm.predict(day, blocks)), unseen
        day = sps.csr_matrix((len(pairs), 0)) if day is None else day
        expected = self.fm.predict_proba(day, blocks) @ self.stars  # the mean of each pair's star distribution
        return np.where(unseen, fallback, expected), unseen
