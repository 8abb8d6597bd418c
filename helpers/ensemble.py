"""Several rating models blended by weights fitted on a validation slice (stacking), and the
choice of which models to blend, made on the same slice."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from helpers import autorec, evaluation, kernel_autorec, training
from helpers.ratings import RatingIndex

#: The biased MF that notebook 02 chose on the validation slice of u1.base (k factors, L2 weight).
MF_FACTORS, MF_REG = 20, 0.1


def _autorec(config: autorec.AutoRecConfig) -> Callable[..., Any]:
    def train(ratings: pd.DataFrame, index: RatingIndex, seed: int, kernel_config: Any, epochs: int | None) -> Any:
        return autorec.train_autorec(ratings, index, config.with_epochs(epochs), seed=seed)
    return train


def _kernel(by: str) -> Callable[..., Any]:
    def train(ratings: pd.DataFrame, index: RatingIndex, seed: int, kernel_config: Any, epochs: int | None) -> Any:
        return kernel_autorec.train_kernel_autorec(ratings, index, kernel_config.with_(by=by), seed=seed)
    return train


def _mf(ratings: pd.DataFrame, index: RatingIndex, seed: int, kernel_config: Any, epochs: int | None) -> Any:
    return evaluation.BiasedMF(MF_FACTORS, MF_REG, seed=seed).fit(ratings)


#: Every model a blend may use, each with the settings chosen for it on u1's validation slice
#: (notebooks 02, 05 and 08); how to train it on some ratings.
CANDIDATES: dict[str, Callable[..., Any]] = {
    "kernelised AE": _kernel("item"),
    "kernelised AE (users)": _kernel("user"),
    "I-AutoRec": _autorec(autorec.BEST_ITEM),
    "I-AutoRec (RMSprop)": _autorec(autorec.BEST_ITEM.with_(optimizer="rmsprop")),
    "I-AutoRec (1000 units)": _autorec(autorec.BEST_ITEM.with_(hidden=1000)),
    "U-AutoRec": _autorec(autorec.BEST_USER),
    "deep I-AutoRec": _autorec(autorec.VARIANTS["deep"]),
    "biased MF": _mf,
}
#: The members notebook 08 chose by `forward_select` on the validation slice of u1.base (seed 0).
MEMBERS = ("I-AutoRec (RMSprop)", "kernelised AE (users)", "kernelised AE", "biased MF")


def _predict(model: Any, pairs: pd.DataFrame, fallback: np.ndarray) -> np.ndarray:
    if isinstance(model, evaluation.BiasedMF):
        return np.where(model.known(pairs), model.predict(pairs), fallback)
    return model.predict_pairs(pairs, fallback)[0]


def _seconds(model: Any, measured: float) -> float:
    if isinstance(model, kernel_autorec.TrainedKernelAutoRec):
        return model.seconds
    fit = getattr(model, "fit", None)
    return fit.total_seconds if isinstance(fit, training.FitResult) else measured


def member_predictions(
    train: pd.DataFrame, index: RatingIndex, pairs: pd.DataFrame, fallback: np.ndarray, *,
    names: tuple[str, ...] | list[str] = MEMBERS, seed: int = 0, trained: dict[str, Any] | None = None,
    kernel_config: kernel_autorec.KernelConfig = kernel_autorec.BEST_KERNEL, autorec_epochs: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Train the models `names` on `train` and predict `pairs`: (predictions, training seconds) by name.

    `trained`: models already trained on `train`, by name, used instead of training them again.
    Pairs a model cannot score (a user or item it never saw) get `fallback`.
    """
    unknown = [name for name in names if name not in CANDIDATES]
    if unknown:
        raise ValueError(f"Unknown member(s) {unknown}; choose from {list(CANDIDATES)}.")
    trained = trained or {}
    predictions: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    for name in names:
        start = time.perf_counter()
        model = trained[name] if name in trained else CANDIDATES[name](train, index, seed, kernel_config, autorec_epochs)
        seconds[name] = _seconds(model, time.perf_counter() - start)
        predictions[name] = _predict(model, pairs, fallback)
    return predictions, seconds


def stack_weights(predictions: dict[str, np.ndarray], ratings: np.ndarray) -> dict[str, float]:
    """Least-squares weights (no intercept) that best rebuild `ratings` from the members' predictions.

    Fit them on a validation slice: on the training ratings every member looks better than it
    is (and the one that memorised most would get the most weight); on the test set they would
    be a choice made by looking at the answers.
    """
    if not predictions:
        raise ValueError("No member predictions to weigh.")
    ratings = np.asarray(ratings, dtype=np.float64)
    columns = np.column_stack([np.asarray(p, dtype=np.float64) for p in predictions.values()])
    if columns.shape[0] != len(ratings):
        raise ValueError(f"{columns.shape[0]} predictions per member but {len(ratings)} ratings: score the same pairs.")
    if not np.all(np.isfinite(columns)):
        bad = [name for name, p in predictions.items() if not np.all(np.isfinite(p))]
        raise ValueError(f"Member(s) {bad} gave non-finite predictions; fix or drop them before stacking.")
    weights, *_ = np.linalg.lstsq(columns, ratings, rcond=None)
    return dict(zip(predictions, weights.tolist()))


def blend(predictions: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Σ weight × prediction over the members named in `weights`."""
    missing = [name for name in weights if name not in predictions]
    if missing:
        raise ValueError(f"No predictions for member(s) {missing}; the weights were fitted with them.")
    return sum(w * np.asarray(predictions[name], dtype=np.float64) for name, w in weights.items())


def cross_validated_rmse(predictions: dict[str, np.ndarray], names: list[str], ratings: np.ndarray,
                         folds: int = 10, seed: int = 0) -> float:
    """RMSE of the stacked blend of `names` on ratings its weights did not see: the slice is cut into
    `folds` parts and each part is predicted with weights fitted on the others."""
    ratings = np.asarray(ratings, dtype=np.float64)
    part = np.random.default_rng(seed).integers(0, folds, len(ratings))
    out = np.empty(len(ratings))
    for k in range(folds):
        held = part == k
        weights = stack_weights({n: predictions[n][~held] for n in names}, ratings[~held])
        out[held] = blend({n: predictions[n][held] for n in names}, weights)
    return evaluation.rmse(ratings, out)


def forward_select(predictions: dict[str, np.ndarray], ratings: np.ndarray, folds: int = 10,
                   seed: int = 0) -> pd.DataFrame:
    """Greedy forward selection of blend members: start empty, add the model that lowers the
    cross-validated RMSE most, until every model is in. One row per step; blend the members of the
    row with the lowest `cv_rmse` (more members always fit the slice better, not always new ratings)."""
    chosen: list[str] = []
    left = list(predictions)
    rows = []
    while left:
        scores = {name: cross_validated_rmse(predictions, chosen + [name], ratings, folds, seed) for name in left}
        best = min(scores, key=scores.__getitem__)
        chosen.append(best)
        left.remove(best)
        rows.append({"step": len(chosen), "added": best, "members": tuple(chosen), "cv_rmse": scores[best]})
    return pd.DataFrame(rows).set_index("step")
