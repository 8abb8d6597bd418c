"""A pytest plugin for the nbval runs: no red box a student would read as a failure, and the outputs kept.

    python -m pytest --nbval-lax -p tools.nbval_outputs [--keep-outputs DIR] notebooks/NN_*.ipynb

- A cell that writes to stderr fails, with what it wrote: in Jupyter and Colab every stderr line is
  a red box, and a student reads it as "something broke". So does a `WARNING:tensorflow:` line
  on stdout (TensorFlow's logger writes there in an interactive kernel). Cells tagged
  `raises-exception` (the slides' old calls, shown failing on purpose) are exempt.
- A cell whose text output runs over `--max-output-lines` lines (default 60, about a screen) fails:
  a student scrolls past it and misses what it says.
- `--expect-unanswered` (for the students' edition, where every answer is still `...`): a
  `grader.check(...)` cell fails unless it reports "not answered".
- `--keep-outputs DIR` writes each notebook, with the outputs this run produced, to
  DIR/<name>.ipynb when its last cell has run (for reading full-mode figures after the run;
  committed notebooks stay without outputs).

`make nbval` and `make test-colab` load it. The check reads what nbval collected from the kernel
(`IPyNbCell.test_outputs`), so it costs nothing.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

EXEMPT_TAG = "raises-exception"
#: A warning or error line of TensorFlow's or absl's Python logger ("WARNING:tensorflow:... retracing").
FRAMEWORK_WARNING = re.compile(r"^(WARNING|ERROR):(tensorflow|absl):")
SHOWN_LINES = 12
MAX_OUTPUT_LINES = 60


def output_lines(outputs: list[Any]) -> int:
    """Lines of text a cell's outputs show: streams, and the plain text of results (not images or HTML tables)."""
    count = 0
    for out in outputs:
        if out.get("output_type") == "stream":
            count += len(out.get("text", "").splitlines())
        elif out.get("output_type") == "error":
            count += len(out.get("traceback", []))
        else:
            data = out.get("data", {})
            if "text/html" not in data and "image/png" not in data:
                count += len(str(data.get("text/plain", "")).splitlines())
    return count


def unanswered_problem(cell: Any, outputs: list[Any]) -> str | None:
    """In the students' edition: why a grader.check cell's report is not 'not answered', or None."""
    if "grader.check(" not in cell.get("source", ""):
        return None
    shown = "".join(out.get("text", "") + str(out.get("data", {}).get("text/plain", "")) for out in outputs)
    if "not answered" in shown:
        return None
    return "the check of an unanswered exercise did not report 'not answered':\n" + "\n".join(
        "    " + line for line in shown.splitlines()[:SHOWN_LINES])


def pytest_addoption(parser: pytest.Parser) -> None:
    """--keep-outputs DIR."""
    parser.addoption("--keep-outputs", metavar="DIR", default=None,
                     help="write each notebook with this run's outputs to DIR/<name>.ipynb")
    parser.addoption("--max-output-lines", type=int, default=MAX_OUTPUT_LINES,
                     help="fail a cell whose text output is longer (default %(default)s)")
    parser.addoption("--expect-unanswered", action="store_true",
                     help="the students' edition: every grader.check cell must report 'not answered'")


def stderr_text(outputs: list[Any]) -> str:
    """Everything a cell's outputs wrote to stderr, in order."""
    return "".join(out.get("text", "") for out in outputs
                   if out.get("output_type") == "stream" and out.get("name") == "stderr")


