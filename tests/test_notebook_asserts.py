"""No assert in a lesson's cells compares two trained models' scores: on a student's GPU, where
kernels are not deterministic, a close comparison can flip and stop the notebook with an error the
student cannot act on. Such comparisons are printed verdicts; an assert states only what holds on
any hardware and seed (shapes, ranges, finite values, a loss that went down: the same quantity of
one model at two times). The exercises' test cells are the grader's, not the lesson's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest

from helpers.runtime import kit_root
from tools.exercise_cells import exercises

NOTEBOOKS = sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.py"))
SCORE = re.compile(r"rmse|mae|bce|loss|ndcg|recall|score|error|accuracy|auc", re.I)

pytestmark = pytest.mark.notebooks


def _root(node: ast.AST) -> str:
    """The variable a side of a comparison starts from: `history.history["loss"][-1]` -> 'history'."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ast.dump(node)


def score_comparisons(source: str) -> list[str]:
    """The asserts in `source` whose comparison puts two different scores side by side."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        for cmp in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            sides = [cmp.left, *cmp.comparators]
            texts = [ast.unparse(s) for s in sides]
            if not any(isinstance(op, ast.Lt | ast.Gt | ast.LtE | ast.GtE) for op in cmp.ops):
                continue
            if sum(bool(SCORE.search(t)) for t in texts) >= 2 and len({_root(s) for s in sides}) > 1:
                found.append(ast.unparse(node.test))
    return found


def lesson_code(path: Path) -> list[str]:
    """The code cells a student runs as lesson: not the exercises' test cells."""
    nb = jupytext.read(path)
    tests = {i for exercise in exercises(nb, path.name) for i in exercise.tests}
    return [cell.source for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and i not in tests and not cell.source.lstrip().startswith(("%", "!"))]


def test_the_check_finds_a_comparison_of_two_models() -> None:
    assert score_comparisons("assert stack_rmse < best_single_rmse - 0.001") == ["stack_rmse < best_single_rmse - 0.001"]
    assert score_comparisons("assert history.history['loss'][-1] < history.history['loss'][0]") == []
    assert score_comparisons("assert 0 < rmse < 5 and np.isfinite(rmse)") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_assert_compares_trained_models(path: Path) -> None:
    found = [c for source in lesson_code(path) for c in score_comparisons(source)]
    assert found == [], f"{path.name}: print these comparisons as verdicts instead of asserting them: {found}"
