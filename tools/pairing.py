"""Check that each notebook is paired with an up-to-date py:percent script and holds no outputs.

    python -m tools.pairing notebooks/*.ipynb     # exit 1 and say what to do on any problem
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.config import load_jupytext_config

from tools.checks import check_notebooks


def problems(notebook: Path) -> list[str]:
    """What is wrong with one notebook and its pair (empty list = all good)."""
    found = []
    script = notebook.with_suffix(".py")
    nb = nbformat.read(notebook, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            found.append(f"{notebook}: cell {number} holds outputs; clear them before committing "
                         "(Edit > Clear Outputs of All Cells, or `jupyter nbconvert --clear-output --inplace`).")
            break
    if not script.is_file():
        found.append(f"{notebook}: its paired script {script} is missing; run `make sync`.")
        return found
    config = load_jupytext_config(str(notebook.parent))
    expected = jupytext.writes(jupytext.read(notebook), fmt="py:percent", config=config)
    if expected != script.read_text(encoding="utf-8"):
        paired = jupytext.read(script)
        same_cells = [(c.cell_type, c.source) for c in paired.cells] == [(c.cell_type, c.source) for c in nb.cells]
        what = "differ only in metadata" if same_cells else "have different cells"
        found.append(f"{notebook} and {script} {what}: they are out of sync; run `make sync` "
                     "(jupytext --sync) and commit both.")
    return found


def main(argv: list[str]) -> int:
    """Check every notebook given; print the problems; return the exit status."""
    return check_notebooks("pairing", argv, problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