def problem(cell: Any, outputs: list[Any]) -> str | None:
    """Why this cell's outputs would alarm a student (a red stderr box, a framework's WARNING line), or None."""
    if EXEMPT_TAG in cell.get("metadata", {}).get("tags", []):
        return None
    text = stderr_text(outputs).strip()
    if text:
        what = "the cell wrote to stderr, a red box a student reads as a failure"
    else:  # TensorFlow's Python logger writes to stdout in an interactive kernel: the same warning, not red
        printed = "".join(out.get("text", "") for out in outputs if out.get("output_type") == "stream")
        text = "\n".join(line for line in printed.splitlines() if FRAMEWORK_WARNING.match(line))
        what = "the cell printed a framework's warning, which a student reads as a failure"
    if not text:
        return None
    lines = text.splitlines()
    shown = "\n".join("    " + line for line in lines[:SHOWN_LINES])
    more = f"\n    ... ({len(lines) - SHOWN_LINES} more lines)" if len(lines) > SHOWN_LINES else ""
    return (f"{what}:\n{shown}{more}\n"
            "Avoid or silence it at its cause (colab_setup.quiet_tensorflow_logs filters TensorFlow's known "
            f"chatter); only a cell tagged {EXEMPT_TAG} may show it.")


class _Kept:
    """Executed copies of the notebooks, filled cell by cell and written when a notebook's last cell has run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notebooks: dict[str, Any] = {}

    def record(self, item: Any) -> None:
        parent = item.parent
        key = str(parent.fspath)
        if key not in self.notebooks:
            self.notebooks[key] = copy.deepcopy(parent.nb)
        code_cells = [cell for cell in self.notebooks[key].cells if cell.get("cell_type") == "code"]
        code_cells[item.cell_num]["outputs"] = [dict(out) for out in (item.test_outputs or [])]  # nbval counts code cells
        if item.cell_num == len(code_cells) - 1:
            self.write(key)

    def write_all(self) -> None:
        """Write the notebooks whose last cell never ran (a stopped run), as far as they got."""
        for key in list(self.notebooks):
            self.write(key)

    def write(self, key: str) -> None:
        import nbformat

        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / Path(key).name
        partial = target.with_suffix(".ipynb.partial")
        notebook = self.notebooks.pop(key)
        for cell in notebook.cells:
            if cell.get("cell_type") == "code":
                cell["outputs"] = [nbformat.from_dict(_as_output(out)) for out in cell.get("outputs", [])]
        partial.write_text(nbformat.writes(notebook))
        partial.replace(target)  # never a half-written notebook


def _as_output(out: dict[str, Any]) -> dict[str, Any]:
    """nbval's collected output in nbformat's shape (it records messages, e.g. 'stream' with name and text)."""
    kind = out.get("output_type")
    if kind == "stream":
        return {"output_type": "stream", "name": out.get("name", "stdout"), "text": out.get("text", "")}
    if kind in ("display_data", "execute_result"):
        shaped = {"output_type": kind, "data": dict(out.get("data", {})), "metadata": dict(out.get("metadata", {}))}
        if kind == "execute_result":
            shaped["execution_count"] = out.get("execution_count")
        return shaped
    if kind == "error":
        return {"output_type": "error", "ename": out.get("ename", ""), "evalue": out.get("evalue", ""),
                "traceback": list(out.get("traceback", []))}
    return {"output_type": "stream", "name": "stdout", "text": ""}


def pytest_configure(config: pytest.Config) -> None:
    """Register the keeper when --keep-outputs is given."""
    folder = config.getoption("--keep-outputs")
    config._nbval_kept = _Kept(Path(folder)) if folder else None  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Write what a stopped run left unwritten."""
    kept = getattr(config, "_nbval_kept", None)
    if kept is not None:
        kept.write_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """After a notebook cell ran: keep its outputs, and fail it when it wrote to stderr."""
    outcome = yield
    if call.when != "call" or not hasattr(item, "test_outputs") or not hasattr(item, "cell"):
        return
    outputs = item.test_outputs or []
    kept = item.config._nbval_kept  # type: ignore[attr-defined]
    if kept is not None:
        kept.record(item)
    report = outcome.get_result()
    if not report.passed:
        return
    why = problem(item.cell, outputs)
    limit = item.config.getoption("--max-output-lines")
    if not why and output_lines(outputs) > limit:
        why = (f"the cell's output is {output_lines(outputs)} lines, over {limit} (about a screen): print a summary "
               "line, use verbose=0, or plot it")
    if not why and item.config.getoption("--expect-unanswered"):
        why = unanswered_problem(item.cell, outputs)
    if why:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: {why}"
