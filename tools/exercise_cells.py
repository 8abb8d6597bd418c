"""The exercises of an instructors' notebook, and the Otter Assign notebook they become.

An instructors' notebook marks each exercise with cell metadata rather than with Otter Assign's
raw boundary cells (`# BEGIN QUESTION`, `# BEGIN SOLUTION`, `# BEGIN TESTS` and their ends):
those are six to eight extra cells an exercise, which would take a lesson past its 60 cells and
clutter the notebook an instructor teaches from. In the paired script:

    # %% [markdown] question={"name": "q04_1", "points": 2}    the prompt; the metadata is Otter's
                                                               question config (`manual: true`
                                                               for an open question)
    # %% tags=["solution"]                                     its solution: code with Otter's
                                                               `# SOLUTION` markers, or a markdown
                                                               model answer
    # %% tags=["test"]                                         its tests (a hidden one starts with
                                                               Otter's TEST CONFIG docstring)

An exercise is its prompt and the run of `solution` cells, then `test` cells, right after it.
`to_otter` writes the boundary cells around them, so `otter assign` reads the format it documents
(tools/student.py runs it).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import nbformat

SOLUTION = "solution"
TEST = "test"


class ExerciseFormatError(ValueError):
    """An exercise's cells are not marked as the module docstring says."""


@dataclass
class Exercise:
    """One exercise: Otter's question config and the indices of its cells in the notebook."""

    config: dict
    prompt: int
    solutions: list[int] = field(default_factory=list)
    tests: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.config["name"]


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _role(cell: nbformat.NotebookNode) -> str | None:
    tags = _tags(cell)
    if SOLUTION in tags and TEST in tags:
        return "both"
    return SOLUTION if SOLUTION in tags else TEST if TEST in tags else None


def exercises(nb: nbformat.NotebookNode, where: str = "the notebook") -> list[Exercise]:
    """The exercises of `nb`, checked; `where` names the notebook in an error."""
    found: list[Exercise] = []
    current: Exercise | None = None
    for index, cell in enumerate(nb.cells):
        at = f"{where}, cell {index + 1}"
        config = cell.get("metadata", {}).get("question")
        role = _role(cell)
        if config is not None:
            if cell.cell_type != "markdown":
                raise ExerciseFormatError(f"{at}: `question` metadata belongs on the exercise's markdown prompt, "
                                          f"not on a {cell.cell_type} cell.")
            if not isinstance(config, dict) or not isinstance(config.get("name"), str) or not config["name"]:
                raise ExerciseFormatError(f"{at}: the `question` metadata needs a name, e.g. "
                                          '{"name": "q04_1", "points": 2}.')
            if role is not None:
                raise ExerciseFormatError(f"{at}: a prompt cannot also be tagged '{role}'.")
            if any(e.name == config["name"] for e in found):
                raise ExerciseFormatError(f"{at}: a second exercise named {config['name']!r}; give it its own name.")
            current = Exercise(dict(config), index)
            found.append(current)
            continue
        if role is None:
            current = None  # the exercise ended at the cell before
            continue
        if role == "both":
            raise ExerciseFormatError(f"{at}: tagged both '{SOLUTION}' and '{TEST}'; a cell is one or the other.")
        if current is None:
            raise ExerciseFormatError(f"{at}: tagged '{role}' but follows no exercise prompt (a markdown cell with "
                                      "`question` metadata, then its solution and test cells with nothing between).")
        if role == SOLUTION:
            if current.tests:
                raise ExerciseFormatError(f"{at}: a solution cell after {current.name}'s test cells; "
                                          "put the solution cells first.")
            current.solutions.append(index)
        else:
            if cell.cell_type != "code":
                raise ExerciseFormatError(f"{at}: a test cell must be a code cell.")
            current.tests.append(index)
    for exercise in found:
        if not exercise.solutions:
            raise ExerciseFormatError(f"{where}, cell {exercise.prompt + 1}: exercise {exercise.name} has no "
                                      f"'{SOLUTION}' cell after its prompt.")
    return found


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


TEST_CONFIG = '""" # BEGIN TEST CONFIG'
FORM_ONLY = "The answer has the right form. This check tests the form only; the hidden tests grade it."
PUBLIC_CONFIG = f'{TEST_CONFIG}\npoints: 0\nsuccess_message: {json.dumps(FORM_ONLY)}\n""" # END TEST CONFIG\n'


def to_otter(nb: nbformat.NotebookNode, where: str = "the notebook") -> nbformat.NotebookNode:
    """A copy of `nb` in Otter Assign's format: each exercise wrapped in its raw boundary cells,
    the `question` metadata and the solution/test tags taken off. A public test (one without
    Otter's TEST CONFIG) is given 0 points and a message that it tested the form only, so all of a
    question's points sit on its hidden tests: a wrong answer of the right form earns nothing."""
    found = {e.prompt: e for e in exercises(nb, where)}
    out = copy.deepcopy(nb)
    cells: list[nbformat.NotebookNode] = []
    index = 0
    while index < len(nb.cells):
        exercise = found.get(index)
        if exercise is None:
            cells.append(out.cells[index])
            index += 1
            continue
        prompt = out.cells[exercise.prompt]
        del prompt.metadata["question"]
        config = "\n".join(f"{key}: {json.dumps(value)}" for key, value in exercise.config.items())  # JSON is YAML
        cells += [_raw("# BEGIN QUESTION\n" + config), prompt]
        for block, indices in (("SOLUTION", exercise.solutions), ("TESTS", exercise.tests)):
            if not indices:
                continue
            cells.append(_raw(f"# BEGIN {block}"))
            for i in indices:
                cell = out.cells[i]
                cell.metadata["tags"] = [t for t in _tags(cell) if t not in (SOLUTION, TEST)]
                if not cell.metadata["tags"]:
                    del cell.metadata["tags"]
                if block == "TESTS" and not cell.source.lstrip().startswith(TEST_CONFIG):
                    cell.source = PUBLIC_CONFIG + cell.source
                cells.append(cell)
            cells.append(_raw(f"# END {block}"))
        cells.append(_raw("# END QUESTION"))
        index = max([exercise.prompt, *exercise.solutions, *exercise.tests]) + 1
    out.cells = cells
    return out
