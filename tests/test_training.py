"""The resumable `fit`, and why it keeps its own checkpoint, NaN stop and history file.

The `test_keras_*` tests pin what Keras's own `BackupAndRestore`, `TerminateOnNaN` and
`CSVLogger` do, on Keras 3.13 (Colab's) and 3.15 alike, where `fit` needs more; each kept piece
of `helpers.training` names its test. Should a Keras release close the gap, its test fails: then
replace the kit's piece with Keras's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

from helpers import datasets, training
from helpers.autorec_net import autorec_network
from helpers.masked_loss import masked_mse
from helpers.ratings import RatingIndex, rating_dataset, rating_matrix

Factory = Callable[..., keras.Model]
EPOCHS = 5  # 5 rows in one batch: one optimizer step per epoch


@pytest.mark.slow
def test_fit_learns_observed_entries_and_writes_history(tmp_path: Path, slide_matrix: np.ndarray,
                                                        toy_model: Factory) -> None:
    y = slide_matrix
    result = training.fit(toy_model(), y, y, run_dir=tmp_path / "run", epochs=40, batch_size=5, verbose=0)
    hist = result.history
    assert hist["epoch"].tolist() == list(range(1, 41))
    assert hist["loss"].iloc[-1] < hist["loss"].iloc[0] / 4
    assert (tmp_path / "run" / "history.csv").is_file()
    assert result.resumed_from_epoch == 0 and result.epochs == 40


@pytest.mark.slow
def test_fit_resumes_from_last_epoch(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    y = slide_matrix
    run = tmp_path / "run"
    training.fit(toy_model(), y, y, run_dir=run, epochs=5, batch_size=5, verbose=0)
    model = toy_model()
    result = training.fit(model, y, y, run_dir=run, epochs=8, batch_size=5, verbose=0)
    assert result.resumed_from_epoch == 5
    assert result.history["epoch"].tolist() == list(range(1, 9))
    assert int(model.optimizer.iterations.numpy()) == 8  # one step per epoch, none lost on resume
    done = training.fit(toy_model(), y, y, run_dir=run, epochs=8, batch_size=5, verbose=0)
    assert done.resumed_from_epoch == 8 and done.epochs == 8  # finished runs are not retrained


def test_fit_stops_on_nan(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    y = slide_matrix.copy()
    y[0, 1] = np.nan
    with pytest.raises(training.TrainingDivergedError, match="epoch 1, batch 1"):
        training.fit(toy_model(), y, y, run_dir=tmp_path / "nan", epochs=3, batch_size=5, verbose=0)
    assert training.EpochCheckpoint(tmp_path / "nan" / "checkpoint").completed_epochs() == 0


def assert_same_state(a: keras.Model, b: keras.Model) -> None:
    """The same weights and the same optimizer state (step count, Adam's moments)."""
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
    assert len(a.optimizer.variables) == len(b.optimizer.variables)
    for x, y in zip(a.optimizer.variables, b.optimizer.variables):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-5, atol=1e-6)


def uninterrupted(toy_model: Factory, y: np.ndarray) -> keras.Model:
    """The reference: EPOCHS epochs in one go, Adam on a cosine schedule, no callbacks."""
    model = toy_model(decay_steps=100, metrics=False)
    model.fit(y, y, epochs=EPOCHS, batch_size=5, shuffle=False, verbose=0)
    return model


