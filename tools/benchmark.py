"""Benchmarks that print figures (one JSON line with --json).

    python -m helpers.benchmark mnist --model {seed,stacked,denoising,sparse} [--epochs N] [--seed S] --json
    python -m helpers.benchmark autorec [--model {autorec,denoising,deep,sparse,glocal,kernel,ensemble,bfm}]
        --split u1 [--epochs N] [--seed S] [--run-dir DIR] --json

The autorec benchmark trains notebook 03's best configuration on MovieLens 100K: an
I-AutoRec and a U-AutoRec on the split's base file, blended, scored on its test file. It
counts epochs across the two models (I first, then U), so `epochs` is the total and
`resumed_from_epoch` says where a run started again after an interruption (0 when fresh).
`--model glocal` trains notebook 08's GLocal-K (`helpers.kernel_autorec`, written in that lesson;
full-batch SciPy L-BFGS-B; not resumable), `--model kernel` its local-kernel network alone (Sparse FC), and
`--model ensemble` the stacked blend (`helpers.ensemble`). For these three every choice is made on a
5% validation slice of the split's own base file (`selected_on`): GLocal-K's epochs; for the blend
also AutoRec's λ and input dropout and biased MF's size and L2 weight (`chosen_settings`), its members
and their weights. The chosen models are trained again on the whole base file (`seconds`; the choice
took `selection_seconds`) and the test file is read once. GLocal-K's own settings are its authors'
(lambda_2 20, lambda_s 0.006, 30 + 60 epochs at most), fixed in advance. `--model ensemble` also
reports GLocal-K alone (`glocal_rmse`) when the blend chose it: the same protocol as `--model glocal`,
from the same run. `--model autorec` and the variants keep the stored settings of `helpers.autorec`,
chosen in notebook 03 on u1.base's validation slice: on u2-u5 those settings have seen test ratings
(u1.base holds them), so their figures there are not five-fold figures with per-fold choices.
`--model bfm` is the baseline to beat, a Bayesian factorization machine (notebook 08's `helpers.bfm`,
myfm's Gibbs sampler): Rendle et al.'s "timeSVD++ flipped" features from the base file, rank 10, 512 samples, all
fixed in advance (`selected_on`), so it needs no validation slice. `--model ensemble` reports it on
the same split too (`bfm_rmse`). The blend's candidates hold that FM and three more (SVD++'s features, an
ordered-probit likelihood, rank 20); they train side by side in worker processes (`fm_seconds`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from helpers import runtime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The helpers that load TensorFlow are imported inside the functions below, not here, so that
# `python -m helpers.benchmark --help` answers at once (helpers.runtime is cheap).

MNIST_MODELS = ("seed", "stacked", "denoising", "sparse")
AUTOREC_MODELS = ("autorec", "denoising", "deep", "sparse", "glocal", "kernel", "ensemble", "bfm")


def mnist_benchmark(model_name: str, epochs: int, seed: int, smoke: bool = False, batch_size: int = 128) -> dict[str, Any]:
    """Train an MNIST autoencoder variant the lecture's way and report validation BCE and time.

    seed: the lecture's 784-32-784; stacked: 784-128-64-32-64-128-784 trained end to end;
    denoising: Gaussian noise (std 0.3) on the input in training; sparse: L1 (1e-3) on the code.
    The models train on the first 90% of the training images; `val_loss` is the BCE of the last
    10% (the validation slice, as in the notebooks), clean digits rebuilt from clean inputs;
    `test_loss` is the BCE of the test images, scored once after training.
    """
    from helpers import datasets, experiments, losses
    from helpers.denoising import denoising_autoencoder  # written in notebook 04
    from helpers.lecture_model import encoder_of, mnist_autoencoder  # notebook 01
    from helpers.sparse import build_sparse  # notebook 06
    from helpers.stacked import build_stacked  # notebook 05

    (x_train, _), (x_test, _) = datasets.load_mnist()
    if smoke:
        x_train, x_test = x_train[:2000], x_test[:500]
    cut = int(len(x_train) * 0.9)
    x_fit, x_valid = x_train[:cut], x_train[cut:]
    runtime.set_seed(seed)
    builders = {
        "seed": mnist_autoencoder,
        "stacked": build_stacked,
        "denoising": lambda: denoising_autoencoder("gaussian", 0.3),
        "sparse": lambda: build_sparse("l1", 1e-3),
    }
    if model_name not in builders:
        raise ValueError(f"Unknown MNIST model {model_name!r}; choose one of {MNIST_MODELS}.")
    model = builders[model_name]()
    run = experiments.fit_autoencoder(model, x_fit, x_valid, epochs=epochs, batch_size=batch_size)
    rebuilt_test = model.predict(x_test, verbose=0)
    result = {
        "benchmark": "mnist", "model": model_name, "val_loss": run["val_bce"],
        "best_val_loss": float(min(run["history"]["val_bce"])), "loss": float(run["history"]["loss"][-1]),
        "test_loss": float(losses.bce_per_image(x_test, rebuilt_test).mean()),
        "epochs": epochs, "seconds": round(run["seconds"], 2), "seconds_per_epoch": round(run["seconds_per_epoch"], 3),
        "seed": seed, "n_train": int(len(x_fit)), "n_valid": int(len(x_valid)), "n_test": int(len(x_test)),
        "data": f"offline:{datasets.data_dir()}" if datasets.data_dir() else "mnist.npz (60k/10k)",
        "params": int(model.count_params()),
    }
    if model_name == "denoising":
        noisy = experiments.add_noise(x_valid, "gaussian", 0.3, seed=seed)
        rebuilt = model.predict(noisy, verbose=0)
        result["val_loss_noisy_inputs"] = float(losses.bce_per_image(x_valid, rebuilt).mean())
    encoder = encoder_of(model, "enc_3" if model_name == "stacked" else "encoder")
    result["mean_activation"] = losses.code_stats(encoder.predict(x_valid, verbose=0))["mean_activation"]
    return result


def autorec_benchmark(split_name: str, epochs: int | None, seed: int, run_dir: str | None,
                      model_name: str = "autorec", smoke: bool = False) -> dict[str, Any]:
    """Train a rating autoencoder on MovieLens 100K `split`; RMSE/MAE on its test file.

    autorec: notebook 03's best (I-AutoRec + U-AutoRec blend); denoising, deep, sparse: the
    single I-AutoRec variants of notebooks 04-05 (`helpers.autorec.VARIANTS`).
    """
    from helpers import autorec, evaluation

    # the same split, validation slice and fallback as the notebooks (smoke mode: the items with id <= 300, as there)
    split = evaluation.load_split(split_name, seed=seed, max_item_id=300 if smoke else None)
    train, test, index, fallback = split.train, split.test, split.index, split.fallback
    if model_name not in AUTOREC_MODELS:
        raise ValueError(f"Unknown rating model {model_name!r}; choose one of {AUTOREC_MODELS}.")
    if model_name in ("glocal", "kernel"):
        if run_dir:
            raise ValueError(f"--run-dir: the {model_name} model trains full-batch without checkpoints; leave it out.")
        return glocal_benchmark(split, epochs, seed, model_name, smoke)
    if model_name == "bfm":
        if run_dir:
            raise ValueError("--run-dir: the Bayesian FM samples in one go, without checkpoints; leave it out.")
        return bfm_benchmark(split, epochs, seed, smoke)
    if model_name == "ensemble":
        if run_dir:
            raise ValueError("--run-dir: the ensemble's members train without checkpoints; leave it out.")
        return ensemble_benchmark(split, epochs, seed, smoke)
    blended = model_name == "autorec"
    configs = [autorec.BEST_ITEM, autorec.BEST_USER] if blended else [autorec.VARIANTS[model_name]]
    if epochs is not None:
        configs = [c.with_(epochs=epochs) for c in configs]
    elif smoke:
        configs = [c.with_(epochs=2) for c in configs]
    root = Path(run_dir) if run_dir else None
    trained, seconds, resumed, done = [], 0.0, None, 0
    for config in configs:
        folder = root / f"{config.by}_autorec" if root else None
        model = autorec.train_autorec(train, index, config, run_dir=folder, seed=seed)
        fit = model.fit
        assert fit is not None
        if resumed is None and fit.resumed_from_epoch < config.epochs:  # the first model with work left
            resumed = done + fit.resumed_from_epoch
        done += config.epochs
        seconds += fit.seconds
        trained.append(model)
    preds = [m.predict_pairs(test, fallback)[0] for m in trained]
    common = {"benchmark": "autorec", "split": split_name, "model": model_name, "seconds": round(seconds, 2),
              "epochs": done, "resumed_from_epoch": done if resumed is None else resumed,
              "rmse_item_autorec": evaluation.rmse(test["rating"], preds[0]), "n_test": len(test), "seed": seed,
              "smoke": smoke}
    if not blended:  # scored exactly as notebooks 04-05 score their variants
        row = autorec.variant_scores(model_name, trained[0], train, test, fallback)
        return {**common, "rmse": row["rmse"], "mae": row["mae"], "n_fallback": row["n_fallback"],
                "recall_at_10": row["recall@10"], "ndcg_at_10": row["ndcg@10"],
                "mean_activation": row["code mean activation"], "share_alive": row["code share alive"]}
    unseen = trained[0].predict_pairs(test, fallback)[1]
    scores = evaluation.score(test, autorec.blend_item_user(preds[0], preds[1], autorec.BEST_BLEND), unseen)
    return {**common, "rmse": scores.rmse, "mae": scores.mae, "n_fallback": scores.n_fallback,
            "rmse_user_autorec": evaluation.rmse(test["rating"], preds[1]), "blend_weight_item": autorec.BEST_BLEND}


def _glocal_config(model_name: str, epochs: int | None, smoke: bool) -> Any:
    """GLocal-K as published (or Sparse FC for `kernel`), its epochs capped at `epochs`; tiny in smoke mode."""
    from helpers import kernel_autorec

    config = kernel_autorec.SPARSE_FC if model_name == "kernel" else kernel_autorec.GLOCAL_K
    if smoke:
        config = config.with_(pretrain_epochs=2, finetune_epochs=min(config.finetune_epochs, 1), iterations=2)
    return config.for_epochs(min(epochs, config.epochs)) if epochs is not None else config


@dataclass
class Selected:
    """A model chosen on a validation slice and refitted on the whole base file."""

    final: Any  # trained on all of the base file for the chosen number of epochs
    selection: Any  # trained on the fitting part, validation RMSE every epoch
    epochs: int  # the epochs chosen on validation
    selection_seconds: float  # wall time of the selection run (training and validation scoring)
    valid_predictions: Any  # the selection run's predictions of the validation slice at the chosen epoch


def select_and_refit(split: Any, config: Any, *, seed: int = 0, verbose: bool = False) -> Selected:
    """Choose the number of epochs on the split's validation slice, then refit on its whole base file.

    The slice (`split.valid`, carved from the base file) is the only data any choice sees; the test
    file is left for one look afterwards.
    """
    import time

    from helpers.kernel_autorec import train_glocal_k  # written in notebook 08

    start = time.perf_counter()
    selection = train_glocal_k(split.fit, split.fit_index, config, seed=seed, validation=split.valid,
                               fallback=split.valid_fallback, verbose=verbose)
    selection_seconds = time.perf_counter() - start
    epochs = selection.best_epoch()
    final = train_glocal_k(split.train, split.index, config.for_epochs(epochs), seed=seed, verbose=verbose)
    assert selection.best_valid_predictions is not None
    return Selected(final, selection, epochs, selection_seconds, selection.best_valid_predictions)


def selected_on(split: Any) -> str:
    """Where every choice of a run on `split` was made, e.g. 'u2.base (5% validation slice, seed 0)'."""
    return f"{split.name}.base ({split.valid_fraction:.0%} validation slice, seed {split.seed})"


def glocal_benchmark(split: Any, epochs: int | None, seed: int, model_name: str = "glocal",
                     smoke: bool = False) -> dict[str, Any]:
    """GLocal-K (or Sparse FC for `kernel`): epochs chosen on a 5% validation slice of the base file,
    a refit on the whole base file, one look at the test file."""
    from helpers import evaluation

    config = _glocal_config(model_name, epochs, smoke)
    chosen = select_and_refit(split, config, seed=seed)
    final, history = chosen.final, chosen.selection.history
    pred, unseen = final.predict_pairs(split.test, split.fallback)
    scores = evaluation.score(split.test, pred, unseen)
    return {"benchmark": "autorec", "split": split.name, "model": model_name,
            "name": "Sparse FC" if model_name == "kernel" else "GLocal-K", "rmse": scores.rmse, "mae": scores.mae,
            "seconds": round(final.seconds, 2), "selection_seconds": round(chosen.selection_seconds, 2),
            "epochs_chosen": chosen.epochs, "epochs_max": config.epochs,
            "pretrain_epochs": final.config.pretrain_epochs, "finetune_epochs": final.config.finetune_epochs,
            "valid_rmse": float(history["val_rmse"].min()), "selected_on": selected_on(split),
            "iterations": int(final.history["iterations"].sum()), "evaluations": int(final.history["evaluations"].sum()),
            "lambda_2": config.lambda_2, "lambda_s": config.lambda_s, "share_pruned": final.share_pruned(),
            "n_test": scores.n, "n_fallback": scores.n_fallback, "seed": seed, "smoke": smoke}


#: The Bayesian FM's settings, fixed in advance (Rendle et al., 2019).
BFM_FEATURES, BFM_RANK, BFM_SAMPLES = "timeSVD++ flipped", 10, 512


def bfm_benchmark(split: Any, epochs: int | None, seed: int, smoke: bool = False) -> dict[str, Any]:
    """Notebook 08's Bayesian factorization machine on the split's whole base file, one look at its test file.
    Nothing is chosen: features, rank and samples are fixed in advance (`epochs` is not used)."""
    from helpers import evaluation
    from helpers.bfm import BayesianFM

    if epochs is not None:
        raise ValueError("--epochs: the Bayesian FM has no epochs (its Gibbs samples are fixed in advance); leave it out.")
    samples = 8 if smoke else BFM_SAMPLES
    fm = BayesianFM(BFM_FEATURES, rank=BFM_RANK, samples=samples, seed=seed).fit(split.train)
    pred, unseen = fm.predict_pairs(split.test, split.fallback)
    scores = evaluation.score(split.test, pred, unseen)
    return {"benchmark": "autorec", "split": split.name, "model": "bfm", "name": "Bayesian FM", "rmse": scores.rmse,
            "mae": scores.mae, "seconds": round(fm.seconds, 2), "features": BFM_FEATURES, "rank": BFM_RANK,
            "samples": samples, "selected_on": "fixed in advance", "n_test": scores.n,
            "n_fallback": scores.n_fallback, "seed": seed, "smoke": smoke}


#: The blend's candidates here: four FMs, I-AutoRec (notebook 03's, its λ from the per-fold search)
#: and biased MF. Against notebook 08's full-run candidates they leave out GLocal-K, a member of 08's recorded
#: full-run blend on u1.base's slice that takes minutes to train there and as long again to refit (its `training s`
#: in results/record-full.json); I-AutoRec (1000 units) and U-AutoRec, which that blend did not take; and
#: I-AutoRec (RMSprop), whose errors on u1.base's slice follow I-AutoRec's (residuals correlated at 0.997): the
#: earlier blends (results/benchmarks/archive/two-fms/) took one of the two on each fold, never both. Biased MF
#: stays, though 08's blend did not take it: it costs a second. Two FMs join on the same features, an
#: ordered-probit likelihood and rank 20, each with a lower validation RMSE than the rank-10 FM's on u1.base's slice.
ENSEMBLE_CANDIDATES = ("Bayesian FM (rank 20)", "Bayesian FM (ordered probit)", "Bayesian FM", "Bayesian FM (SVD++)",
                       "I-AutoRec", "biased MF")  # the FMs longest first: the workers take them in this order
#: The per-fold search of AutoRec's λ and input dropout (a part of notebook 03's grid) and of biased MF's size and
#: L2 weight (its whole grid): every fold chooses its own, on its own slice.
ENSEMBLE_AUTOREC_GRID = ((1e-3, 0.5), (3e-3, 0.5))
#: Worker processes for the FMs: myfm's Gibbs sampler runs on one core (and holds Python's lock), so the blend's
#: FMs train side by side in processes, on the fitting part and on the whole base file, while the main process
#: searches and trains AutoRec with TensorFlow.
FM_WORKERS = 2


def _fm_job(fm: dict[str, Any], ratings: Any, pairs: Any, fallback: Any, seed: int, samples: int) -> tuple[Any, float]:
    """In a worker process: train a blend candidate's Bayesian FM (`fm`: its `ensemble.CANDIDATES` entry's
    settings) on `ratings`; its predictions of `pairs` (helpers.bfm loads no TensorFlow)."""
    from helpers.bfm import BayesianFM

    model = BayesianFM(**fm, samples=samples, seed=seed).fit(ratings)
    return model.predict_pairs(pairs, fallback)[0], model.seconds


@dataclass
class Predicted:
    """A model trained in a worker process, as its predictions of the pairs it was trained to score."""

    users: Any
    items: Any
    predictions: Any
    seconds: float

    def predict_pairs(self, pairs: Any, fallback: Any) -> tuple[Any, None]:
        import numpy as np

        if not (np.array_equal(pairs["user_id"].to_numpy(), self.users)
                and np.array_equal(pairs["item_id"].to_numpy(), self.items)):
            raise ValueError("This model was trained in a worker process and kept only its predictions of the pairs "
                             "it was given (the validation slice or the test file); score those pairs.")
        return self.predictions, None


class Pending(Mapping):
    """Models that worker processes are training, by name: reading one waits for it."""

    def __init__(self, futures: dict[str, Any], pairs: Any) -> None:
        self.futures, self.pairs = futures, pairs

    def __getitem__(self, name: str) -> Predicted:
        predictions, seconds = self.futures[name].result()
        return Predicted(self.pairs["user_id"].to_numpy(), self.pairs["item_id"].to_numpy(), predictions, seconds)

    def __contains__(self, name: object) -> bool:
        return name in self.futures

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.futures)

    def __len__(self) -> int:
        return len(self.futures)


def ensemble_benchmark(split: Any, epochs: int | None, seed: int, smoke: bool = False) -> dict[str, Any]:
    """Notebook 08's stacked blend with every choice made on a 5% validation slice of the split's own base
    file: AutoRec's λ and input dropout, MF's size and L2 weight (`ensemble.tune`), GLocal-K's epochs where it
    is a candidate, the members and their weights; the members refitted on the whole base file, one look at its
    test file. The FM candidates train in `FM_WORKERS` processes from the start, on the fitting part and on the
    whole base file (those the blend does not choose as well). `selection_seconds` + `seconds` is the blend's
    wall time, those trainings included; `bfm_seconds` is the FM alone in the same run."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    from helpers import ensemble, evaluation

    began = time.perf_counter()
    test, index, fallback = split.test, split.index, split.fallback
    autorec_epochs = epochs if epochs is not None else (2 if smoke else None)
    settings = ensemble.MemberSettings(_glocal_config("glocal", epochs, smoke), autorec_epochs)
    grids = {"autorec_grid": ENSEMBLE_AUTOREC_GRID, "mf_grid": ((10, 0.1),) if smoke else ensemble.MF_GRID}
    if smoke:
        settings = replace(settings, fm_samples=8)
    fms = {name: ensemble.CANDIDATES[name].fm for name in ENSEMBLE_CANDIDATES  # what each FM candidate trains
           if hasattr(ensemble.CANDIDATES[name], "fm")}
    with ProcessPoolExecutor(FM_WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = {stage: {name: pool.submit(_fm_job, fm, data, pairs, fb, seed, settings.fm_samples)
                        for name, fm in fms.items()}
                for stage, data, pairs, fb in (("fit", split.fit, split.valid, split.valid_fallback),
                                               ("base", split.train, test, fallback))}
        chosen = ensemble.choose_and_refit(split, names=ENSEMBLE_CANDIDATES, seed=seed, settings=settings,
                                           tune_settings=True, trained=Pending(jobs["fit"], split.valid),
                                           refitted=Pending(jobs["base"], test), **grids)
    wall = time.perf_counter() - began  # the pool's last jobs included
    tuned = chosen.settings
    pred, member_preds = chosen.predict(test, fallback)
    unseen = ~(np.isin(test["user_id"], index.user_ids) & np.isin(test["item_id"], index.item_ids))
    scores = evaluation.score(test, pred, unseen)
    valid_blend = ensemble.blend(chosen.valid_predictions, chosen.weights)
    fm_alone = bfm_benchmark(split, None, seed, smoke)  # the baseline to beat, as --model bfm, same split
    glocal = {}  # GLocal-K alone, when chosen: the same protocol as --model glocal, read off this run
    if ensemble.GLOCAL in chosen.final:
        alone = evaluation.score(test, member_preds[ensemble.GLOCAL], unseen)
        glocal = {"glocal_rmse": alone.rmse, "glocal_mae": alone.mae,
                  "glocal_seconds": round(chosen.final_seconds[ensemble.GLOCAL], 2),
                  "glocal_selection_seconds": round(chosen.selection_seconds[ensemble.GLOCAL], 2)}
    return {"benchmark": "autorec", "split": split.name, "model": "ensemble", "rmse": scores.rmse, "mae": scores.mae,
            "seconds": round(chosen.refit_wall, 2), "selection_seconds": round(wall - chosen.refit_wall, 2),
            "epochs_chosen": chosen.glocal_epochs, "selected_on": selected_on(split),
            "chosen_settings": {"autorec_lam": tuned.autorec_lam, "autorec_dropout": tuned.autorec_dropout,
                                "mf_factors": tuned.mf_factors, "mf_reg": tuned.mf_reg},
            "members": chosen.members, "weights": {k: round(v, 4) for k, v in chosen.weights.items()},
            "cv_rmse": float(chosen.steps["cv_rmse"].min()),
            "valid_rmse": evaluation.rmse(chosen.valid_ratings, valid_blend),
            "member_rmse": {k: round(evaluation.rmse(test["rating"], p), 4) for k, p in member_preds.items()},
            "candidate_valid_rmse": {k: round(evaluation.rmse(chosen.valid_ratings, p), 4)
                                     for k, p in chosen.valid_predictions.items()},
            "member_seconds": {k: round(v, 2) for k, v in chosen.final_seconds.items()},
            "fm_seconds": {stage: {k: round(f.result()[1], 2) for k, f in by_name.items()}
                           for stage, by_name in jobs.items()},
            "fm_workers": FM_WORKERS, **glocal, "bfm_rmse": fm_alone["rmse"], "bfm_seconds": fm_alone["seconds"],
            "n_test": scores.n, "n_fallback": scores.n_fallback, "seed": seed, "smoke": smoke}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one benchmark, print its figures."""
    parser = argparse.ArgumentParser(prog="python -m helpers.benchmark", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    mnist = sub.add_parser("mnist", help="MNIST autoencoders: validation BCE and training time")
    mnist.add_argument("--model", choices=MNIST_MODELS, default="seed")
    mnist.add_argument("--epochs", type=int, default=None, help="default: 50 (2 with COURSE_MODE=smoke)")
    mnist.add_argument("--seed", type=int, default=0)
    mnist.add_argument("--json", action="store_true", help="print one JSON line")
    rec = sub.add_parser("autorec", help="AutoRec on MovieLens 100K: test RMSE/MAE and training time")
    rec.add_argument("--model", choices=AUTOREC_MODELS, default="autorec",
                     help="autorec: notebook 03's best (I/U blend); denoising, deep, sparse: notebooks 04-05; "
                          "glocal: GLocal-K (helpers.kernel_autorec); kernel: Sparse FC, its local kernels only; "
                          "ensemble: notebook 08's stacked blend of GLocal-K, AutoRec variants and biased MF "
                          "(helpers.ensemble), chosen on the split's own base file; bfm: a Bayesian factorization "
                          "machine (helpers.bfm, notebook 08), settings fixed in advance")
    rec.add_argument("--split", choices=("u1", "u2", "u3", "u4", "u5", "ua", "ub"), default="u1")
    rec.add_argument("--epochs", type=int, default=None,
                     help="epochs per model (default: the best configuration's); glocal, kernel and ensemble: "
                          "the most epochs the validation slice chooses from (default GLocal-K's 30 + 60)")
    rec.add_argument("--seed", type=int, default=0)
    rec.add_argument("--run-dir", default=None, help="checkpoint here; running again after an interruption resumes")
    rec.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    smoke = runtime.mode() == "smoke"  # COURSE_MODE; the tests set smoke
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.what == "mnist":
        epochs = args.epochs if args.epochs is not None else (2 if smoke else 50)
        result = mnist_benchmark(args.model, epochs, args.seed, smoke)
    else:
        result = autorec_benchmark(args.split, args.epochs, args.seed, args.run_dir, args.model, smoke)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
