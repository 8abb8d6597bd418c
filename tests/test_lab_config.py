"""JupyterLab as `make lab` starts it saves notebooks without outputs, and the pair stays in sync."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from helpers.runtime import kit_root
from tools.jupyter_server_config import strip_outputs
from tools.pairing import problems

CONFIG = kit_root() / "tools" / "jupyter_server_config.py"
LESSON = kit_root() / "notebooks" / "02_rating_matrix_autoencoder.ipynb"


def run_notebook_by_hand(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What a lab session adds to a notebook: outputs, counts, the kernel's language_info, widget state."""
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
                        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=count)]
        cell.execution_count = count
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.0"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    return nb


def test_strip_outputs_clears_a_notebook_model() -> None:
    nb = run_notebook_by_hand(nbformat.read(LESSON, as_version=4))
    model = {"type": "notebook", "content": nb}
    strip_outputs(model, path="notebooks/x.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "language_info" not in nb.metadata and "widgets" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3" and nb.metadata["accelerator"] == "GPU"  # the rest is kept
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_strip_outputs_leaves_other_files_alone() -> None:
    text = {"type": "file", "format": "text", "content": "# %%\nprint(1)\n"}
    strip_outputs(text, path="notebooks/x.py")
    assert text["content"] == "# %%\nprint(1)\n"
    strip_outputs({"type": "directory", "content": None}, path="notebooks")


@pytest.mark.parametrize("root", ["kit", "notebooks"], ids=["lab-on-kit", "lab-on-notebooks"])
def test_a_lab_save_writes_the_committed_notebook_and_its_pair(tmp_path: Path, root: str) -> None:
    """Through jupytext's contents manager (the one the lab uses) configured by tools/jupyter_server_config.py."""
    pytest.importorskip("jupyter_server", reason="JupyterLab is not installed here (make lab installs it)")
    import jupytext
    from traitlets.config.loader import PyFileConfigLoader

    (tmp_path / "notebooks").mkdir()
    for suffix in (".ipynb", ".py"):
        shutil.copy(LESSON.with_suffix(suffix), tmp_path / "notebooks" / LESSON.with_suffix(suffix).name)
    shutil.copy(kit_root() / "jupytext.toml", tmp_path / "jupytext.toml")
    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    root_dir = tmp_path if root == "kit" else tmp_path / "notebooks"
    manager = jupytext.TextFileContentsManager(root_dir=str(root_dir), config=config)
    path = str((tmp_path / "notebooks" / LESSON.name).relative_to(root_dir))
    nb = run_notebook_by_hand(manager.get(path)["content"])
    manager.save({"type": "notebook", "content": nb}, path)
    saved = tmp_path / "notebooks" / LESSON.name
    assert saved.read_bytes() == LESSON.read_bytes(), "a save without edits gives back the committed notebook"
    assert saved.with_suffix(".py").read_bytes() == LESSON.with_suffix(".py").read_bytes()
    assert problems(saved) == []

    nb = run_notebook_by_hand(manager.get(path)["content"])  # an edit in the lab reaches the paired script
    nb.cells.append(nbformat.v4.new_code_cell("print('added in the lab')"))
    manager.save({"type": "notebook", "content": nb}, path)
    assert "print('added in the lab')" in saved.with_suffix(".py").read_text()
    assert problems(saved) == []
