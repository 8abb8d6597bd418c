"""The hygiene check refuses notebooks that would leak outputs, addresses, tokens or Drive paths."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import nbformat
import pytest

from helpers.runtime import kit_root
from tools import hygiene

NOTEBOOKS = sorted((kit_root() / "notebooks").glob("*.ipynb"))


def notebook_with(tmp_path: Path, source: str = "x = 1", **extra: object) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["colab"] = {"provenance": []}
    cell = nbformat.v4.new_code_cell(source)
    for key, value in extra.items():
        cell[key] = value
    nb.cells.append(cell)
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.notebooks
def test_committed_notebooks_are_clean() -> None:
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        assert hygiene.problems(path) == [], path


def test_clean_notebook_passes(tmp_path: Path) -> None:
    assert hygiene.problems(notebook_with(tmp_path, 'run = "/content/drive/MyDrive/ae-recsys-runs/x"')) == []


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("# mail me: jane.doe@university.edu", "e-mail address"),
        ("code = '4/0AX4XfWh1234567890abcdefghijklmnop'", "OAuth authorisation code"),
        ("token = 'ya29.a0AfH6SMBx1234567890abcdefghij'", "OAuth access token"),
        ("refresh = '1//0gAbCdEfGhIjKlMnOpQrStUvWx'", "refresh token"),
        ("key = 'AIzaSyA1234567890abcdefghijklmnopqrstuv'", "API key"),
        ("gh = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'", "GitHub token"),
        ("open('/content/drive/MyDrive/jane_thesis/data.csv')", "personal Drive path"),
        ("open('/content/drive/My Drive/Private/notes.txt')", "personal Drive path"),
    ],
)
def test_leaks_are_refused(tmp_path: Path, source: str, words: str) -> None:
    found = hygiene.problems(notebook_with(tmp_path, source))
    assert any(words in p for p in found), found
    assert hygiene.main([str(tmp_path / "lesson.ipynb")]) == 1


def test_outputs_and_authorship_are_refused(tmp_path: Path) -> None:
    out = [nbformat.v4.new_output("stream", text="hello")]
    assert any("holds outputs" in p for p in hygiene.problems(notebook_with(tmp_path, outputs=out)))
    assert any("execution count" in p for p in hygiene.problems(notebook_with(tmp_path, execution_count=3)))
    path = notebook_with(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["colab"] = {"provenance": [{"file_id": "1AbC"}], "authorship_tag": "ABX9Tq"}
    nbformat.write(nb, path)
    assert any("authorship" in p for p in hygiene.problems(path))


def test_what_nbstripout_strips_is_refused(tmp_path: Path) -> None:
    timed = notebook_with(tmp_path, metadata={"ExecuteTime": {"end_time": "2026-01-01T10:00:00"}})
    assert any("cell 1 holds outputs, an execution count or run metadata" in p for p in hygiene.problems(timed))
    path = notebook_with(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                           "version_minor": 0}}
    nbformat.write(nb, path)
    assert any("metadata holds widget state" in p for p in hygiene.problems(path))


@pytest.mark.slow  # walks the whole kit folder twice
def test_setup_never_writes_drive_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import colab_setup

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    tokens = []

    def mount(path: str, force_remount: bool = False) -> None:
        tokens.append("ya29.secret-token-held-only-in-memory")  # what the real dialog yields

    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=mount)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(colab_setup, "install", lambda pkgs: None)
    before = {p for p in kit_root().rglob("*") if not any(part.startswith(".venv") for part in p.parts)}
    monkeypatch.delenv("COURSE_DRIVE_MOUNTPOINT", raising=False)  # setup() sets it; undone after the test
    colab.drive.mount(str(tmp_path / "drive"))  # what the setup cell does before it calls setup()
    colab_setup.setup(quiet=True)
    assert tokens, "the stand-in Drive was mounted"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], f"setup wrote {written}"
    after = {p for p in kit_root().rglob("*") if not any(part.startswith(".venv") for part in p.parts)}
    new = [p for p in after - before if "__pycache__" not in p.parts and ".pytest_cache" not in p.parts]
    assert new == [], f"setup wrote {new} into the kit"
    for path in after:
        if path.is_file() and path.suffix in {".json", ".txt", ".pickle", ".ini"} and os.access(path, os.R_OK):
            assert "ya29." not in path.read_text(errors="ignore"), path


def test_shared_drive_folders_are_fine() -> None:
    assert hygiene.scan_text('%cd "/content/drive/MyDrive/Colab Notebooks"') == []
    assert hygiene.scan_text("open('/content/drive/MyDrive/ae-recsys-runs/x.csv')") == []
    assert hygiene.scan_text("under `/content/drive/MyDrive` today") == []
    assert hygiene.scan_text("'/content/drive/MyDrive/Jane Doe thesis/x'") != []
