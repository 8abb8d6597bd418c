"""Self-checks for the exercises: a clear verdict and a hint, never the answer."""

from __future__ import annotations

import math
from typing import Any


def check(name: str, answer: Any, expected: Any, hint: str, tol: float = 1e-6) -> None:
    """Compare `answer` with `expected`: print a verdict, raise AssertionError with a hint if wrong.

    An answer left as `None` (or `...`) prints "not answered yet", so a notebook still runs
    top to bottom before the student has tried the exercise.
    """
    if answer is None or answer is Ellipsis:
        print(f"{name}: not answered yet. Replace the None above with your answer and run both cells.")
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            ok = math.isclose(float(answer), float(expected), rel_tol=tol, abs_tol=tol)
        except (TypeError, ValueError):
            ok = False
    else:
        ok = answer == expected
    if not ok:
        raise AssertionError(f"{name}: {answer!r} is not right yet. Hint: {hint}")
    print(f"{name}: correct.")
