"""tools/glocal_speed.py: the authors' notebook becomes a script with only the Colab lines, the data path and the
epochs changed, and anything else is refused with a message naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import glocal_speed


def notebook(tmp_path: Path, cells: list[str]) -> Path:
    path = tmp_path / "GLocal_K.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]
                                + [{"cell_type": "markdown", "source": "epoch_p = 1"}]}))
    return path


def test_the_script_changes_only_the_colab_lines_the_data_path_and_the_epochs(tmp_path: Path) -> None:
    path = notebook(tmp_path, [
        "from google.colab import drive\ndrive.mount('/content/drive')",
        "%tensorflow_version 1.x\nimport numpy as np",
        "data_path = ''",
        "if dataset == 'ML-100K':\n    lambda_2 = 20.  # l2\n    epoch_p = 30  # training epoch\n    epoch_f = 60\n"
        "elif dataset == 'ML-1M':\n    epoch_p = 20\n    epoch_f = 30",
        "optimizer_p.minimize(sess, feed_dict={R: train_r})"])
    script = glocal_speed.authors_script(path, Path("/data/here"), 3)
    assert "google.colab" not in script and "drive.mount" not in script and "%tensorflow" not in script
    assert "import numpy as np" in script and "data_path = '/data/here'" in script
    assert "    epoch_p = 3  # training epoch" in script and "    epoch_f = 3\n" in script
    assert "    epoch_p = 20" in script and "    epoch_f = 30" in script  # ML-1M's are left alone
    assert "lambda_2 = 20." in script


def test_another_notebook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not GLocal-K's notebook"):
        glocal_speed.authors_script(notebook(tmp_path, ["print('hello')"]), tmp_path, 3)
    bad = tmp_path / "broken.ipynb"
    bad.write_text("{not json")
    with pytest.raises(SystemExit, match="broken.ipynb: not a readable notebook"):
        glocal_speed.authors_script(bad, tmp_path, 3)
