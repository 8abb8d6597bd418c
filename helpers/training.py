"""A `fit` that checkpoints to the run folder, resumes after a disconnect, and stops on NaN.

The losses and metrics it trains with are in `helpers.losses`."""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd


class TrainingDivergedError(ValueError):
    """The loss became NaN or infinite: training cannot go on from there."""


class _HistoryCSV(keras.callbacks.Callback):
    """Keeps history.csv complete across resumed runs; each write is atomic."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.rows: list[dict[str, float]] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.rows = []
        self.started = time.perf_counter()
        if self.path.is_file():
            self.rows = pd.read_csv(self.path).to_dict("records")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()},
               "seconds": time.perf_counter() - self.started}
        self.rows = [r for r in self.rows if int(r["epoch"]) < epoch + 1] + [row]
        tmp = self.path.with_suffix(".csv.tmp")
        pd.DataFrame(self.rows).to_csv(tmp, index=False)
        os.replace(tmp, self.path)


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves weights, optimizer state and the epoch count after every epoch, atomically.

    Like Keras's `BackupAndRestore`, but the optimizer's state (its step count, so a
    learning-rate schedule goes on where it stopped, and Adam's moments) is kept too, and
    each file is written under a temporary name and then renamed, so a run killed during
    a save still leaves the previous complete checkpoint.
    """

    WEIGHTS, OPTIMIZER, META = "checkpoint.weights.h5", "optimizer.npz", "checkpoint.json"

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        self.folder = Path(folder)

    def completed_epochs(self) -> int:
        """Epochs completed by the checkpoint in the folder (0 when there is none)."""
        meta = self.folder / self.META
        if not meta.is_file():
            return 0
        try:
            info = json.loads(meta.read_text())
            epoch = int(info["epoch"])
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            return 0
        files_ok = all((self.folder / info.get(k, "")).is_file() for k in ("weights", "optimizer"))
        return epoch if files_ok else 0

    def restore(self, model: keras.Model) -> int:
        """Load the checkpoint into `model` (weights and optimizer); return the completed epochs."""
        epoch = self.completed_epochs()
        if epoch == 0:
            return 0
        info = json.loads((self.folder / self.META).read_text())
        optimizer = model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)  # so its variables exist to be restored
        model.load_weights(self.folder / info["weights"])
        if optimizer is not None:
            with np.load(self.folder / info["optimizer"]) as saved:
                arrays = [saved[f"v{i}"] for i in range(len(saved.files))]
            if len(arrays) != len(optimizer.variables):
                raise ValueError(
                    f"The checkpoint in {self.folder} was made with a different optimizer or model "
                    f"({len(arrays)} optimizer variables, this one has {len(optimizer.variables)}). "
                    "Delete the folder to train from scratch."
                )
            for variable, value in zip(optimizer.variables, arrays):
                variable.assign(value)
        return epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            return  # never replace a good checkpoint with diverged weights
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = f"e{epoch + 1}"
        weights = f"{tag}.{self.WEIGHTS}"
        optimizer = f"{tag}.{self.OPTIMIZER}"
        self.model.save_weights(self.folder / f".tmp.{weights}")
        os.replace(self.folder / f".tmp.{weights}", self.folder / weights)
        opt_vars = self.model.optimizer.variables if self.model.optimizer is not None else []
        with open(self.folder / f".tmp.{optimizer}", "wb") as f:
            np.savez(f, **{f"v{i}": np.asarray(v) for i, v in enumerate(opt_vars)})
        os.replace(self.folder / f".tmp.{optimizer}", self.folder / optimizer)
        meta_tmp = self.folder / f".tmp.{self.META}"
        meta_tmp.write_text(json.dumps({"epoch": epoch + 1, "weights": weights, "optimizer": optimizer}))
        os.replace(meta_tmp, self.folder / self.META)  # the switch to the new checkpoint is one rename
        for old in self.folder.iterdir():  # drop older checkpoints only once the new one is in place
            if old.name not in (weights, optimizer, self.META):
                old.unlink(missing_ok=True)


