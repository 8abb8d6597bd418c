"""What the notebook checks (pairing, hygiene) share: run one check over the notebooks named, report, exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def check_notebooks(name: str, argv: list[str], problems: Callable[[Path], list[str]]) -> int:
    """Print every problem `problems` finds in the notebooks named, then a summary line; 1 if any."""
    if not argv:
        print(f"{name}: no notebooks to check.")
        return 0
    issues = [p for notebook in argv for p in problems(Path(notebook))]
    for issue in issues:
        print(issue)
    print(f"{name}: {len(argv)} notebook(s) checked, {len(issues)} problem(s).")
    return 1 if issues else 0
