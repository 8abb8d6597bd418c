"""Results tables: shown in the notebook and saved so `make run` can gather them."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from helpers.runtime import runs_root


def results_dir() -> Path:
    """Where result tables go: COURSE_RESULTS_DIR (set by `make run`) or <runs>/results."""
    env = os.environ.get("COURSE_RESULTS_DIR")
    path = Path(env) if env else runs_root() / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_results(notebook: str, table: pd.DataFrame) -> Path:
    """Save a notebook's results table as CSV (atomically) and return the path."""
    if table.empty:
        raise ValueError(f"The results table of {notebook} is empty; nothing to save.")
    path = results_dir() / f"{notebook}.csv"
    tmp = path.with_suffix(".csv.tmp")
    table.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return path


def stack_results(notebook: str, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One results table from a notebook's tables, one per dataset: each row keeps its table's
    key in a `data` column (e.g. "MNIST, 20 epochs" or "ML-100K u1"). Saved like `save_results`."""
    if not tables:
        raise ValueError(f"No tables given for the results of {notebook}.")
    results = pd.concat([table.assign(data=label) for label, table in tables.items()], ignore_index=True)
    save_results(notebook, results)
    return results
