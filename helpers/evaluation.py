"""Rating accuracy (RMSE, MAE), baselines (global mean, user and item biases, biased matrix
factorisation) and ranking quality (Recall@K, NDCG@K) on held-out ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import ndcg_score

from helpers import datasets
from helpers.ratings import VALID_FRACTION, RatingIndex, carve_validation

RATING_SCALE = (1.0, 5.0)


def rmse(y_true: np.ndarray, y_pred: np.ndarray, clip: tuple[float, float] | None = RATING_SCALE) -> float:
    """Root mean squared error, predictions clipped to the rating scale first."""
    y_true, y_pred = _check(y_true, y_pred, clip)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray, clip: tuple[float, float] | None = RATING_SCALE) -> float:
    """Mean absolute error, predictions clipped to the rating scale first."""
    y_true, y_pred = _check(y_true, y_pred, clip)
    return float(np.mean(np.abs(y_true - y_pred)))


def _check(y_true: np.ndarray, y_pred: np.ndarray, clip: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.float64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{y_true.size} true ratings but {y_pred.size} predictions; they must pair up.")
    if y_true.size == 0:
        raise ValueError("No ratings to score: the held-out set is empty.")
    if not np.isfinite(y_pred).all():
        raise ValueError("Some predictions are NaN or infinite; the model diverged or was fed NaN.")
    if clip is not None:
        y_pred = np.clip(y_pred, *clip)
    return y_true, y_pred


@dataclass
class Scores:
    """RMSE and MAE on held-out ratings, and how many needed the fallback prediction."""

    rmse: float
    mae: float
    n: int
    n_fallback: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores as a plain dict (for tables and JSON)."""
        return {"rmse": self.rmse, "mae": self.mae, "n": self.n, "n_fallback": self.n_fallback}


