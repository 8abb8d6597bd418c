"""Results tables saved for `make run`: the record carries the mode the notebook ran in, as the notebook
passes it (its MODE), whatever COURSE_MODE says; every lesson passes its MODE."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import report
from helpers.runtime import kit_root


def test_the_record_says_the_mode_the_notebook_ran_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_MODE", "full")  # a papermill MODE parameter is not in the environment
    path = report.save_results("01_x", "lecture", pd.DataFrame({"rmse": [0.9]}))
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["mode"] == "lecture" and record["results"] == [{"rmse": 0.9}]
    assert "in lecture mode" in capsys.readouterr().out
    stacked = report.stack_results("02_y", "smoke", {"a": pd.DataFrame({"v": [1]}), "b": pd.DataFrame({"v": [2]})})
    assert stacked["data"].tolist() == ["a", "b"]
    assert json.loads((tmp_path / "02_y.json").read_text())["mode"] == "smoke"
    with pytest.raises(ValueError, match="MODE"):
        report.save_results("01_x", "quick", pd.DataFrame({"rmse": [0.9]}))


def test_every_lesson_passes_its_mode() -> None:
    for path in sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.py")):
        calls = re.findall(r"(?:save|stack)_results\(([^)]{0,80})", path.read_text())
        assert calls, f"{path.name} saves no results table"
        assert all(re.match(r'"[^"]+", MODE, ', call) for call in calls), f"{path.name}: {calls}"


def test_recorded_reads_the_committed_full_run() -> None:
    from helpers import report

    table = report.recorded("03_autorec_movielens", "full")
    assert len(table) > 0 and "model" in table.columns
    with pytest.raises(ValueError, match="no successful full run of 99_nothing"):
        report.recorded("99_nothing", "full")
    with pytest.raises(FileNotFoundError, match="record-nomode.json is missing"):
        report.recorded("03_autorec_movielens", "nomode")
