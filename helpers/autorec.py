"""AutoRec on rating matrices: configurations, training (dense or sparse batches),
predictions for held-out pairs, recommendations, item codes, and folding in a new user."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from helpers import evaluation, losses, runtime, training
from helpers.autorec_net import autorec_network, compile_autorec  # written in notebook 03
from helpers.lecture_model import encoder_of  # written in notebook 01
from helpers.ratings import RatingIndex, rating_dataset, rating_matrix
from helpers.sparse import SparsityPenalty  # written in notebook 06
from helpers.stacked import deep_autorec  # written in notebook 05


@dataclass(frozen=True)
class AutoRecConfig:
    """Everything that defines one AutoRec model and its training."""

    by: str = "item"  # "item": I-AutoRec (one example per item); "user": U-AutoRec
    hidden: int = 500
    activation: str = "sigmoid"
    lam: float = 1e-3  # L2 on weights and biases (the weight of each keras.regularizers.L2), notebook 03
    dropout: float = 0.5  # share of observed input ratings dropped in training (denoising)
    learning_rate: float = 3e-3  # Adam, decayed to 0 along a cosine over the whole run
    epochs: int = 30
    batch_size: int = 64
    model: str = "autorec"  # "autorec" (one hidden layer) or "deep" (SELU layers, dropout on the code)
    code_l1: float = 0.0  # L1 penalty on the code: a sparse autoencoder (notebook 06's SparsityPenalty)
    deep_layers: tuple[int, ...] = (512, 256, 512)  # hidden sizes when model == "deep"
    code_dropout: float = 0.5  # dropout on the code when model == "deep"
    optimizer: str = "adam"  # "adam", "rmsprop" or "adagrad", all on the same cosine-decaying learning rate

    def with_(self, **changes: Any) -> AutoRecConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def with_epochs(self, epochs: int | None) -> AutoRecConfig:
        """A copy trained for `epochs` (None keeps this configuration's own)."""
        return self if epochs is None else replace(self, epochs=epochs)

    def describe(self) -> str:
        """The settings in words, so that each lesson can say which "I-AutoRec" it trains."""
        net = (f"{'-'.join(map(str, self.deep_layers))} SELU, code dropout {self.code_dropout:g}"
               if self.model == "deep" else f"{self.hidden} {self.activation} units")
        l1 = f", code L1 {self.code_l1:g}" if self.code_l1 else ""
        return (f"{'I' if self.by == 'item' else 'U'}-AutoRec: {net}, λ {self.lam:g}, input dropout "
                f"{self.dropout:g}{l1}, {self.optimizer} {self.learning_rate:g} (cosine), {self.epochs} epochs")


#: The configuration notebook 03 trains; its size, optimizer, schedule and epochs are set here, and in full mode
#: the notebook searches λ and dropout around it on a validation slice of u1.base (never on u1.test).
BEST_ITEM = AutoRecConfig()
BEST_USER = AutoRecConfig(by="user")
#: Weight of I-AutoRec in the benchmark's I/U blend (`--model blend`), chosen on u1.base's validation slice.
BEST_BLEND = 0.85

#: Single I-AutoRec variants compared in notebooks 04-06, all on the same budget (30 epochs).
VARIANTS = {
    "plain": BEST_ITEM.with_(dropout=0.0),  # I-AutoRec as in the paper: no input noise
    "denoising": BEST_ITEM,  # half of the observed input ratings dropped in training
    "deep": BEST_ITEM.with_(model="deep", learning_rate=1e-3),  # 512-256-512 SELU, dropout on the code and input
    "sparse": BEST_ITEM.with_(dropout=0.0, code_l1=1e-3),  # L1 penalty on the code
}


@dataclass
class TrainedAutoRec:
    """A trained AutoRec with the index it was trained on and its reconstructed matrix."""

    model: keras.Model
    config: AutoRecConfig
    index: RatingIndex
    inputs: np.ndarray  # the training matrix it reads (rows = items for by="item")
    predicted: np.ndarray  # the reconstruction of `inputs`: every missing entry filled in
    fit: training.FitResult | None

    def predict_pairs(self, pairs: pd.DataFrame, fallback: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Predictions for (user_id, item_id) pairs; unseen ids get `fallback`."""
        return evaluation.predict_from_matrix(self.predicted, self.index, pairs, by=self.config.by, fallback=fallback)

    def user_item_scores(self) -> np.ndarray:
        """Predicted ratings as a users x items matrix."""
        return self.predicted.T if self.config.by == "item" else self.predicted

    def codes(self) -> np.ndarray:
        """The hidden code of every row of the training matrix (items for I-AutoRec)."""
        return encoder_of(self.model).predict(self.inputs, verbose=0)


def build_autorec(config: AutoRecConfig, n_inputs: int) -> keras.Model:
    """The (uncompiled) network `config` describes, reading rows of `n_inputs` ratings: notebook 03's
    `autorec_network` (with notebook 06's L1 `SparsityPenalty` on the code if `code_l1`), or notebook
    05's `deep_autorec`."""
    if config.model == "deep":
        return deep_autorec(n_inputs, layers=config.deep_layers, lam=config.lam,
                            code_dropout=config.code_dropout, input_dropout=config.dropout)
    if config.model == "autorec":
        penalty = SparsityPenalty("l1", config.code_l1, name="sparsity") if config.code_l1 else None
        return autorec_network(n_inputs, config.hidden, config.lam, config.dropout, config.activation,
                               name=f"{config.by[0].upper()}-AutoRec", code_layer=penalty)
    raise ValueError(f"config.model={config.model!r}: use 'autorec' or 'deep'.")


def reconstruct(model: keras.Model, rows: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """The model's output for `rows` (dropout off), calling the model directly in batches of `batch_size`.

    Unlike `model.predict`, a direct call compiles no `tf.function` for the model, so training
    and reading many models in a row (a hyper-parameter search) does not make TensorFlow warn
    about "retracing"; for data that fits in a few batches it is also faster (Keras's own advice).
    """
    return np.concatenate([keras.ops.convert_to_numpy(model(rows[i:i + batch_size], training=False))
                           for i in range(0, len(rows), batch_size)])


def train_autorec(
    ratings: pd.DataFrame, index: RatingIndex, config: AutoRecConfig = BEST_ITEM, *,
    run_dir: str | Path | None = None, sparse: bool = False, seed: int = 0, verbose: int | str = 0,
    model: keras.Model | None = None,
) -> TrainedAutoRec:
    """Train AutoRec on `ratings` (masked loss, L2, input dropout), resumable via `run_dir`.

    `model`: a model already built for `config` (e.g. by `build_autorec`, or `autorec_network`
    in notebook 03) to train instead of building a new one; it is compiled with
    `compile_autorec` unless it is compiled already. `sparse=True` feeds the same rows through
    a `tf.data` pipeline that densifies one batch at a time (for data too large to hold dense);
    the model and loss are the same.
    """
    runtime.set_seed(seed)
    matrix, _ = rating_matrix(ratings, index, by=config.by)
    if model is None:
        with runtime.distribution_strategy().scope():  # several GPUs or a TPU are used when present
            model = build_autorec(config, matrix.shape[1])
            compile_autorec(model, config, matrix.shape[0])
    else:
        if model.input_shape[-1] != matrix.shape[1]:
            raise ValueError(f"The model reads {model.input_shape[-1]} inputs, but a {config.by}-based row of these "
                             f"ratings has {matrix.shape[1]}: build it for by={config.by!r} on the same index.")
        if not getattr(model, "compiled", False):
            compile_autorec(model, config, matrix.shape[0])
    fingerprint = {**{k: v for k, v in asdict(config).items()  # the default optimizer left out: older run folders resume
                      if k != "epochs" and not (k == "optimizer" and v == "adam")}, "seed": seed, "sparse": sparse,
                   "shape": list(matrix.shape), "ratings": len(ratings)}
    scratch = None
    if run_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="autorec-"))
    try:
        folder = Path(run_dir) if run_dir is not None else scratch
        if sparse:
            ds = rating_dataset(ratings, index, by=config.by, batch_size=config.batch_size, seed=seed)
            result = training.fit(model, ds, run_dir=folder, epochs=config.epochs, verbose=verbose,
                                  fingerprint=fingerprint, shuffle=False)  # the dataset shuffles itself
        else:
            result = training.fit(model, matrix, matrix, run_dir=folder, epochs=config.epochs,
                                  batch_size=config.batch_size, shuffle=True, verbose=verbose,
                                  fingerprint=fingerprint)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    predicted = reconstruct(model, matrix)
    return TrainedAutoRec(model, config, index, matrix, predicted, result)


def blend_item_user(item: np.ndarray, user: np.ndarray, weight: float = BEST_BLEND) -> np.ndarray:
    """weight * I-AutoRec + (1 - weight) * U-AutoRec predictions."""
    if not 0 <= weight <= 1:
        raise ValueError(f"weight={weight}: a blend weight lies in [0, 1].")
    return weight * np.asarray(item) + (1 - weight) * np.asarray(user)


def recommend(scores_for_user: np.ndarray, seen: np.ndarray, item_ids: np.ndarray, k: int = 10) -> np.ndarray:
    """The k item ids with the highest scores among those not in `seen` (raw ids)."""
    scores = np.asarray(scores_for_user, dtype=np.float64).copy()
    scores[np.isin(item_ids, seen)] = -np.inf
    top = np.argsort(-scores, kind="stable")[:k]
    return item_ids[top]


def evaluate_variant(label: str, config: AutoRecConfig, train: pd.DataFrame, test: pd.DataFrame,
                     index: RatingIndex, fallback: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """Train one rating-autoencoder variant on `train` and measure it on `test`: RMSE, MAE,
    Recall@10, NDCG@10, training seconds and how active its code is."""
    return variant_scores(label, train_autorec(train, index, config, seed=seed), train, test, fallback)


def variant_scores(label: str, trained: TrainedAutoRec, train: pd.DataFrame, test: pd.DataFrame,
                   fallback: np.ndarray) -> dict[str, Any]:
    """The row `evaluate_variant` reports for a model already trained on `train`."""
    pred, unseen = trained.predict_pairs(test, fallback)
    scores = evaluation.score(test, pred, unseen)
    ranking = evaluation.ranking_metrics(trained.user_item_scores(), trained.index, train, test)
    if trained.fit is None:
        raise ValueError(f"{label}: this model carries no training record (fit); train it with train_autorec.")
    code = losses.code_stats(trained.codes())
    return {"variant": label, "rmse": scores.rmse, "mae": scores.mae, "n_fallback": scores.n_fallback,
            "recall@10": ranking["recall@10"], "ndcg@10": ranking["ndcg@10"], "seconds": trained.fit.total_seconds,
            "code mean activation": code["mean_activation"], "code share alive": code["share_alive"]}