@pytest.mark.slow
def test_resumed_run_matches_uninterrupted_run(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    y = slide_matrix
    kwargs = {"batch_size": 5, "shuffle": False, "verbose": 0}
    training.fit(toy_model(decay_steps=100, metrics=False), y, y, run_dir=tmp_path, epochs=4, **kwargs)
    resumed = toy_model(decay_steps=100, metrics=False)
    result = training.fit(resumed, y, y, run_dir=tmp_path, epochs=EPOCHS, **kwargs)
    assert result.resumed_from_epoch == 4
    assert_same_state(uninterrupted(toy_model, y), resumed)


@pytest.mark.slow
def test_keras_backup_keeps_the_optimizer_state(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    """Keras 3 saves the optimizer's variables with the weights: BackupAndRestore resumes the
    schedule and Adam's moments exactly, as EpochCheckpoint does."""
    y = slide_matrix
    backup = str(tmp_path / "backup")
    kwargs = {"batch_size": 5, "shuffle": False, "verbose": 0}
    toy_model(decay_steps=100, metrics=False).fit(
        y, y, epochs=4, callbacks=[keras.callbacks.BackupAndRestore(backup, delete_checkpoint=False)], **kwargs)
    resumed = toy_model(decay_steps=100, metrics=False)
    history = resumed.fit(y, y, epochs=EPOCHS, callbacks=[keras.callbacks.BackupAndRestore(backup)], **kwargs)
    assert len(history.history["loss"]) == EPOCHS - 4
    assert_same_state(uninterrupted(toy_model, y), resumed)


def die_in_save(model: keras.Model, moment: str) -> None:
    """Make the model's next `save_weights` end as a kill would: `before` it writes anything,
    while `writing` (half the file is there), or just `after` it (nothing else is written)."""
    real = model.save_weights

    def save_weights(filepath: str | Path, *args: object, **kwargs: object) -> None:
        if moment != "before":
            real(filepath, *args, **kwargs)
        if moment == "writing":
            raw = Path(filepath).read_bytes()
            Path(filepath).write_bytes(raw[: len(raw) // 2])
        raise KeyboardInterrupt(f"killed {moment} writing the weights")

    model.save_weights = save_weights


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["before", "writing", "after"])
def test_fit_resumes_exactly_after_a_kill_during_a_save(tmp_path: Path, slide_matrix: np.ndarray,
                                                        toy_model: Factory, moment: str) -> None:
    y = slide_matrix
    kwargs = {"batch_size": 5, "shuffle": False, "verbose": 0}
    model = toy_model(decay_steps=100, metrics=False)
    training.fit(model, y, y, run_dir=tmp_path, epochs=2, **kwargs)
    die_in_save(model, moment)
    with pytest.raises(KeyboardInterrupt):
        training.fit(model, y, y, run_dir=tmp_path, epochs=4, **kwargs)  # killed saving epoch 3
    resumed = toy_model(decay_steps=100, metrics=False)
    result = training.fit(resumed, y, y, run_dir=tmp_path, epochs=EPOCHS, **kwargs)
    assert result.resumed_from_epoch == 2
    assert int(resumed.optimizer.iterations.numpy()) == EPOCHS  # epoch 3 trained once
    assert_same_state(uninterrupted(toy_model, y), resumed)
    assert result.history["epoch"].tolist() == list(range(1, EPOCHS + 1))  # epoch 3's row replaced, not repeated


def backup_killed_in_epoch_3(tmp_path: Path, y: np.ndarray, toy_model: Factory, moment: str,
                             double_checkpoint: bool) -> Callable[[], keras.Model]:
    """Two epochs with BackupAndRestore, then a kill while it saves epoch 3; returns a resume."""
    kwargs = {"batch_size": 5, "shuffle": False, "verbose": 0}

    def backup() -> keras.callbacks.Callback:
        return keras.callbacks.BackupAndRestore(str(tmp_path), double_checkpoint=double_checkpoint,
                                                delete_checkpoint=False)

    model = toy_model(decay_steps=100, metrics=False)
    model.fit(y, y, epochs=2, callbacks=[backup()], **kwargs)
    die_in_save(model, moment)
    with pytest.raises(KeyboardInterrupt):
        model.fit(y, y, epochs=4, callbacks=[backup()], **kwargs)

    def resume() -> keras.Model:
        resumed = toy_model(decay_steps=100, metrics=False)
        resumed.fit(y, y, epochs=EPOCHS, callbacks=[backup()], **kwargs)
        return resumed

    return resume


@pytest.mark.slow
@pytest.mark.parametrize("double_checkpoint", [False, True])
def test_keras_backup_trains_an_epoch_twice_after_a_kill_between_its_two_files(
        tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory, double_checkpoint: bool) -> None:
    """The weights of epoch 3 are written, its epoch count is not: the resumed run starts epoch 3
    again from weights that already learnt it."""
    resume = backup_killed_in_epoch_3(tmp_path, slide_matrix, toy_model, "after", double_checkpoint)
    assert json.loads((tmp_path / "training_metadata.json").read_text())["epoch"] == 2
    resumed = resume()
    assert int(resumed.optimizer.iterations.numpy()) == EPOCHS + 1  # one step too many
    whole = uninterrupted(toy_model, slide_matrix)
    assert not np.allclose(whole.get_weights()[0], resumed.get_weights()[0], rtol=1e-5, atol=1e-6)


def test_keras_backup_cannot_resume_after_a_kill_while_writing(tmp_path: Path, slide_matrix: np.ndarray,
                                                               toy_model: Factory) -> None:
    resume = backup_killed_in_epoch_3(tmp_path, slide_matrix, toy_model, "writing", double_checkpoint=False)
    with pytest.raises(OSError):  # the half-written weights file is the only one it has
        resume()


def test_keras_backup_saves_the_epoch_that_diverged(tmp_path: Path, slide_matrix: np.ndarray,
                                                    toy_model: Factory) -> None:
    y = slide_matrix.copy()
    y[0, 1] = np.nan
    model = toy_model(metrics=False)
    model.fit(y, y, epochs=3, batch_size=5, verbose=0, callbacks=[
        keras.callbacks.TerminateOnNaN(), keras.callbacks.BackupAndRestore(str(tmp_path), delete_checkpoint=False)])
    assert json.loads((tmp_path / "training_metadata.json").read_text())["epoch"] == 1  # a resume starts here
    fresh = toy_model(metrics=False)
    fresh.optimizer.build(fresh.trainable_variables)
    fresh.load_weights(tmp_path / "latest.weights.h5")
    assert np.isnan(fresh.get_weights()[0]).all()  # ... from diverged weights


def test_keras_terminate_on_nan_does_not_say_where(tmp_path: Path, slide_matrix: np.ndarray,
                                                   toy_model: Factory) -> None:
    y = np.concatenate([slide_matrix, slide_matrix])
    y[7, 1] = np.nan  # the second batch of 5 rows
    with pytest.raises(RuntimeError) as info:
        toy_model().fit(y, y, epochs=3, batch_size=5, shuffle=False, verbose=0,
                        callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])
    message = str(info.value)
    assert "batch 1" in message and "epoch" not in message.lower()  # batches counted from 0, no epoch
    assert not isinstance(info.value, ValueError)  # the kit's errors for users are ValueErrors
    with pytest.raises(training.TrainingDivergedError, match="epoch 1, batch 2"):  # what fit says instead
        training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, shuffle=False, verbose=0)


def test_keras_csv_logger_repeats_an_epoch_and_keeps_no_time(tmp_path: Path, slide_matrix: np.ndarray,
                                                             toy_model: Factory) -> None:
    """A run killed after the history row of epoch 3 but before its checkpoint trains epoch 3
    again when resumed: CSVLogger(append=True) then holds it twice."""
    y = slide_matrix
    log = tmp_path / "history.csv"
    model = toy_model()
    model.fit(y, y, epochs=3, batch_size=5, verbose=0, callbacks=[keras.callbacks.CSVLogger(str(log), append=True)])
    model.fit(y, y, initial_epoch=2, epochs=4, batch_size=5, verbose=0,
              callbacks=[keras.callbacks.CSVLogger(str(log), append=True)])
    frame = pd.read_csv(log)
    assert frame["epoch"].tolist() == [0, 1, 2, 2, 3]  # counted from 0, epoch 3 twice
    assert "seconds" not in frame.columns


def test_fit_rejects_bad_epochs(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    y = slide_matrix
    with pytest.raises(ValueError, match="whole number >= 1"):
        training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=0)


@pytest.mark.slow
def test_dense_and_sparse_training_agree(offline_data: Path) -> None:
    train, _ = datasets.load_movielens("ml-100k", "u1")
    train = train[train["item_id"] <= 200]
    index = RatingIndex.from_ratings(train)
    dense, _ = rating_matrix(train, index)

    def trained(x: object) -> np.ndarray:
        keras.utils.set_random_seed(1)
        model = autorec_network(index.n_users, 16, lam=1e-3)
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_mse)
        if isinstance(x, np.ndarray):
            model.fit(x, x, batch_size=50, epochs=2, shuffle=False, verbose=0)
        else:
            model.fit(x, epochs=2, verbose=0)
        return model.predict(dense, verbose=0)

    sparse = rating_dataset(train, index, batch_size=50, shuffle=False)
    np.testing.assert_allclose(trained(dense), trained(sparse), atol=1e-5)


