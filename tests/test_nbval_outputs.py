"""tools/nbval_outputs.py: a cell that writes to stderr fails nbval (unless tagged raises-exception), and
--keep-outputs writes the executed notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import nbval_outputs

KIT = Path(__file__).resolve().parent.parent


def _notebook(path: Path, cells: list[tuple[str, list[str]]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("prose between cells"))
    path.write_text(nbformat.writes(nb))
    return path


def _run(notebook: Path, keep: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "tools.nbval_outputs",
                           "--keep-outputs", str(keep), "-q", "-p", "no:cacheprovider", "-rf", str(notebook)],
                          cwd=KIT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_stderr_fails_the_cell_and_outputs_are_kept(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path / "lesson.ipynb", [
        ("print('to stdout')", []),
        ("import sys; print('a warning line', file=sys.stderr)", []),
        ("import sys; print('shown on purpose', file=sys.stderr); raise ValueError('old call')", ["raises-exception"]),
        ("import warnings; warnings.warn('retracing')", []),
        ("41 + 1", []),
    ])
    done = _run(notebook, tmp_path / "kept")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 failed, 3 passed" in done.stdout, done.stdout
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert [line.split("::")[1].split(" ")[0:2] for line in failed] == [["Cell", "1"], ["Cell", "3"]], failed
    assert "a warning line" in done.stdout and "retracing" in done.stdout
    kept = nbformat.read(tmp_path / "kept" / "lesson.ipynb", as_version=4)
    nbformat.validate(kept)
    code = [cell for cell in kept.cells if cell.cell_type == "code"]
    assert code[0]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "to stdout\n"}]
    assert code[2]["outputs"][-1]["ename"] == "ValueError"
    assert code[4]["outputs"][0]["data"]["text/plain"] == "42"
    assert not list((tmp_path / "kept").glob("*.partial"))


@pytest.mark.slow
def test_clean_notebook_passes(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path / "clean.ipynb", [("x = 1", []), ("print(x)", [])])
    done = _run(notebook, tmp_path / "kept")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("outputs", "tags", "bad"), [
    ([{"output_type": "stream", "name": "stderr", "text": "oops\n"}], [], True),
    ([{"output_type": "stream", "name": "stderr", "text": "  \n"}], [], False),
    ([{"output_type": "stream", "name": "stdout", "text": "fine\n"}], [], False),
    ([{"output_type": "stream", "name": "stderr", "text": "oops\n"}], ["raises-exception"], False),
    ([{"output_type": "stream", "name": "stdout", "text": "fit\nWARNING:tensorflow:5 out of the last 5 calls\n"}], [], True),
    ([{"output_type": "stream", "name": "stdout", "text": "a WARNING:tensorflow: quoted mid-line\n"}], [], False),
])
def test_problem(outputs: list[dict], tags: list[str], bad: bool) -> None:
    cell = {"metadata": {"tags": tags}}
    assert (nbval_outputs.problem(cell, outputs) is not None) is bad