class _StopOnNaN(keras.callbacks.Callback):
    """Stops training at the first NaN/inf loss and remembers where it happened."""

    def __init__(self) -> None:
        super().__init__()
        self.where: tuple[int, int] | None = None
        self.epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.where = (self.epoch + 1, batch + 1)
            self.model.stop_training = True


def _check_fingerprint(run_dir: Path, fingerprint: dict[str, Any]) -> None:
    path = run_dir / "fingerprint.json"
    wanted = json.loads(json.dumps(fingerprint, sort_keys=True, default=str))
    if path.is_file() and EpochCheckpoint(run_dir / "checkpoint").completed_epochs() > 0:
        stored = json.loads(path.read_text())
        if stored != wanted:
            changed = sorted(k for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k))
            raise ValueError(
                f"{run_dir} holds a run with other settings ({', '.join(changed)} differ), so it cannot be "
                "resumed. Delete that folder to train afresh, or give this run another folder."
            )
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(wanted, sort_keys=True))
    os.replace(tmp, path)


@dataclass
class FitResult:
    """What `fit` returns: the full history (all epochs, resumed ones included) and timings."""

    history: pd.DataFrame
    seconds: float  # wall time of this call (0 when the run was already complete)
    resumed_from_epoch: int
    epochs: int
    run_dir: Path

    @property
    def total_seconds(self) -> float:
        """Training time of every epoch in the history, across interruptions and resumes."""
        if "seconds" not in self.history.columns:
            return self.seconds
        return float(self.history["seconds"].sum())


def fit(
    model: keras.Model,
    x: Any,
    y: Any = None,
    *,
    run_dir: str | Path,
    epochs: int,
    batch_size: int | None = None,
    validation_data: Any = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int | str = "auto",
    fingerprint: dict[str, Any] | None = None,
    **fit_kwargs: Any,
) -> FitResult:
    """`model.fit` that survives disconnects: checkpoints every epoch to `run_dir`, resumes
    from the last completed epoch when run again, writes history.csv, stops on NaN.

    The checkpoint holds the weights and the optimizer state (see `EpochCheckpoint`), so
    a resumed run continues its learning-rate schedule where it stopped. Compile the
    model before calling this.

    Delete `run_dir` (or use a new one) to train from scratch. `fingerprint` (anything
    JSON can hold: the configuration, the data's size) is stored with the run; resuming a
    run whose fingerprint differs is refused, so a changed setting never silently continues
    from weights trained under another.
    """
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs={epochs!r}: the number of epochs must be a whole number >= 1.")
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    if fingerprint is not None:
        _check_fingerprint(run_dir, fingerprint)
    checkpoint = EpochCheckpoint(run_dir / "checkpoint")
    if not model.built:
        raise ValueError("Build the model (give it an Input) before calling fit().")
    resumed = checkpoint.restore(model)
    stop = _StopOnNaN()
    history_csv = _HistoryCSV(run_dir / "history.csv")
    if resumed == 0 and history_csv.path.is_file():
        history_csv.path.unlink()  # a fresh run starts a fresh history
    cbs = [stop, checkpoint, history_csv, *(callbacks or [])]
    start = time.perf_counter()
    if resumed < epochs:
        model.fit(x, y, batch_size=batch_size, epochs=epochs, initial_epoch=resumed,
                  validation_data=validation_data, callbacks=cbs, verbose=verbose, **fit_kwargs)
    seconds = time.perf_counter() - start
    if stop.where is not None:
        epoch, batch = stop.where
        raise TrainingDivergedError(
            f"The loss became NaN/inf in epoch {epoch}, batch {batch}: training diverged. Lower the "
            "learning rate, check the inputs for NaN, or use a smaller L2 weight; then delete "
            f"{run_dir} and train again."
        )
    hist = pd.read_csv(history_csv.path) if history_csv.path.is_file() else pd.DataFrame()
    return FitResult(hist, seconds, min(resumed, epochs), int(hist["epoch"].max()) if len(hist) else 0, run_dir)
