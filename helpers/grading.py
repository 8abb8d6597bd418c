"""The exercises' checks. In the students' edition (`make student`) an exercise's first cell opens
`grader = grading.grader("NN_name")`, Otter-Grader's notebook over the lesson's public tests
(`notebooks/tests/NN_name/`), and each `grader.check("qNN_k")` runs them: they check an answer's form
only; the hidden tests, run when the instructor grades (`make grade`), decide the points."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.runtime import kit_root


def grader(notebook: str, kit: Path | None = None) -> Any:
    """An `otter.Notebook` for `notebook` (its stem, e.g. "01_mnist_autoencoder"), or None in the
    instructors' edition, which has no public-tests folder: its test cells run right after each
    solution instead."""
    import otter  # imported here: the instructors' edition runs without it

    if getattr(otter.Notebook, "_grading_mode", False):  # an instructor grading a submission
        return otter.Notebook()
    folder = (kit or kit_root()) / "notebooks" / "tests" / notebook
    if not folder.is_dir():
        print("Instructors' edition: every exercise holds its solution, and the test cells below each one "
              "check it. `make student` writes the students' edition.")
        return None
    path = folder.parent.parent / f"{notebook}.ipynb"
    return otter.Notebook(str(path) if path.is_file() else None, tests_dir=str(folder))


def _exported() -> set[str]:
    """The names the lessons export to helpers/ (the generated modules' __all__): a notebook's own copy is the kit's."""
    texts = [p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py")]
    return {n for t in texts if t.startswith("# Generated from") for node in ast.parse(t).body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
            for n in ast.literal_eval(node.value)}


def kit_names_used(answer: Callable, allowed: tuple[str, ...] = ()) -> list[str]:
    """The kit's names (from `helpers`, or exported there by a lesson) that `answer` uses or subclasses, directly
    or through its notebook's own code, except `allowed`: an answer that calls the kit's version scores nothing."""
    found, seen, todo, exported, here = set(), set(), [answer], _exported(), getattr(answer, "__module__", None)

    def kit(obj: Any, name: str) -> bool:
        home = obj.__name__ if inspect.ismodule(obj) else str(getattr(obj, "__module__", "") or "")
        return name not in allowed and (home.split(".")[0] == "helpers" or (home == here and name in exported))

    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if inspect.isclass(item):
            found.update(b.__name__ for b in item.__mro__[1:] if kit(b, b.__name__))
            todo += [f for f in vars(item).values() if inspect.isfunction(f)]
            continue
        env, codes = getattr(item, "__globals__", {}), [getattr(item, "__code__", None)]
        while codes:
            code = codes.pop()
            if code is None:
                continue
            codes += [c for c in code.co_consts if inspect.iscode(c)]
            for name in code.co_names:
                obj = env.get(name)
                if obj is not None and kit(obj, name):
                    found.add(name)
                elif (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", None) == here:
                    todo.append(obj)
    return sorted(found)
