"""The instructors' exercise cells (tools/exercise_cells.py): what they become in Otter Assign's
format, and the errors that name a badly marked cell."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

from tools.exercise_cells import ExerciseFormatError, exercises, to_otter

FIXTURE = Path(__file__).parent / "fixtures" / "99_demo.py"


def heads(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source.splitlines()[0] if c.cell_type == "raw" else c.cell_type for c in nb.cells]


def test_exercises_of_the_fixture() -> None:
    nb = jupytext.read(FIXTURE)
    found = exercises(nb)
    assert [e.name for e in found] == ["q99_1", "q99_2", "q99_3"]
    assert [e.config["points"] for e in found] == [2, 2, 1] and found[2].config["manual"] is True
    for exercise in found[:2]:
        assert len(exercise.solutions) == 1 and len(exercise.tests) == 2
        assert exercise.solutions[0] == exercise.prompt + 1 and exercise.tests == [exercise.prompt + 2, exercise.prompt + 3]


def test_to_otter_writes_the_boundary_cells() -> None:
    nb = jupytext.read(FIXTURE)
    otter = to_otter(nb, "99_demo")
    question = ["# BEGIN QUESTION", "markdown", "# BEGIN SOLUTION", "code", "# END SOLUTION",
                "# BEGIN TESTS", "code", "code", "# END TESTS", "# END QUESTION"]
    manual = ["# BEGIN QUESTION", "markdown", "# BEGIN SOLUTION", "markdown", "# END SOLUTION", "# END QUESTION"]
    assert heads(otter) == heads(nb)[:4] + question + question + manual
    begin = [c.source for c in otter.cells if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
    assert begin[0] == '# BEGIN QUESTION\nname: "q99_1"\npoints: 2'
    assert all("question" not in c.metadata and not {"solution", "test"} & set(c.metadata.get("tags", []))
               for c in otter.cells)
    assert "question" in nb.cells[4].metadata, "the notebook itself is left as it was"
    tests = [c.source for c in otter.cells if c.cell_type == "code" and "def test_" in c.source]
    public = [t for t in tests if "hidden: true" not in t]
    assert public and all(t.startswith('""" # BEGIN TEST CONFIG\npoints: 0\nsuccess_message: ') for t in public)
    assert all("points:" not in t for t in tests if "hidden: true" in t), "the question's points go to the hidden tests"


def test_a_manual_question_with_a_markdown_answer() -> None:
    nb = nbformat.v4.new_notebook()
    prompt = nbformat.v4.new_markdown_cell("**Exercise 3.** Why?")
    prompt.metadata["question"] = {"name": "q1", "manual": True, "points": 1}
    answer = nbformat.v4.new_markdown_cell("Because.")
    answer.metadata["tags"] = ["solution"]
    nb.cells = [prompt, answer, nbformat.v4.new_markdown_cell("## What's next")]
    otter = to_otter(nb)
    assert heads(otter) == ["# BEGIN QUESTION", "markdown", "# BEGIN SOLUTION", "markdown", "# END SOLUTION",
                            "# END QUESTION", "markdown"]
    assert "manual: true" in otter.cells[0].source


def _marked(*cells: tuple[str, str, dict]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source, metadata in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.metadata.update(metadata)
        nb.cells.append(cell)
    return nb


PROMPT = ("markdown", "**Exercise 1.**", {"question": {"name": "q1", "points": 1}})
SOLUTION = ("code", "x = 1  # SOLUTION", {"tags": ["solution"]})
TEST = ("code", "def test_q1(x):\n    assert x", {"tags": ["test"]})


@pytest.mark.parametrize(("cells", "message"), [
    ((("code", "x = 1", {}), SOLUTION), "cell 2: tagged 'solution' but follows no exercise prompt"),
    ((PROMPT, ("code", "y = 2", {}), SOLUTION), "cell 3: tagged 'solution' but follows no exercise prompt"),
    ((PROMPT, TEST, SOLUTION), "cell 3: a solution cell after q1's test cells"),
    ((PROMPT, TEST), "cell 1: exercise q1 has no 'solution' cell"),
    ((PROMPT, SOLUTION, ("markdown", "no", {"tags": ["test"]})), "cell 3: a test cell must be a code cell"),
    ((("markdown", "x", {"question": {"points": 1}}), SOLUTION), "cell 1: the `question` metadata needs a name"),
    ((PROMPT, SOLUTION, PROMPT, SOLUTION), "cell 3: a second exercise named 'q1'"),
    ((PROMPT, ("code", "x = 1", {"tags": ["solution", "test"]})), "cell 2: tagged both"),
])
def test_a_badly_marked_cell_is_named(cells: tuple, message: str) -> None:
    with pytest.raises(ExerciseFormatError, match="^lesson.ipynb, " + message.replace("(", r"\(")):
        to_otter(_marked(*cells), "lesson.ipynb")
