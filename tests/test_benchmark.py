"""The benchmark command: one JSON line per run, for every model, and resuming with --run-dir.
The first tests start `python -m helpers.benchmark` as a user does; the variants call its `main` in
this process (the same code, without starting Python and TensorFlow again). All of them train."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import ensemble
from tools import benchmark

pytestmark = pytest.mark.slow


def test_autorec_benchmark_json_and_resume(offline_data: Path, tmp_path: Path, benchmark: type) -> None:
    smoke = {"COURSE_MODE": "smoke"}
    first = benchmark("autorec", "--split", "u1", "--epochs", "2", "--run-dir", str(tmp_path), env=smoke).result()
    for key in ("rmse", "mae", "seconds", "epochs", "resumed_from_epoch"):
        assert key in first
    assert first["epochs"] == 4 and first["resumed_from_epoch"] == 0 and 0.5 < first["rmse"] < 1.5
    again = benchmark("autorec", "--split", "u1", "--epochs", "3", "--run-dir", str(tmp_path), env=smoke).result()
    assert again["resumed_from_epoch"] == 2 and again["epochs"] == 6


def test_mnist_benchmark_json(offline_data: Path, benchmark: type) -> None:
    result = benchmark("mnist", "--model", "seed", "--epochs", "1").result()
    assert result["epochs"] == 1 and 0 < result["val_loss"] < 0.5 and result["params"] == 50_992
    assert result["seconds"] > 0 and result["n_train"] == 7200 and result["n_valid"] == 800  # 90/10 of the 8,000
    assert 0 < result["test_loss"] < 0.5 and result["n_test"] == 2000


@pytest.mark.parametrize("model", ["stacked", "denoising", "sparse"])
def test_mnist_variant_benchmarks(offline_data: Path, model: str, bench_main: Callable[..., dict]) -> None:
    result = bench_main("mnist", "--model", model, "--epochs", "1", env={"COURSE_MODE": "smoke"})
    assert result["model"] == model and result["epochs"] == 1 and 0 < result["val_loss"] < 1
    assert result["mean_activation"] >= 0
    if model == "denoising":
        assert "val_loss_noisy_inputs" in result


@pytest.mark.parametrize("model", ["denoising", "deep", "sparse"])
def test_autorec_variant_benchmarks(offline_data: Path, model: str, bench_main: Callable[..., dict]) -> None:
    result = bench_main("autorec", "--model", model, "--split", "u1", "--epochs", "1", env={"COURSE_MODE": "smoke"})
    assert result["model"] == model and result["epochs"] == 1
    for key in ("rmse", "mae", "seconds"):
        assert result[key] > 0


@pytest.mark.parametrize("model", ["glocal", "kernel"])
def test_glocal_benchmark_json(offline_data: Path, model: str, bench_main: Callable[..., dict]) -> None:
    result = bench_main("autorec", "--model", model, "--split", "u2", "--seed", "1", env={"COURSE_MODE": "smoke"})
    assert result["model"] == model and result["name"] == ("GLocal-K" if model == "glocal" else "Sparse FC")
    assert result["smoke"] is True and 0.5 < result["rmse"] < 3 and result["seed"] == 1
    assert result["selected_on"] == "u2.base (5% validation slice, seed 1)"
    assert 1 <= result["epochs_chosen"] <= result["epochs_max"] == (3 if model == "glocal" else 2)
    assert result["pretrain_epochs"] + result["finetune_epochs"] == result["epochs_chosen"]
    for key in ("mae", "seconds", "selection_seconds", "valid_rmse"):
        assert result[key] > 0


def test_bfm_benchmark_json(offline_data: Path, bench_main: Callable[..., dict]) -> None:
    result = bench_main("autorec", "--model", "bfm", "--split", "u3", "--seed", "2", env={"COURSE_MODE": "smoke"})
    assert result["model"] == "bfm" and result["name"] == "Bayesian FM" and result["split"] == "u3"
    assert (result["features"], result["rank"], result["samples"]) == ("timeSVD++ flipped", 10, 8)
    assert result["selected_on"] == "fixed in advance" and result["seed"] == 2 and 0.5 < result["rmse"] < 3
    assert result["mae"] > 0 and result["seconds"] > 0 and result["n_test"] > 0
    with pytest.raises(ValueError, match="no epochs"):
        bench_main("autorec", "--model", "bfm", "--epochs", "3", env={"COURSE_MODE": "smoke"})


def test_ensemble_benchmark_json(offline_data: Path, bench_main: Callable[..., dict]) -> None:
    result = bench_main("autorec", "--model", "ensemble", "--split", "u1", env={"COURSE_MODE": "smoke"})
    assert result["model"] == "ensemble" and result["smoke"] is True and 0.5 < result["rmse"] < 3
    assert set(result["weights"]) == set(result["member_rmse"]) == set(result["members"])
    assert set(result["members"]) <= set(result["candidate_valid_rmse"]) == set(benchmark.ENSEMBLE_CANDIDATES)
    assert set(benchmark.ENSEMBLE_CANDIDATES) <= set(ensemble.CANDIDATES)
    assert result["selected_on"] == "u1.base (5% validation slice, seed 0)"
    assert result["chosen_settings"]["autorec_lam"] in (1e-3, 3e-3) and result["chosen_settings"]["mf_factors"] == 10
    for key in ("mae", "seconds", "selection_seconds", "valid_rmse", "cv_rmse", "bfm_rmse", "bfm_seconds"):
        assert result[key] > 0
    assert (result["epochs_chosen"] is None) == (ensemble.GLOCAL not in benchmark.ENSEMBLE_CANDIDATES)
    fms = {name for name in benchmark.ENSEMBLE_CANDIDATES if name.startswith("Bayesian FM")}
    # every FM trained in a worker process, on the fitting part and on the whole base file
    assert {stage: set(by_name) for stage, by_name in result["fm_seconds"].items()} == {"fit": fms, "base": fms}


def test_a_model_from_a_worker_scores_only_its_own_pairs() -> None:
    import numpy as np
    import pandas as pd

    pairs = pd.DataFrame({"user_id": [1, 2], "item_id": [5, 6]})
    model = benchmark.Pending({"fm": _Done((np.array([3.5, 4.0]), 1.5))}, pairs)["fm"]
    assert model.predict_pairs(pairs, 3.0)[0].tolist() == [3.5, 4.0] and model.seconds == 1.5
    assert "fm" in benchmark.Pending({"fm": None}, pairs) and "other" not in benchmark.Pending({"fm": None}, pairs)
    with pytest.raises(ValueError, match="worker process"):
        model.predict_pairs(pairs.iloc[::-1], 3.0)


class _Done:
    """A finished future."""

    def __init__(self, value: object) -> None:
        self.value = value

    def result(self) -> object:
        return self.value
