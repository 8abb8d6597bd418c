"""The exercises' checks: Otter-Grader's `grader.check("q1")` in the students' edition.

The kit's notebooks are the instructors' edition: each exercise holds its model solution and
its public and hidden tests, for Otter-Grader. `make student` writes the students'
edition, where each solution is replaced by `...`, the hidden tests are gone and the public
tests sit in `notebooks/tests/<notebook>/`. There, the exercises' first cell

    grader = grading.grader("01_mnist_autoencoder")

loads those public tests, and each `grader.check("q01_1")` cell runs them on the student's
answer. A public test only says whether an answer has the right form (answered, a whole number,
a function that returns an array of the right shape); whether it is right is for the hidden
tests, which run when the instructor grades the submission (`make grade`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.runtime import kit_root


def tests_dir(notebook: str, kit: Path | None = None) -> Path:
    """Where the students' edition keeps a notebook's public tests."""
    return (kit or kit_root()) / "notebooks" / "tests" / notebook


def grader(notebook: str, kit: Path | None = None) -> Any:
    """An `otter.Notebook` for `notebook` (its stem, e.g. "01_mnist_autoencoder"), or None in the
    instructors' edition, which has no public-tests folder: its test cells run right after each
    solution instead."""
    import otter  # imported here: the instructors' edition runs without it

    if getattr(otter.Notebook, "_grading_mode", False):  # an instructor grading a submission
        return otter.Notebook()
    folder = tests_dir(notebook, kit)
    if not folder.is_dir():
        print("Instructors' edition: every exercise holds its solution, and the test cells below each one "
              "check it. `make student` writes the students' edition.")
        return None
    path = folder.parent.parent / f"{notebook}.ipynb"
    return otter.Notebook(str(path) if path.is_file() else None, tests_dir=str(folder))
