# Generated from notebooks/08_beyond_autorec.ipynb by `make sync` (nbdev's exporter): do not edit.
# Edit the cells marked `#| export` in the lesson, then run `make sync`.
# ruff: noqa: E501  (the lesson's lines, and nbdev's __all__ on one line)

# %% auto #0
__all__ = ['MF_FACTORS', 'MF_REG', 'AUTOREC_GRID', 'MF_GRID', 'GLOCAL', 'CANDIDATES', 'MemberSettings', 'member_predictions', 'stack_weights', 'blend', 'cross_validated_rmse', 'forward_select', 'Tuning', 'tune', 'StackedBlend', 'choose_and_refit']

# %% ../notebooks/08_beyond_autorec.ipynb
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from . import autorec, bfm, evaluation, kernel_autorec, training
from .ratings import RatingIndex

#: The biased MF notebook 03 trains (k factors, L2 weight); `tune` searches around it on a base file's own slice.
MF_FACTORS, MF_REG = 20, 0.1

#: What `tune` searches on a base file's own validation slice (notebook 03's grids): I-AutoRec's
#: λ and input dropout, which every AutoRec candidate then shares, and biased MF's size and L2 weight.
AUTOREC_GRID: tuple[tuple[float, float], ...] = tuple((lam, drop) for lam in (3e-4, 1e-3, 3e-3) for drop in (0.0, 0.5))
MF_GRID: tuple[tuple[int, float], ...] = tuple((k, reg) for k in (10, 20) for reg in (0.05, 0.1, 0.2))


@dataclass(frozen=True)
class MemberSettings:
    """The settings every candidate trains with: GLocal-K's configuration, AutoRec's epochs (None: its own),
    the λ and input dropout of every AutoRec candidate, and biased MF's factors and L2 weight."""

    glocal: kernel_autorec.GLocalKConfig = kernel_autorec.GLOCAL_K
    autorec_epochs: int | None = None
    autorec_lam: float = autorec.BEST_ITEM.lam
    autorec_dropout: float = autorec.BEST_ITEM.dropout
    mf_factors: int = MF_FACTORS
    mf_reg: float = MF_REG
    fm_samples: int = 512  # the Bayesian FM's Gibbs draws (section 7)

    def autorec_config(self, config: autorec.AutoRecConfig) -> autorec.AutoRecConfig:
        """`config` with these settings' epochs, λ and input dropout."""
        return config.with_epochs(self.autorec_epochs).with_(lam=self.autorec_lam, dropout=self.autorec_dropout)


def _autorec(config: autorec.AutoRecConfig) -> Callable[..., Any]:
    def train(ratings: pd.DataFrame, index: RatingIndex, seed: int, settings: MemberSettings) -> Any:
        return autorec.train_autorec(ratings, index, settings.autorec_config(config), seed=seed)
    train.config = config  # type: ignore[attr-defined]  # what it trains, before `settings` apply
    return train


def _glocal(ratings: pd.DataFrame, index: RatingIndex, seed: int, settings: MemberSettings) -> Any:
    return kernel_autorec.train_glocal_k(ratings, index, settings.glocal, seed=seed)


def _mf(ratings: pd.DataFrame, index: RatingIndex, seed: int, settings: MemberSettings) -> Any:
    return evaluation.BiasedMF(settings.mf_factors, settings.mf_reg, seed=seed).fit(ratings)


def _fm(features: str, **options: Any) -> Callable[..., Any]:
    def train(ratings: pd.DataFrame, index: RatingIndex, seed: int, settings: MemberSettings) -> Any:
        return bfm.BayesianFM(features, samples=settings.fm_samples, seed=seed, **options).fit(ratings)
    train.fm = {"features": features, **options}  # type: ignore[attr-defined]  # what it trains, but for samples and seed
    return train


GLOCAL = "GLocal-K"
#: Every model a blend may use and how to train it on some ratings. GLocal-K has the authors'
#: settings and its epochs chosen on the slice; the others have notebook 03's and 05's settings, with
#: λ, input dropout and MF's size and L2 weight from `MemberSettings` (chosen per base file by `tune`).
CANDIDATES: dict[str, Callable[..., Any]] = {
    GLOCAL: _glocal,
    "I-AutoRec": _autorec(autorec.BEST_ITEM),
    "I-AutoRec (RMSprop)": _autorec(autorec.BEST_ITEM.with_(optimizer="rmsprop")),
    "I-AutoRec (1000 units)": _autorec(autorec.BEST_ITEM.with_(hidden=1000)),
    "U-AutoRec": _autorec(autorec.BEST_USER),
    "deep I-AutoRec": _autorec(autorec.VARIANTS["deep"]),
    "biased MF": _mf,
    "Bayesian FM": _fm("timeSVD++ flipped"),
    "Bayesian FM (SVD++)": _fm("SVD++"),
    "Bayesian FM (ordered probit)": _fm("timeSVD++ flipped", likelihood="ordered probit"),
    "Bayesian FM (rank 20)": _fm("timeSVD++ flipped", rank=20),
}


