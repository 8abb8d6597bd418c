"""Interrupted training resumes; checkpoints survive a kill during a save; runs are deterministic."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import training

BENCH = ["autorec", "--split", "u1", "--seed", "7"]


def completed(run: Path, member: str) -> int:
    meta = run / member / "checkpoint" / "checkpoint.json"
    try:
        return int(json.loads(meta.read_text())["epoch"])
    except (OSError, ValueError, KeyError):
        return 0


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    return False


@pytest.mark.slow
def test_sigkill_then_resume(offline_data: Path, tmp_path: Path, benchmark: type) -> None:
    env = {"COURSE_DATA_DIR": str(offline_data), "COURSE_MODE": "smoke"}  # items with id <= 300: short epochs
    args = [*BENCH, "--epochs", "6"]
    whole = benchmark(*args, "--run-dir", str(tmp_path / "whole"), env=env).result()
    run = tmp_path / "killed"
    # Kill 1: as soon as the item model has finished an epoch (mid-training, maybe mid-save).
    assert kill_when(benchmark(*args, "--run-dir", str(run), env=env).process, lambda: completed(run, "item_autorec") >= 1)
    # Kill 2: in the middle of the user model this time.
    assert kill_when(benchmark(*args, "--run-dir", str(run), env=env).process, lambda: completed(run, "user_autorec") >= 2)
    resumed = benchmark(*args, "--run-dir", str(run), env=env).result()
    assert resumed["resumed_from_epoch"] >= 6 + 2  # item model done, user model at least 2 epochs in
    assert resumed["epochs"] == whole["epochs"] == 12
    assert abs(resumed["rmse"] - whole["rmse"]) < 0.03  # same result within noise


def test_kill_during_save_keeps_previous_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    slide_matrix: np.ndarray, toy_model: Callable[..., keras.Model]) -> None:
    y = slide_matrix
    model = toy_model(learning_rate=0.01)
    training.fit(model, y, y, run_dir=tmp_path, epochs=2, batch_size=5, verbose=0)
    saved = [w.copy() for w in model.get_weights()]
    real_replace = os.replace

    def dies_on_meta(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith("checkpoint.json"):
            raise KeyboardInterrupt("killed between writing the files and switching to them")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_meta)
    with pytest.raises(KeyboardInterrupt):
        training.fit(model, y, y, run_dir=tmp_path, epochs=4, batch_size=5, verbose=0)
    monkeypatch.setattr(os, "replace", real_replace)
    fresh = toy_model(learning_rate=0.01)
    assert training.EpochCheckpoint(tmp_path / "checkpoint").restore(fresh) == 2
    for a, b in zip(saved, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_same_seed_same_rmse(offline_data: Path, benchmark: type) -> None:
    env = {"COURSE_DATA_DIR": str(offline_data), "COURSE_MODE": "smoke"}
    args = [*BENCH, "--model", "denoising", "--epochs", "2"]  # one I-AutoRec: the same seeding, half the training
    first = benchmark(*args, env=env).result()
    second = benchmark(*args, env=env).result()
    assert abs(first["rmse"] - second["rmse"]) < 1e-6
    assert abs(first["rmse_item_autorec"] - second["rmse_item_autorec"]) < 1e-6
