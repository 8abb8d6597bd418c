"""Shared fixtures: the offline datasets, a scratch kit-independent runs folder, the slides' matrix
and a small compiled AutoRec for it, and the benchmark command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

KIT = Path(__file__).resolve().parent.parent


def shared_datasets() -> Path | None:
    """COURSE_DATA_DIR if set, else ../shared/datasets beside the kit, if present."""
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        path = Path(env)
        return (path if path.is_absolute() else KIT / path).resolve()
    candidate = KIT.parent / "shared" / "datasets"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def offline_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point COURSE_DATA_DIR at the real offline datasets (skip where there are none)."""
    path = shared_datasets()
    if path is None or not path.is_dir():
        pytest.skip("no offline datasets: set COURSE_DATA_DIR (CI sets ../shared/datasets)")
    monkeypatch.setenv("COURSE_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def scratch_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's runs and results out of the kit's runs/ folder."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("COURSE_RUNS_DIR", str(runs))
    monkeypatch.delenv("COURSE_RESULTS_DIR", raising=False)
    return runs


@pytest.fixture
def slide_matrix() -> np.ndarray:
    """The slides' 5x5 rating matrix (0 = not rated; 11 ratings)."""
    from helpers.datasets import load_toy_matrix

    return load_toy_matrix("5x5").values


@pytest.fixture
def toy_model() -> Callable[..., Any]:
    """Builds a small compiled AutoRec for the 5x5 matrix, with the same initial weights each time.

    `toy_model(learning_rate=0.05, decay_steps=None, metrics=True)`: Adam, on a cosine schedule
    when `decay_steps` is given; the masked loss, and the masked RMSE as a metric.
    """
    import keras

    from helpers import losses
    from helpers.autorec_net import autorec_network
    from helpers.masked_loss import masked_mse

    def make(learning_rate: float = 0.05, decay_steps: int | None = None, metrics: bool = True) -> keras.Model:
        keras.utils.set_random_seed(0)
        model = autorec_network(5, 4, lam=1e-3)
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps) if decay_steps else learning_rate
        model.compile(optimizer=keras.optimizers.Adam(rate), loss=masked_mse,
                      metrics=[losses.MaskedRMSE()] if metrics else None)
        return model

    return make


class Benchmark:
    """`python -m helpers.benchmark ARGS --json`, started in the kit with this interpreter (`env` on
    top of this process's); `result()` waits for it and returns its JSON line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty run never blocks
        self.process = subprocess.Popen([sys.executable, "-m", "helpers.benchmark", *args, "--json"], cwd=KIT,
                                        stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                        env={**os.environ, **(env or {})})

    def result(self) -> dict:
        """Wait for the run; its JSON line as a dict (the test fails with its stderr if it failed)."""
        out, _ = self.process.communicate(timeout=900)
        self.stderr.seek(0)
        assert self.process.returncode == 0, self.stderr.read()[-2000:]
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def bench_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., dict]:
    """`python -m helpers.benchmark ARGS --json` in this process (no new Python and TensorFlow to start):
    `bench_main("mnist", "--epochs", "1", env={"COURSE_MODE": "smoke"})` returns its JSON line as a dict."""
    from helpers import benchmark as bench

    def run(*args: str, env: dict[str, str] | None = None) -> dict:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        assert bench.main([*args, "--json"]) == 0
        return json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return run


@pytest.fixture
def benchmark() -> type[Benchmark]:
    """Starts `python -m helpers.benchmark ...` runs: `benchmark("mnist", "--epochs", "1").result()`."""
    return Benchmark