def test_resume_refuses_other_settings(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    y = slide_matrix
    training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=2, batch_size=5, verbose=0, fingerprint={"lam": 0.001})
    again = training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0,
                         fingerprint={"lam": 0.001})
    assert again.resumed_from_epoch == 2  # same settings (more epochs): resumes
    with pytest.raises(ValueError, match="lam differ"):
        training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0, fingerprint={"lam": 0.1})


def test_resume_refuses_a_longer_finished_run(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    """A folder trained for 4 epochs is not handed back as a 2-epoch model (e.g. a lecture-mode run)."""
    y = slide_matrix
    training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=4, batch_size=5, verbose=0)
    with pytest.raises(ValueError, match="4 completed epochs, more than the epochs=2"):
        training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=2, batch_size=5, verbose=0)


def test_resume_refuses_another_optimizer(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    """Keras would load the weights and only warn that it starts the optimizer afresh."""
    y = slide_matrix
    training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=1, batch_size=5, verbose=0)
    other = autorec_network(5, 4, lam=1e-3)
    other.compile(optimizer=keras.optimizers.RMSprop(0.01), loss=masked_mse)
    with pytest.raises(ValueError, match="different optimizer"):
        training.fit(other, y, y, run_dir=tmp_path, epochs=2, batch_size=5, verbose=0)


def test_training_time_survives_resume(tmp_path: Path, slide_matrix: np.ndarray, toy_model: Factory) -> None:
    y = slide_matrix
    first = training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0)
    assert first.total_seconds > 0 and len(first.history["seconds"]) == 3
    done = training.fit(toy_model(), y, y, run_dir=tmp_path, epochs=3, batch_size=5, verbose=0)
    assert done.seconds < first.total_seconds or done.resumed_from_epoch == 3
    assert done.total_seconds == pytest.approx(first.total_seconds)  # an earlier run's time is not lost
