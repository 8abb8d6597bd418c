"""Every lesson has the kit's anatomy: goals, the MODE cell (papermill's parameters) and the shared
setup cell, a checked knobs cell, results and exercises for the grader (tools/exercise_cells.py),
the Colab GPU setting, no outputs, a paired script, and the length of one sitting, in both editions."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers.runtime import kit_root
from tools import student
from tools.exercise_cells import exercises
from tools.pairing import problems

NOTEBOOKS = sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.notebooks


def setup_cell(nb: nbformat.NotebookNode) -> str:
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "import colab_setup" in c.source]
    assert len(cells) == 1, "exactly one setup cell"
    return cells[0]


def test_there_are_lessons() -> None:
    assert NOTEBOOKS, "notebooks/ holds no NN_*.ipynb lesson"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_anatomy(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    template = jupytext.read(kit_root() / "templates" / "lesson.py")
    assert setup_cell(nb) == setup_cell(template), "the setup cell must be the template's, unchanged"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {path.stem[:2]} ")
    assert "After this notebook you can" in nb.cells[0].source
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source.startswith("MODE = None"), "one parameters cell: MODE (papermill -p)"
    assert "import colab_setup" in nb.cells[nb.cells.index(tagged[0]) + 1].source, "the setup cell follows MODE"
    knobs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and ("by_mode" in c.source or "smoke_or" in c.source)]
    assert knobs and "check_params(" in nb.cells[knobs[0] + 1].source, "the knobs cell is followed by check_params"
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source]
    for needed in ("## Results", "## Exercises"):
        assert any(h.startswith(needed) for h in headings), f"no '{needed}' section"
    assert any(f'grading.grader("{path.stem}")' in c.source for c in nb.cells), "the exercises open their grader"
    found = exercises(nb, path.name)
    assert found, "exercises marked for the grader (a prompt with `question` metadata, solution and test cells)"
    assert any(e.tests for e in found), "at least one exercise the grader checks"
    assert all(e.name.startswith(f"q{path.stem[:2]}_") for e in found), "exercise names qNN_k"
    code_exercise = any(c.cell_type == "code" and re.search(r"^\s+# BEGIN SOLUTION", c.source, re.M) for c in nb.cells)
    assert code_exercise, "at least one exercise where the student writes code (a function with a solution block)"
    assert nb.metadata.get("accelerator") == "GPU", "Colab should open it with a GPU runtime"


def words(cells: list[nbformat.NotebookNode]) -> int:
    return sum(len(re.findall(r"\S+", c.source)) for c in cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_sitting(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert len(nb.cells) <= 60, f"{len(nb.cells)} cells in the instructors' notebook: split the lesson (at most 60)"
    assert words(nb.cells) <= 2000, f"{words(nb.cells)} words of markdown: at most 2,000 with the model answers"
    assert len(exercises(nb, path.name)) <= 4, "at most 4 exercises: one sitting"


@pytest.fixture(scope="module")
def students_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The students' notebooks as `make student` writes them (otter assign adds check cells, answer
    cells and HTML comments around open questions), built once."""
    return student.build(NOTEBOOKS, tmp_path_factory.mktemp("edition") / "out") / "notebooks"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_sitting_in_the_students_edition(path: Path, students_edition: Path) -> None:
    nb = nbformat.read(students_edition / path.name, as_version=4)
    assert len(nb.cells) <= 60, f"{len(nb.cells)} cells in the students' edition: split the lesson (at most 60)"
    assert words(nb.cells) <= 1800, f"{words(nb.cells)} words of markdown in the students' edition (at most 1,800)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_and_clean(path: Path) -> None:
    assert problems(path) == []


def test_pairing_check_catches_drift(tmp_path: Path) -> None:
    src = NOTEBOOKS[0]
    for suffix in (".ipynb", ".py"):
        (tmp_path / src.with_suffix(suffix).name).write_bytes(src.with_suffix(suffix).read_bytes())
    (tmp_path / "jupytext.toml").write_bytes((kit_root() / "jupytext.toml").read_bytes())
    copy = tmp_path / src.name
    assert problems(copy) == []
    script = copy.with_suffix(".py")
    script.write_text(script.read_text() + "\n# %%\nprint('added only to the script')\n")
    assert any("out of sync" in p for p in problems(copy))
    nb = nbformat.read(copy, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="leaked /content/drive/MyDrive/me")]
    nb.cells[2].cell_type = "code"
    nbformat.write(nb, copy)
    assert any("holds outputs" in p for p in problems(copy))
