"""`make run` (tools/runner.py, on papermill): the mode goes in as the MODE parameter, a failing cell
is named with its notebook and number, and the record holds each notebook's minutes and results."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tools import runner


def lesson(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    mode_cell = nbformat.v4.new_code_cell("MODE = None")
    mode_cell.metadata["tags"] = ["parameters"]
    old_call = nbformat.v4.new_code_cell("int('the old call')")  # shown failing on purpose
    old_call.metadata["tags"] = ["raises-exception"]
    nb.cells = [mode_cell, nbformat.v4.new_code_cell("print('mode is', MODE)"), old_call,
                nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_mode_is_a_parameter_and_a_failure_is_named(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # the kernel's own stderr, as TensorFlow's C++ start-up lines write it (no Python setting silences them)
    good = lesson(tmp_path / "01_good.ipynb", "import os\nos.write(2, b'WARNING: native start-up line\\n')\nx = 1")
    bad = lesson(tmp_path / "02_bad.ipynb", "1 / 0")
    out = tmp_path / "build"
    out.mkdir()
    ok, _, error = runner.run_one(good, out, "lecture", timeout=120)
    assert ok and error == ""
    assert "WARNING" not in capfd.readouterr().err, "the kernel's own warnings stay off the terminal"
    assert "native start-up line" in (out / "kernel-logs" / "01_good.log").read_text(), "they go to a log"
    executed = nbformat.read(out / "01_good.ipynb", as_version=4)
    assert executed.cells[-1].execution_count is not None, "a raises-exception cell does not stop the run"
    for text in (json.dumps(executed), (out / "01_good.html").read_text()):
        assert "An Exception was encountered" not in text and "encountered an exception here" not in text
    executed = nbformat.read(out / "01_good.ipynb", as_version=4)
    assert any("mode is lecture" in o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    ok, _, error = runner.run_one(bad, out, "smoke", timeout=120)
    assert not ok
    assert error.startswith("02_bad.ipynb, cell ") and "ZeroDivisionError" in error, error
    assert "An Exception was encountered" in (out / "02_bad.ipynb").read_text()  # a real failure keeps its banner


def test_record_reads_each_notebooks_saved_results(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "01_a.json").write_text(json.dumps({"results": [{"model": "m", "rmse": 0.9}]}))
    rec = runner.record(tmp_path, "smoke", [("01_a", True, 90.0, ""), ("02_b", False, 30.0, "02_b.ipynb, cell 3: E")])
    first = rec["notebooks"][0]
    assert rec["mode"] == "smoke" and first["commit"] == rec["commit"]
    assert {k: first[k] for k in ("notebook", "ok", "minutes", "error", "results")} == {
        "notebook": "01_a", "ok": True, "minutes": 1.5, "error": "", "results": [{"model": "m", "rmse": 0.9}]}
    assert rec["notebooks"][1]["results"] == [] and not rec["notebooks"][1]["ok"]


@pytest.mark.parametrize("has_gpu", [True, False])
def test_record_says_whether_there_was_a_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, has_gpu: bool) -> None:
    monkeypatch.setattr(runner.runtime, "gpu_info", lambda: {"gpu": has_gpu, "tf_gpus": [], "summary": ""})
    assert runner.record(tmp_path, "smoke", [])["gpu"] is has_gpu


@pytest.mark.slow
def test_make_run_terminal_shows_progress_and_no_tensorflow_lines(tmp_path: Path) -> None:
    """The whole command, as `make run` starts it: the record's GPU check imports TensorFlow in the
    runner itself, and its C++ start-up lines must not reach the terminal either."""
    import subprocess
    import sys

    nb = lesson(tmp_path / "01_tf.ipynb", "import tensorflow as tf\nprint(tf.constant(2) * 3)")
    out = subprocess.run([sys.executable, "-m", "tools.runner", "--mode", "smoke", "--out", str(tmp_path / "build"),
                          str(nb)], cwd=runner.ROOT, capture_output=True, text=True, timeout=600, check=False)
    terminal = out.stdout + out.stderr
    assert out.returncode == 0, terminal[-2000:]
    assert "Executing" in terminal and "ok (" in terminal  # the progress bar and the verdict
    for noise in ("WARNING", "absl", "cuda", "oneDNN"):
        assert noise not in terminal, f"{noise!r} reached the terminal:\n{terminal[-2000:]}"


@pytest.mark.slow
def test_each_run_trains_in_a_fresh_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lesson that resumes from checkpoints must not pick up an earlier run's: its minutes and results would be
    that run's. `make run` gives every run an empty run folder under its output (unless COURSE_RUNS_DIR is set)."""
    import os

    for name in ("COURSE_RUNS_DIR", "COURSE_RESULTS_DIR"):
        monkeypatch.delenv(name, raising=False)  # main() sets them: restored after the test
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
    notebook = lesson(tmp_path / "01_runs.ipynb", "import os\nprint('runs in', os.environ['COURSE_RUNS_DIR'])")
    out = tmp_path / "build"
    (out / "runs" / "03_autorec_u1_lecture").mkdir(parents=True)  # an earlier run's checkpoints
    assert runner.main(["--mode", "smoke", "--out", str(out), str(notebook)]) == 0
    assert not (out / "runs" / "03_autorec_u1_lecture").exists()
    assert f"runs in {(out / 'runs').resolve()}" in (out / "01_runs.ipynb").read_text()
