"""The directions the lessons' prose relies on, checked with margins on the committed run records
(results/record-<mode>.json, written by `make run` and kept by `make record`). A notebook itself only
prints these comparisons as verdicts, since a student's run may land either side of a close one;
this test says when a recorded run no longer supports what the text sets out to show."""

from __future__ import annotations

from typing import Any

import pytest

from tools import readme_tables

RECORDS = readme_tables.records()


def rows(rec: dict[str, Any], notebook: str) -> list[dict[str, Any]]:
    entry = next((e for e in rec["notebooks"] if e["notebook"] == notebook), None)
    assert entry is not None and entry["ok"], f"the {rec['mode']} record has no successful run of {notebook}"
    return entry["results"]


def row(table: list[dict[str, Any]], key: str, start: str, **where: Any) -> dict[str, Any]:
    found = [r for r in table if str(r.get(key, "")).startswith(start)
             and all(str(r.get(k, "")).startswith(v) for k, v in where.items())]
    assert found, f"no row whose {key} starts with {start!r} ({where})"
    return found[0]


def test_a_run_is_recorded() -> None:
    assert RECORDS, "no results/record-<mode>.json: make run MODE=<mode>, then make record"
    for rec in RECORDS.values():
        assert rec["commit"] and all(e["ok"] for e in rec["notebooks"])


@pytest.mark.parametrize("mode", sorted(RECORDS))
def test_early_stopping_beats_the_fixed_epoch_count(mode: str) -> None:
    table = rows(RECORDS[mode], "01_mnist_autoencoder")
    fixed = row(table, "model", "lecture's autoencoder")["val BCE"]
    stopped = row(table, "model", "same, early stopping")["val BCE"]
    assert stopped < fixed - 0.002  # 01 §4: early stopping finds more epochs than the fixed run's


@pytest.mark.parametrize("mode", sorted(RECORDS))
def test_the_unmasked_loss_learns_the_zeros(mode: str) -> None:
    table = rows(RECORDS[mode], "02_rating_matrix_autoencoder")
    masked = row(table, "model", "5 x 5, masked loss")
    unmasked = row(table, "model", "5 x 5, unmasked MSE")
    # 02 §1: the unmasked loss pulls the blanks towards 0; the masked one leaves them rating-sized
    assert unmasked["mean prediction at blanks"] < 0.5 < 1.0 < masked["mean prediction at blanks"]


@pytest.mark.parametrize("mode", sorted(RECORDS))
def test_autorec_beats_the_baselines(mode: str) -> None:
    table = rows(RECORDS[mode], "03_autorec_movielens")
    mean = row(table, "model", "global mean")["rmse"]
    biases = row(table, "model", "user + item biases")["rmse"]
    item = row(table, "model", "I-AutoRec")["rmse"]
    assert biases < mean - 0.1 and item < biases - 0.03  # 03: AutoRec against the baselines


@pytest.mark.parametrize("mode", sorted(RECORDS))
def test_the_denoiser_rebuilds_noisy_digits_better(mode: str) -> None:
    table = rows(RECORDS[mode], "04_denoising_autoencoder")
    basic = row(table, "variant", "basic", data="MNIST validation")
    gaussian = row(table, "variant", "denoising, gaussian", data="MNIST validation")
    assert gaussian["BCE, gaussian-noisy input"] < basic["BCE, gaussian-noisy input"] - 0.003
    assert gaussian["BCE, clean input"] > basic["BCE, clean input"]  # 04: the price on clean digits
