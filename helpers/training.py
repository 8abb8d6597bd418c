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
import pandas as pd


class TrainingDivergedError(ValueError):
    """The loss became NaN or infinite: training cannot go on from there."""


class _HistoryCSV(keras.callbacks.Callback):
    """Keeps history.csv complete across resumed runs: one row per epoch, numbered from 1, with the
    epoch's training seconds; each write is atomic.

    Kept instead of `keras.callbacks.CSVLogger(append=True)`, which (Keras 3.13 and 3.15) numbers
    epochs from 0, has no time per epoch (`FitResult.total_seconds` adds them up), and writes an
    epoch that a resumed run trains again a second time (tests/test_training.py,
    `test_keras_csv_logger_*`). `fit` writes this row before the checkpoint, so a run killed
    between the two trains that epoch again and its row is replaced, not repeated.
    """

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
    """Saves the weights, the optimizer's state and the epoch count after every epoch, atomically.

    Keras 3's `model.save_weights` holds the optimizer's variables too (its step count, so a
    learning-rate schedule goes on where it stopped, and Adam's moments), as does the
    checkpoint of `keras.callbacks.BackupAndRestore`: a run resumed with either matches an
    uninterrupted one. This class is kept because `BackupAndRestore` (Keras 3.13 and 3.15) writes
    its weights and its epoch count in place, one after the other: a run killed between the two
    trains an epoch twice, and one killed while writing the weights cannot resume at all
    (`double_checkpoint=True` helps only with the latter); it also saves the epoch in which the
    loss became NaN. Here each file is written under a new name and the switch to it is one
    rename of checkpoint.json, so a kill at any moment leaves the previous complete checkpoint
    (tests/test_training.py, `test_keras_backup_*`).
    """

    WEIGHTS, META = "checkpoint.weights.h5", "checkpoint.json"

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        self.folder = Path(folder)

    def _meta(self) -> dict[str, Any] | None:
        try:
            info = json.loads((self.folder / self.META).read_text())
            int(info["epoch"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return info if (self.folder / str(info.get("weights", ""))).is_file() else None

    def completed_epochs(self) -> int:
        """Epochs completed by the checkpoint in the folder (0 when there is none)."""
        info = self._meta()
        return int(info["epoch"]) if info else 0

    def restore(self, model: keras.Model) -> int:
        """Load the checkpoint into `model` (weights and optimizer); return the completed epochs."""
        info = self._meta()
        if not info:
            return 0
        optimizer = model.optimizer
        if optimizer is not None:
            if not optimizer.built:
                optimizer.build(model.trainable_variables)  # else Keras skips its saved state with a warning
            saved = (info.get("optimizer_class"), info.get("optimizer_variables"))
            here = (type(optimizer).__name__, len(optimizer.variables))
            if saved[1] is not None and saved != here:  # Keras would only warn and start it afresh
                raise ValueError(
                    f"The checkpoint in {self.folder} was made with a different optimizer or model "
                    f"({saved[0]} with {saved[1]} variables; this one is {here[0]} with {here[1]}). "
                    "Delete the folder to train from scratch."
                )
        model.load_weights(self.folder / info["weights"])
        return int(info["epoch"])

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            return  # never replace a good checkpoint with diverged weights
        self.folder.mkdir(parents=True, exist_ok=True)
        weights = f"e{epoch + 1}.{self.WEIGHTS}"
        self.model.save_weights(self.folder / f".tmp.{weights}")
        os.replace(self.folder / f".tmp.{weights}", self.folder / weights)
        optimizer = self.model.optimizer
        meta = {"epoch": epoch + 1, "weights": weights}
        if optimizer is not None:
            meta.update(optimizer_class=type(optimizer).__name__, optimizer_variables=len(optimizer.variables))
        meta_tmp = self.folder / f".tmp.{self.META}"
        meta_tmp.write_text(json.dumps(meta))
        os.replace(meta_tmp, self.folder / self.META)  # the switch to the new checkpoint is one rename
        for old in self.folder.iterdir():  # drop older checkpoints only once the new one is in place
            if old.name not in (weights, self.META):
                old.unlink(missing_ok=True)


class _StopOnNaN(keras.callbacks.Callback):
    """Stops training at the first NaN/inf loss and remembers where: the epoch and the batch.

    Kept instead of `keras.callbacks.TerminateOnNaN`, which stops at the same batch but keeps
    neither (Keras 3.13 and 3.15: by default it only prints the batch; with `raise_error=True`
    it raises a RuntimeError naming the batch, counted from 0, and not the epoch), while
    `TrainingDivergedError` says both (tests/test_training.py, `test_keras_terminate_on_nan_*`).
    """

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
    if resumed > epochs:
        raise ValueError(f"{run_dir} holds a run of {resumed} completed epochs, more than the epochs={epochs} asked "
                         "for. Delete that folder to train afresh, or give this run another folder.")
    stop = _StopOnNaN()
    history_csv = _HistoryCSV(run_dir / "history.csv")
    if resumed == 0 and history_csv.path.is_file():
        history_csv.path.unlink()  # a fresh run starts a fresh history
    cbs = [stop, history_csv, checkpoint, *(callbacks or [])]  # the history row first: see _HistoryCSV
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
    if len(hist):  # a row written just before a kill, for an epoch whose checkpoint never switched in
        hist = hist[hist["epoch"] <= checkpoint.completed_epochs()].reset_index(drop=True)
    return FitResult(hist, seconds, min(resumed, epochs), int(hist["epoch"].max()) if len(hist) else 0, run_dir)
