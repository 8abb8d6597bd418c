"""Every lesson has the kit's anatomy: the shared setup cell, a parameters cell, goals,
results and exercises, the Colab GPU setting, no outputs, and a paired script."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers.runtime import kit_root
from tools.pairing import problems

NOTEBOOKS = sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.notebooks


def setup_cell(nb: nbformat.NotebookNode) -> str:
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "import colab_setup" in c.source]
    assert len(cells) == 1, "exactly one setup cell"
    return cells[0]


def test_there_are_lessons() -> None:
    assert NOTEBOOKS, "notebooks/ holds no NN_*.ipynb lesson"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_anatomy(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    template = jupytext.read(kit_root() / "templates" / "lesson.py")
    assert setup_cell(nb) == setup_cell(template), "the setup cell must be the template's, unchanged"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {path.stem[:2]} ")
    assert "After this notebook you can" in nb.cells[0].source
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and "smoke_or" in tagged[0].source
    after = nb.cells[nb.cells.index(tagged[0]) + 1]
    assert "check_params(" in after.source, "the cell after the parameters checks them (a wrong kind fails there)"
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    for needed in ("## Results", "## Exercises"):
        assert any(h.startswith(needed) for h in headings), f"no '{needed}' section"
    assert any("check(" in c.source for c in nb.cells if c.cell_type == "code"), "exercises need a self-check"
    assert nb.metadata.get("accelerator") == "GPU", "Colab should open it with a GPU runtime"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_and_clean(path: Path) -> None:
    assert problems(path) == []


def test_pairing_check_catches_drift(tmp_path: Path) -> None:
    src = NOTEBOOKS[0]
    for suffix in (".ipynb", ".py"):
        (tmp_path / src.with_suffix(suffix).name).write_bytes(src.with_suffix(suffix).read_bytes())
    (tmp_path / "jupytext.toml").write_bytes((kit_root() / "jupytext.toml").read_bytes())
    copy = tmp_path / src.name
    assert problems(copy) == []
    script = copy.with_suffix(".py")
    script.write_text(script.read_text() + "\n# %%\nprint('added only to the script')\n")
    assert any("out of sync" in p for p in problems(copy))
    nb = nbformat.read(copy, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="leaked /content/drive/MyDrive/me")]
    nb.cells[2].cell_type = "code"
    nbformat.write(nb, copy)
    assert any("holds outputs" in p for p in problems(copy))
