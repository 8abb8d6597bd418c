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

import inspect
from collections.abc import Callable
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


def kit_names_used(answer: Callable, allowed: tuple[str, ...] = ()) -> list[str]:
    """The names from the kit's `helpers` that `answer` refers to, directly or through the
    functions and classes of its own notebook it calls, except `allowed`. An exercise that asks for
    the lecture's Keras code gives no points to an answer that calls the kit's version of it."""
    found: set[str] = set()
    seen: set[int] = set()
    todo: list[Any] = [answer]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if inspect.isclass(item):
            todo += [f for f in vars(item).values() if inspect.isfunction(f)]
            continue
        env = getattr(item, "__globals__", {})
        codes = [getattr(item, "__code__", None)]
        while codes:
            code = codes.pop()
            if code is None:
                continue
            codes += [c for c in code.co_consts if inspect.iscode(c)]
            for name in code.co_names:
                obj = env.get(name)
                home = obj.__name__ if inspect.ismodule(obj) else str(getattr(obj, "__module__", "") or "")
                if home.split(".")[0] == "helpers" and name not in allowed:
                    found.add(name)
                elif (inspect.isfunction(obj) or inspect.isclass(obj)) and home == getattr(answer, "__module__", None):
                    todo.append(obj)
    return sorted(found)