def _predict(model: Any, pairs: pd.DataFrame, fallback: np.ndarray) -> np.ndarray:
    if isinstance(model, evaluation.BiasedMF):
        return np.where(model.known(pairs), model.predict(pairs), fallback)
    return model.predict_pairs(pairs, fallback)[0]


def _seconds(model: Any, measured: float) -> float:
    if isinstance(getattr(model, "seconds", None), float):  # GLocal-K times its own training
        return model.seconds
    fit = getattr(model, "fit", None)
    return fit.total_seconds if isinstance(fit, training.FitResult) else measured


def member_predictions(
    train: pd.DataFrame, index: RatingIndex, pairs: pd.DataFrame, fallback: np.ndarray, *,
    names: tuple[str, ...] | list[str] = tuple(CANDIDATES), seed: int = 0, trained: dict[str, Any] | None = None,
    settings: MemberSettings = MemberSettings(),
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
        model = trained[name] if name in trained else CANDIDATES[name](train, index, seed, settings)
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

# %% ../notebooks/08_beyond_autorec.ipynb
@dataclass
class Tuning:
    """The settings `tune` chose on a validation slice, and every candidate setting's validation RMSE."""

    settings: MemberSettings
    autorec_rows: pd.DataFrame  # λ, dropout, validation RMSE, training seconds
    mf_rows: pd.DataFrame  # factors, reg, validation RMSE
    item_predictions: np.ndarray  # the chosen I-AutoRec's predictions of the slice (trained on the fitting part)
    seconds: float = 0.0


def tune(
    fit_part: pd.DataFrame, index: RatingIndex, valid: pd.DataFrame, fallback: np.ndarray, *,
    settings: MemberSettings = MemberSettings(), seed: int = 0,
    autorec_grid: tuple[tuple[float, float], ...] = AUTOREC_GRID, mf_grid: tuple[tuple[int, float], ...] = MF_GRID,
) -> Tuning:
    """Choose I-AutoRec's λ and input dropout and biased MF's factors and L2 weight on `valid`, each
    candidate trained on `fit_part` (the AutoRec variants then share the chosen λ and dropout, as in
    notebook 03). Made per base file, this keeps a five-fold figure's choices off its own test ratings."""
    if not autorec_grid or not mf_grid:
        raise ValueError("tune needs at least one AutoRec and one MF setting to try.")
    began = time.perf_counter()
    truth = valid["rating"].to_numpy(dtype=np.float64)
    rows, preds = [], {}
    for lam, drop in autorec_grid:
        config = replace(settings, autorec_lam=lam, autorec_dropout=drop).autorec_config(autorec.BEST_ITEM)
        start = time.perf_counter()
        model = autorec.train_autorec(fit_part, index, config, seed=seed)
        preds[lam, drop] = model.predict_pairs(valid, fallback)[0]
        rows.append({"lam": lam, "dropout": drop, "valid_rmse": evaluation.rmse(truth, preds[lam, drop]),
                     "seconds": _seconds(model, time.perf_counter() - start)})
    autorec_rows = pd.DataFrame(rows)
    best = autorec_rows.loc[autorec_rows["valid_rmse"].idxmin()]
    lam, drop = float(best["lam"]), float(best["dropout"])
    mf_rows = []
    for factors, reg in mf_grid:
        pred = _predict(evaluation.BiasedMF(factors, reg, seed=seed).fit(fit_part), valid, fallback)
        mf_rows.append({"factors": factors, "reg": reg, "valid_rmse": evaluation.rmse(truth, pred)})
    mf_table = pd.DataFrame(mf_rows)
    mf_best = mf_table.loc[mf_table["valid_rmse"].idxmin()]
    chosen = replace(settings, autorec_lam=lam, autorec_dropout=drop, mf_factors=int(mf_best["factors"]),
                     mf_reg=float(mf_best["reg"]))
    return Tuning(chosen, autorec_rows, mf_table, preds[lam, drop], time.perf_counter() - began)


@dataclass
class StackedBlend:
    """A blend chosen and weighted on a validation slice of one base file, its members refitted on all of it."""

    members: list[str]  # chosen by forward selection on the slice
    weights: dict[str, float]  # fitted on the slice
    steps: pd.DataFrame  # forward selection, one row per step
    valid_predictions: dict[str, np.ndarray]  # every candidate's predictions of the slice
    valid_ratings: np.ndarray
    glocal_epochs: int | None  # GLocal-K's epochs, chosen on the slice (None without GLocal-K among the candidates)
    settings: MemberSettings = MemberSettings()  # what the members trained with (tuned on the slice, or given)
    tuning: Tuning | None = None  # the search behind `settings`, when `choose_and_refit(tune_settings=True)`
    selection: dict[str, Any] = field(default_factory=dict)  # the models trained on the fitting part, by name
    final: dict[str, Any] = field(default_factory=dict)  # the members trained on the whole base file, by name
    selection_seconds: dict[str, float] = field(default_factory=dict)  # training each candidate on the fitting part
    final_seconds: dict[str, float] = field(default_factory=dict)  # training each member on the base file
    selection_wall: float = 0.0  # wall time of the whole choice (training, validation scoring, selection)
    refit_wall: float = 0.0  # wall time of the refit

    def predict(self, pairs: pd.DataFrame, fallback: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The blend's predictions of `pairs`, and each member's."""
        preds = {name: _predict(self.final[name], pairs, fallback) for name in self.members}
        return blend(preds, self.weights), preds


def choose_and_refit(
    split: evaluation.Split, *, names: tuple[str, ...] | list[str] = tuple(CANDIDATES), seed: int = 0,
    settings: MemberSettings = MemberSettings(), trained: dict[str, Any] | None = None,
    refitted: dict[str, Any] | None = None, tune_settings: bool = False,
    autorec_grid: tuple[tuple[float, float], ...] = AUTOREC_GRID, mf_grid: tuple[tuple[int, float], ...] = MF_GRID,
) -> StackedBlend:
    """Train every candidate on the split's fitting part (GLocal-K's epochs chosen on its validation
    slice), choose members by `forward_select` and fit their weights on the slice; then train the
    chosen members again on the whole base file. The test file is not read.

    `tune_settings`: first choose AutoRec's λ and dropout and MF's size and L2 weight on the same slice
    (`tune`, over `autorec_grid` and `mf_grid`) instead of keeping those of `settings`.

    `trained`: models already trained on the fitting part (GLocal-K with this slice as validation), to reuse;
    `refitted`: members already trained on all of `train` (GLocal-K for the epochs chosen here), to reuse.
    """
    began = time.perf_counter()
    train, index, fit_part, valid = split.train, split.index, split.fit, split.valid
    fit_index, valid_fallback = split.fit_index, split.valid_fallback
    valid_ratings = valid["rating"].to_numpy(dtype=np.float64)
    predictions: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    selection: dict[str, Any] = {}
    glocal_epochs = None
    if GLOCAL in names:
        model = (trained or {}).get(GLOCAL) or kernel_autorec.train_glocal_k(
            fit_part, fit_index, settings.glocal, seed=seed, validation=valid, fallback=valid_fallback)
        seconds[GLOCAL] = model.seconds
        glocal_epochs = model.best_epoch()
        assert model.best_valid_predictions is not None
        predictions[GLOCAL], selection[GLOCAL] = model.best_valid_predictions, model
    tuning = None
    if tune_settings:
        tuning = tune(fit_part, fit_index, valid, valid_fallback, settings=settings, seed=seed,
                      autorec_grid=autorec_grid, mf_grid=mf_grid)
        settings = tuning.settings
    others = [name for name in names if name != GLOCAL and not (tuning and name == "I-AutoRec")]
    if tuning and "I-AutoRec" in names:  # trained by the search already, with the chosen settings
        predictions["I-AutoRec"] = tuning.item_predictions
        seconds["I-AutoRec"] = float(tuning.autorec_rows["seconds"][tuning.autorec_rows["valid_rmse"].idxmin()])
    other_preds, other_seconds = member_predictions(fit_part, fit_index, valid, valid_fallback, names=others,
                                                    seed=seed, settings=settings, trained=trained)
    predictions.update(other_preds)
    seconds.update(other_seconds)
    predictions = {name: predictions[name] for name in names}
    steps = forward_select(predictions, valid_ratings, seed=seed)
    members = list(steps.loc[int(steps["cv_rmse"].idxmin()), "members"])
    weights = stack_weights({n: predictions[n] for n in members}, valid_ratings)
    final_settings = settings if glocal_epochs is None else replace(
        settings, glocal=settings.glocal.for_epochs(glocal_epochs))
    selection_wall = time.perf_counter() - began
    began = time.perf_counter()
    final: dict[str, Any] = {}
    final_seconds: dict[str, float] = {}
    for name in members:
        start = time.perf_counter()
        final[name] = (refitted or {}).get(name) or CANDIDATES[name](train, index, seed, final_settings)
        final_seconds[name] = _seconds(final[name], time.perf_counter() - start)
    return StackedBlend(members, weights, steps, predictions, valid_ratings, glocal_epochs, settings, tuning,
                        selection, final, seconds, final_seconds, selection_wall, time.perf_counter() - began)
