"""Shared fixtures: the offline datasets, a scratch kit-independent runs folder."""

from __future__ import annotations

import os
from pathlib import Path

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