def predict_from_matrix(
    predicted: np.ndarray, index: RatingIndex, pairs: pd.DataFrame, by: str = "item",
    fallback: np.ndarray | float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Look up predictions for (user_id, item_id) pairs in a reconstructed matrix.

    Users or items the index does not know (unseen in training) get `fallback` (a number
    or one value per pair); returns `(predictions, used_fallback_mask)`.
    """
    u, i = index.users(pairs["user_id"]), index.items(pairs["item_id"])
    unseen = (u < 0) | (i < 0)
    out = np.empty(len(pairs), dtype=np.float64)
    ok = ~unseen
    if by == "item":
        out[ok] = predicted[i[ok], u[ok]]
    elif by == "user":
        out[ok] = predicted[u[ok], i[ok]]
    else:
        raise ValueError(f"by={by!r}: use 'item' or 'user', as when the matrix was built.")
    if unseen.any():
        if fallback is None:
            raise ValueError(f"{int(unseen.sum())} pairs have a user or item unseen in training; pass a fallback.")
        fb = np.broadcast_to(np.asarray(fallback, dtype=np.float64), (len(pairs),))
        out[unseen] = fb[unseen]
    return out, unseen


def score(test: pd.DataFrame, predictions: np.ndarray, used_fallback: np.ndarray | None = None,
          clip: tuple[float, float] | None = RATING_SCALE) -> Scores:
    """RMSE/MAE of `predictions` against `test.rating` (clipped to the scale)."""
    truth = test["rating"].to_numpy(dtype=np.float64)
    n_fb = int(np.sum(used_fallback)) if used_fallback is not None else 0
    return Scores(rmse(truth, predictions, clip), mae(truth, predictions, clip), len(truth), n_fb)


class GlobalMean:
    """Predicts the mean training rating for everything."""

    def fit(self, train: pd.DataFrame) -> GlobalMean:
        """Learn the global mean."""
        self.mu = float(train["rating"].mean())
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """The global mean for every pair."""
        return np.full(len(pairs), self.mu)


class BiasBaseline:
    """mu + b_user + b_item, fitted by regularised alternating averages (Koren, 2008).

    Unseen users or items get a bias of 0, so the prediction falls back gracefully.
    """

    def __init__(self, reg_user: float = 15.0, reg_item: float = 10.0, n_iter: int = 10) -> None:
        self.reg_user, self.reg_item, self.n_iter = reg_user, reg_item, n_iter

    def fit(self, train: pd.DataFrame) -> BiasBaseline:
        """Learn mu and the user and item biases."""
        self.mu = float(train["rating"].mean())
        users, u = np.unique(train["user_id"].to_numpy(), return_inverse=True)
        items, i = np.unique(train["item_id"].to_numpy(), return_inverse=True)
        r = train["rating"].to_numpy(dtype=np.float64) - self.mu
        bu, bi = np.zeros(len(users)), np.zeros(len(items))
        nu, ni = np.bincount(u, minlength=len(users)), np.bincount(i, minlength=len(items))
        for _ in range(self.n_iter):
            bi = np.bincount(i, weights=r - bu[u], minlength=len(items)) / (self.reg_item + ni)
            bu = np.bincount(u, weights=r - bi[i], minlength=len(users)) / (self.reg_user + nu)
        self.user_bias = dict(zip(users.tolist(), bu.tolist()))
        self.item_bias = dict(zip(items.tolist(), bi.tolist()))
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """mu + b_u + b_i for each (user_id, item_id) pair."""
        bu = np.array([self.user_bias.get(int(x), 0.0) for x in pairs["user_id"]])
        bi = np.array([self.item_bias.get(int(x), 0.0) for x in pairs["item_id"]])
        return self.mu + bu + bi

    def score_matrix(self, user_ids: np.ndarray, item_ids: np.ndarray) -> np.ndarray:
        """mu + b_u + b_i for every user (rows) and item (columns): the ranking scores of the baseline."""
        bu = np.array([self.user_bias.get(int(x), 0.0) for x in user_ids])
        bi = np.array([self.item_bias.get(int(x), 0.0) for x in item_ids])
        return self.mu + bu[:, None] + bi[None, :]


class BiasedMF:
    """Biased matrix factorisation, r_ui ~ mu + b_u + b_i + p_u . q_i, fitted by alternating least squares.

    Each half-step solves a small ridge regression per user (for p_u, b_u) or per item (for q_i,
    b_i) with the other side fixed; the penalty is `reg` times the number of the user's or item's
    ratings (weighted-lambda ALS, Zhou et al., 2008). Unseen users or items get zero factors and
    biases, so the prediction falls back to mu plus the known bias.
    """

    def __init__(self, factors: int = 20, reg: float = 0.1, n_iter: int = 15, seed: int = 0) -> None:
        if not (isinstance(factors, int) and factors >= 1):
            raise ValueError(f"factors={factors!r}: the number of latent factors must be a whole number >= 1.")
        if reg <= 0:
            raise ValueError(f"reg={reg!r}: the L2 weight must be positive (ALS needs it to solve every system).")
        self.factors, self.reg, self.n_iter, self.seed = factors, reg, n_iter, seed

    @staticmethod
    def _solve(rows: np.ndarray, cols: np.ndarray, target: np.ndarray, other: np.ndarray, n_rows: int,
               reg: float) -> np.ndarray:
        """For every row r: argmin_x sum (target - [other_c, 1] . x)^2 + reg * n_r * |x|^2, x = [factors, bias].

        Each row's normal equations are built from its own ratings, then all rows are solved in one batch.
        """
        features = np.hstack([other, np.ones((len(other), 1))])
        d = features.shape[1]
        order = np.argsort(rows, kind="stable")
        bounds = np.searchsorted(rows[order], np.arange(n_rows + 1))
        gram = np.zeros((n_rows, d, d))
        rhs = np.zeros((n_rows, d))
        for r in range(n_rows):
            sel = order[bounds[r]:bounds[r + 1]]
            f = features[cols[sel]]
            gram[r] = f.T @ f
            rhs[r] = f.T @ target[sel]
        counts = np.diff(bounds)
        gram += (reg * np.maximum(counts, 1))[:, None, None] * np.eye(d)
        return np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]

    def fit(self, train: pd.DataFrame) -> BiasedMF:
        """Learn mu, the biases and the factors of every user and item in `train`."""
        self.mu = float(train["rating"].mean())
        self.users, u = np.unique(train["user_id"].to_numpy(), return_inverse=True)
        self.items, i = np.unique(train["item_id"].to_numpy(), return_inverse=True)
        r = train["rating"].to_numpy(dtype=np.float64) - self.mu
        rng = np.random.default_rng(self.seed)
        self.q = rng.normal(0.0, 0.1, (len(self.items), self.factors))
        self.item_bias = np.zeros(len(self.items))
        for _ in range(self.n_iter):
            x = self._solve(u, i, r - self.item_bias[i], self.q, len(self.users), self.reg)
            self.p, self.user_bias = x[:, :-1], x[:, -1]
            x = self._solve(i, u, r - self.user_bias[u], self.p, len(self.items), self.reg)
            self.q, self.item_bias = x[:, :-1], x[:, -1]
        return self

    def known(self, pairs: pd.DataFrame) -> np.ndarray:
        """True for the pairs whose user and item both appear in the training ratings."""
        return np.isin(pairs["user_id"].to_numpy(), self.users) & np.isin(pairs["item_id"].to_numpy(), self.items)

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """mu + b_u + b_i + p_u . q_i for each (user_id, item_id) pair (0 for an unseen side's terms)."""
        def lookup(known: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            pos = np.clip(np.searchsorted(known, raw), 0, len(known) - 1)
            return pos, known[pos] == raw

        pu, ok_u = lookup(self.users, pairs["user_id"].to_numpy())
        qi, ok_i = lookup(self.items, pairs["item_id"].to_numpy())
        bu, bi = np.where(ok_u, self.user_bias[pu], 0.0), np.where(ok_i, self.item_bias[qi], 0.0)
        dot = np.where(ok_u & ok_i, np.einsum("nk,nk->n", self.p[pu], self.q[qi]), 0.0)
        return self.mu + bu + bi + dot


def recall_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """Share of the relevant items that appear in the first k of `ranked`."""
    if not relevant:
        raise ValueError("Recall is undefined for a user with no relevant items.")
    return len(set(np.asarray(ranked)[:k].tolist()) & relevant) / len(relevant)


def ndcg_at_k(ranked: np.ndarray, relevant: set[int], k: int) -> float:
    """Binary-relevance NDCG of the first k of `ranked` (1.0 = all relevant on top), by `sklearn.metrics.ndcg_score`."""
    if not relevant:
        raise ValueError("NDCG is undefined for a user with no relevant items.")
    top = np.asarray(ranked)[:k].tolist()
    # One row for ndcg_score: the top k in order, padded with irrelevant slots to k + 1 (it needs
    # two or more), then the relevant items missing from the top k, which count only in the ideal.
    gains = [x in relevant for x in top] + [False] * (k + 1 - len(top)) + [True] * len(relevant - set(top))
    return float(ndcg_score([gains], [np.arange(len(gains), 0, -1)], k=k))


def ranking_metrics(
    scores: np.ndarray, index: RatingIndex, train: pd.DataFrame, test: pd.DataFrame,
    k: int = 10, threshold: float = 4.0,
) -> dict[str, float]:
    """Mean Recall@k and NDCG@k over test users, ranking items each user has not rated in training.

    `scores` is a users x items matrix in the index's order. An item is relevant when its
    held-out rating is >= `threshold`; users with no relevant held-out item are skipped.
    """
    if scores.shape != (index.n_users, index.n_items):
        raise ValueError(f"scores has shape {scores.shape}; expected users x items {(index.n_users, index.n_items)}.")
    masked = scores.astype(np.float64, copy=True)
    tu, ti = index.users(train["user_id"]), index.items(train["item_id"])
    keep = (tu >= 0) & (ti >= 0)
    masked[tu[keep], ti[keep]] = -np.inf  # never recommend what the user already rated
    rel = test[test["rating"] >= threshold]
    ru, ri = index.users(rel["user_id"]), index.items(rel["item_id"])
    keep = (ru >= 0) & (ri >= 0)
    relevant: dict[int, set[int]] = {}
    for user, item in zip(ru[keep].tolist(), ri[keep].tolist()):
        relevant.setdefault(user, set()).add(item)
    if not relevant:
        raise ValueError(f"No held-out rating reaches {threshold}; nothing to rank against.")
    recalls, ndcgs = [], []
    for user, items in relevant.items():
        top = np.argpartition(-masked[user], k)[:k]
        top = top[np.argsort(-masked[user][top], kind="stable")]
        recalls.append(recall_at_k(top, items, k))
        ndcgs.append(ndcg_at_k(top, items, k))
    return {f"recall@{k}": float(np.mean(recalls)), f"ndcg@{k}": float(np.mean(ndcgs)), "users": len(relevant)}


@dataclass(frozen=True)
class Split:
    """One rating split, built once: the base file (`train`) and its id index, the test file and the
    bias baseline's predictions for it (`fallback`, for pairs a model never saw in `train`), and the
    validation slice carved from the base file (`valid`, where every choice is made) with the rest
    (`fit`), its index and its own fallback (the baseline fitted on `fit`)."""

    name: str
    train: pd.DataFrame
    test: pd.DataFrame
    index: RatingIndex
    fallback: np.ndarray
    fit: pd.DataFrame
    valid: pd.DataFrame
    fit_index: RatingIndex
    valid_fallback: np.ndarray
    seed: int
    valid_fraction: float

    @classmethod
    def of(cls, name: str, train: pd.DataFrame, test: pd.DataFrame, seed: int = 0,
           valid_fraction: float = VALID_FRACTION) -> Split:
        """The split of `train` and `test`, its validation slice a seeded `valid_fraction` of `train`."""
        fit, valid = carve_validation(train, valid_fraction, seed=seed)
        return cls(name, train, test, RatingIndex.from_ratings(train), BiasBaseline().fit(train).predict(test),
                   fit, valid, RatingIndex.from_ratings(fit), BiasBaseline().fit(fit).predict(valid), seed,
                   valid_fraction)


def load_split(name: str = "u1", *, seed: int = 0, max_item_id: int | None = None,
               valid_fraction: float = VALID_FRACTION) -> Split:
    """MovieLens 100K's split `name` (u1..u5, ua, ub) as a `Split`; `max_item_id` keeps only the items up
    to that id (smoke mode)."""
    train, test = datasets.load_movielens("ml-100k", name)
    if max_item_id is not None:
        train, test = train[train["item_id"] <= max_item_id], test[test["item_id"] <= max_item_id]
    return Split.of(name, train, test, seed, valid_fraction)
