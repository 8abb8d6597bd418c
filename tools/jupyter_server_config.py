"""JupyterLab's server settings for the kit (`make lab` and `make test-browser` pass this file with --config).

JupyterLab saves a notebook with its outputs, every two minutes and on Ctrl+S, so a student who
runs a lesson would leave notebooks/ full of outputs, and `make test` (pairing and hygiene) would
fail. `strip_outputs` runs before every save and writes the notebook without outputs, execution
counts, widget state or the kernel's language_info, as the kit commits it. The open tab keeps
showing its outputs: only the file on disk is stripped (reopening the notebook shows it clean).
jupytext's contents manager (jupytext is in the kit's requirements) writes the paired .py in the
same save, so a notebook edited in the lab stays paired.
"""

from __future__ import annotations

import warnings
from typing import Any


def strip_outputs(model: dict[str, Any], path: str = "", **_: Any) -> None:
    """A ContentsManager pre_save_hook: clear outputs and execution counts of a notebook model in place."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return  # a .py, a text file, a folder: written as they are
    notebook = model["content"]
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    metadata = notebook.get("metadata", {})
    metadata.pop("widgets", None)  # ipywidgets' saved state holds what the widgets displayed
    metadata.pop("language_info", None)  # added by the kernel on a run; the committed notebooks do not carry it


if "get_config" in globals():  # loaded by Jupyter as a config file (imported by the tests, it only defines the hook)
    # jupyter_server re-validates a configured hook and then warns that it "overrides" itself: not a problem, not shown
    warnings.filterwarnings("ignore", message="Overriding existing pre_save_hook", category=UserWarning)
    c = get_config()  # noqa: F821  (Jupyter provides get_config to config files)
    c.ContentsManager.pre_save_hook = strip_outputs
