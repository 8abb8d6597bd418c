"""Results tables, shown and saved (CSV and a JSON record of the notebook, mode, minutes and rows) for
`make run` to gather into `build/record.json`; and the kit's recorded runs, to set beside a student's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from helpers.runtime import MODES, elapsed_minutes, kit_root, runs_root


def results_dir() -> Path:
    """Where result tables go: COURSE_RESULTS_DIR (set by `make run`) or <runs>/results."""
    env = os.environ.get("COURSE_RESULTS_DIR")
    path = Path(env) if env else runs_root() / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_results(notebook: str, mode: str, table: pd.DataFrame) -> Path:
    """Save a notebook's results table, from a run in `mode` (the notebook's MODE), as CSV (atomically)."""
    if mode not in MODES:
        raise ValueError(f"mode={mode!r}: pass the notebook's MODE, one of {', '.join(map(repr, MODES))}.")
    if table.empty:
        raise ValueError(f"The results table of {notebook} is empty; nothing to save.")
    path = results_dir() / f"{notebook}.csv"
    tmp = path.with_suffix(".csv.tmp")
    table.to_csv(tmp, index=False)
    os.replace(tmp, path)
    minutes = elapsed_minutes()
    record = {"notebook": notebook, "mode": mode, "minutes": round(minutes, 2),
              "results": json.loads(table.to_json(orient="records"))}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path.with_suffix(".json"))
    print(f"This notebook has run for {minutes:.1f} minutes in {mode} mode (setup cell to results).")
    return path


def stack_results(notebook: str, mode: str, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One results table from a notebook's tables, one per dataset: each row keeps its table's
    key in a `data` column (e.g. "MNIST, 20 epochs" or "ML-100K u1"). Saved like `save_results`."""
    if not tables:
        raise ValueError(f"No tables given for the results of {notebook}.")
    results = pd.concat([table.assign(data=label) for label, table in tables.items()], ignore_index=True)
    save_results(notebook, mode, results)
    return results


def recorded(notebook: str, mode: str = "full") -> pd.DataFrame:
    """The results table of `notebook` in the kit's recorded `mode` run (results/record-<mode>.json),
    to set beside this run's where a short run cannot show what the full one does."""
    path = kit_root() / "results" / f"record-{mode}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the kit records its runs there (make run MODE={mode}, "
                                "then make record). Get the kit again, or set this comparison aside.")
    entry = next((e for e in json.loads(path.read_text(encoding="utf-8"))["notebooks"] if e["notebook"] == notebook), None)
    if entry is None or not entry.get("ok"):
        raise ValueError(f"{path} holds no successful {mode} run of {notebook}: run make run MODE={mode}, then make record.")
    return pd.DataFrame(entry["results"])
