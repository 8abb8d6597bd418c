"""The shared setup cell against a real Colab start, with a stand-in `google.colab`:
opened from Drive, opened from a clone, without Drive, re-run after a runtime restart, no GPU,
no kit. Colab's kernel works in /content; here a temporary `content/` folder plays that part."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jupytext
import pytest

from helpers.runtime import kit_root


def setup_cell() -> str:
    nb = jupytext.read(kit_root() / "templates" / "lesson.py")
    return next(c.source for c in nb.cells if c.cell_type == "code" and "import colab_setup" in c.source)


def run_in_fake_colab(tmp_path: Path, root: Path, runs: int = 1, use_drive: bool = True) -> subprocess.CompletedProcess:
    fake = tmp_path / "fake_site"
    (fake / "google" / "colab").mkdir(parents=True, exist_ok=True)  # google/ stays a namespace package
    (fake / "google" / "colab" / "__init__.py").write_text(textwrap.dedent('''
        import types
        def _mount(path, force_remount=False):
            print("MOUNTED", path)
        drive = types.SimpleNamespace(mount=_mount)
    '''))
    cell = setup_cell() if use_drive else setup_cell().replace("    drive.mount(", "    # drive.mount(")
    (tmp_path / "cell.py").write_text(cell)
    driver = textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {str(fake)!r})
        import google.colab  # Colab imports it before any cell runs
        source = open({str(tmp_path / "cell.py")!r}).read()
        for _ in range({runs}):
            namespace = {{"__name__": "__main__", "MODE": None}}
            exec(compile(source, {str(tmp_path / "cell.py")!r}, "exec"), namespace)  # a traceback shows its lines
            print("KIT", namespace["KIT"])
        print("PATHS", sum(p == str(namespace["KIT"]) for p in sys.path))
        print("REPEATED", len(sys.path) - len(set(sys.path)))
    ''')
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_RUNS_DIR", "COURSE_DRIVE_MOUNTPOINT")}
    return subprocess.run([sys.executable, "-c", driver], cwd=content, capture_output=True, text=True, timeout=300, env=env)


def make_kit_link(root: Path, where: str) -> Path:
    link = root / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(kit_root(), target_is_directory=True)
    return link


@pytest.mark.slow
@pytest.mark.parametrize("where", ["content/drive/MyDrive/ae-recsys-kit", "content/drive/MyDrive/courses/ae-kit",
                                   "content/ae-recsys-kit"], ids=["drive", "drive-subfolder", "clone"])
def test_finds_the_kit(tmp_path: Path, where: str) -> None:
    root = tmp_path / "root"
    make_kit_link(root, where)
    out = run_in_fake_colab(tmp_path, root)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"MOUNTED {root / 'content' / 'drive'}" in out.stdout
    assert f"KIT {kit_root()}" in out.stdout
    assert "Runtime: Google Colab" in out.stdout
    assert "Runtime > Change runtime type" in out.stdout  # no GPU here: it says how to get one
    assert "PATHS 1" in out.stdout  # imported through the link: nothing else puts the kit on sys.path


@pytest.mark.slow
def test_rerun_after_restart_is_harmless(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make_kit_link(root, "content/drive/MyDrive/ae-recsys-kit")
    out = run_in_fake_colab(tmp_path, root, runs=2)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count(f"MOUNTED {root / 'content' / 'drive'}") == 2
    assert "PATHS 1" in out.stdout  # the kit is on sys.path once, not once per run
    assert "REPEATED 0" in out.stdout  # nor is any folder the cell adds (it adds them again at every run)


def test_no_kit_says_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "content" / "drive" / "MyDrive").mkdir(parents=True)
    out = run_in_fake_colab(tmp_path, root)
    assert out.returncode != 0
    assert "ModuleNotFoundError: No module named 'colab_setup'" in out.stderr
    assert "Put the kit folder on your Drive or clone it into /content; rerun" in out.stderr


@pytest.mark.slow
def test_without_drive_a_clone_runs_and_says_runs_are_not_kept(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make_kit_link(root, "content/ae-recsys-kit")
    out = run_in_fake_colab(tmp_path, root, use_drive=False)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "MOUNTED" not in out.stdout
    assert f"KIT {kit_root()}" in out.stdout
    assert "Drive is not used" in out.stdout


@pytest.mark.slow
def test_runs_go_to_drive_when_mounted(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make_kit_link(root, "content/drive/MyDrive/ae-recsys-kit")
    out = run_in_fake_colab(tmp_path, root)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"runs are saved under {root / 'content' / 'drive' / 'MyDrive' / 'ae-recsys-runs'}" in out.stdout


@pytest.mark.notebooks
def test_every_notebook_opens_with_the_template_cell() -> None:
    cell = setup_cell()
    assert len(cell.splitlines()) <= 8, "a setup cell a first-year student reads at a glance: at most 8 lines"
    assert max(len(line) for line in cell.splitlines()) <= 100, "no line over 100 characters"
    for path in sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.py")):
        nb = jupytext.read(path)
        codes = [c.source for c in nb.cells if c.cell_type == "code"]
        assert codes[0].startswith("MODE = None"), f"{path.name}: the MODE cell (papermill's parameters) comes first"
        assert codes[1] == cell, f"{path.name}: its setup cell differs from templates/lesson.py's"
