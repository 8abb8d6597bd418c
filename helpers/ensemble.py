"""Several rating models blended by weights fitted on a validation slice (stacking)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from helpers import autorec, evaluation, kernel_autorec
from helpers.ratings import RatingIndex

#: The members, in the order they are trained and reported.
MEMBERS = ("kernelised AE", "I-AutoRec", "U-AutoRec", "biased MF")
#: The biased MF that notebook 02 chose on the validation slice of u1.base (k factors, L2 weight).
MF_FACTORS, MF_REG = 20, 0.1


def member_predictions(
    train: pd.DataFrame, index: RatingIndex, pairs: pd.DataFrame, fallback: np.ndarray, *, seed: int = 0,
    kernel: kernel_autorec.TrainedKernelAutoRec | None = None,
    kernel_config: kernel_autorec.KernelConfig = kernel_autorec.BEST_KERNEL, autorec_epochs: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Train every member on `train` and predict `pairs`: (predictions, training seconds) by member.

    `kernel`: a kernelised autoencoder already trained on `train` (it is not trained again).
    Pairs a member cannot score (a user or item it never saw) get `fallback`.
    """
    predictions: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    if kernel is None:
        kernel = kernel_autorec.train_kernel_autorec(train, index, kernel_config, seed=seed)
    predictions["kernelised AE"], seconds["kernelised AE"] = kernel.predict_pairs(pairs, fallback)[0], kernel.seconds
    for name, config in (("I-AutoRec", autorec.BEST_ITEM), ("U-AutoRec", autorec.BEST_USER)):
        trained = autorec.train_autorec(train, index, config.with_epochs(autorec_epochs), seed=seed)
        predictions[name] = trained.predict_pairs(pairs, fallback)[0]
        seconds[name] = trained.fit.total_seconds if trained.fit is not None else 0.0
    start = time.perf_counter()
    mf = evaluation.BiasedMF(MF_FACTORS, MF_REG, seed=seed).fit(train)
    predictions["biased MF"] = np.where(mf.known(pairs), mf.predict(pairs), fallback)
    seconds["biased MF"] = time.perf_counter() - start
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
