"""Interrupted training resumes; checkpoints survive a kill during a save; runs are deterministic."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import datasets, losses, models, training
from helpers.runtime import kit_root

BENCH = [sys.executable, "-m", "helpers.benchmark", "autorec", "--split", "u1", "--seed", "7", "--json"]


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(BENCH + args, cwd=kit_root(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env={**os.environ, **env})


def finish(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0
    return json.loads(out.strip().splitlines()[-1])


def completed(run: Path, member: str) -> int:
    meta = run / member / "checkpoint" / "checkpoint.json"
    try:
        return int(json.loads(meta.read_text())["epoch"])
    except (OSError, ValueError, KeyError):
        return 0


def kill_when(proc: subprocess.Popen, ready: callable, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    return False


def test_sigkill_then_resume(offline_data: Path, tmp_path: Path) -> None:
    env = {"COURSE_DATA_DIR": str(offline_data)}
    args = ["--epochs", "6"]
    whole = finish(start(args + ["--run-dir", str(tmp_path / "whole")], env))
    run = tmp_path / "killed"
    # Kill 1: as soon as the item model has finished an epoch (mid-training, maybe mid-save).
    assert kill_when(start(args + ["--run-dir", str(run)], env), lambda: completed(run, "item_autorec") >= 1)
    # Kill 2: in the middle of the user model this time.
    assert kill_when(start(args + ["--run-dir", str(run)], env), lambda: completed(run, "user_autorec") >= 2)
    resumed = finish(start(args + ["--run-dir", str(run)], env))
    assert resumed["resumed_from_epoch"] >= 6 + 2  # item model done, user model at least 2 epochs in
    assert resumed["epochs"] == whole["epochs"] == 12
    assert abs(resumed["rmse"] - whole["rmse"]) < 0.03  # same result within noise


def test_kill_during_save_keeps_previous_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    y = datasets.load_toy_matrix("5x5").values
    keras.utils.set_random_seed(0)
    model = models.autorec(5, hidden=4)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=losses.masked_mse)
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
    fresh = models.autorec(5, hidden=4)
    fresh.compile(optimizer=keras.optimizers.Adam(0.01), loss=losses.masked_mse)
    assert training.EpochCheckpoint(tmp_path / "checkpoint").restore(fresh) == 2
    for a, b in zip(saved, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_rmse(offline_data: Path) -> None:
    env = {"COURSE_DATA_DIR": str(offline_data), "COURSE_SMOKE": "1"}
    first = finish(start(["--epochs", "2"], env))
    second = finish(start(["--epochs", "2"], env))
    assert abs(first["rmse"] - second["rmse"]) < 1e-6
    assert abs(first["rmse_item_autorec"] - second["rmse_item_autorec"]) < 1e-6
