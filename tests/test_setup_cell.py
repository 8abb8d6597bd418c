"""The shared setup cell against a real Colab start, with a stand-in `google.colab`:
opened from Drive, opened from a clone, re-run after a runtime restart, no GPU, no kit."""

from __future__ import annotations

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


def run_in_fake_colab(tmp_path: Path, root: Path, runs: int = 1) -> subprocess.CompletedProcess:
    fake = tmp_path / "fake_site"
    (fake / "google" / "colab").mkdir(parents=True, exist_ok=True)  # google/ stays a namespace package
    (fake / "google" / "colab" / "__init__.py").write_text(textwrap.dedent('''
        import types
        def _mount(path, force_remount=False):
            print("MOUNTED", path)
        drive = types.SimpleNamespace(mount=_mount)
    '''))
    cell = setup_cell().replace('Path("/")', f'Path({str(root)!r})')
    assert str(root) in cell, "the cell searches under Path('/')"
    (tmp_path / "cell.py").write_text(cell)
    driver = textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {str(fake)!r})
        import google.colab  # Colab imports it before any cell runs
        source = open({str(tmp_path / "cell.py")!r}).read()
        for _ in range({runs}):
            namespace = {{"__name__": "__main__"}}
            exec(compile(source, "setup-cell", "exec"), namespace)
            print("KIT", namespace["KIT"])
        print("PATHS", sum(p == str(namespace["kit"]) for p in sys.path))
    ''')
    return subprocess.run([sys.executable, "-c", driver], cwd="/", capture_output=True, text=True, timeout=300)


def make_kit_link(root: Path, where: str) -> Path:
    link = root / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(kit_root(), target_is_directory=True)
    return link


@pytest.mark.parametrize("where", ["content/drive/MyDrive/ae-recsys-kit", "content/drive/MyDrive/courses/ae-kit",
                                   "content/ae-recsys-kit"], ids=["drive", "drive-subfolder", "clone"])
def test_finds_the_kit(tmp_path: Path, where: str) -> None:
    root = tmp_path / "root"
    make_kit_link(root, where)
    out = run_in_fake_colab(tmp_path, root)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "MOUNTED /content/drive" in out.stdout
    assert f"KIT {kit_root()}" in out.stdout
    assert "Runtime: Google Colab" in out.stdout
    assert "Runtime > Change runtime type" in out.stdout  # no GPU here: it says how to get one
    assert "PATHS 1" in out.stdout  # imported through the link: nothing else puts the kit on sys.path


def test_rerun_after_restart_is_harmless(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make_kit_link(root, "content/drive/MyDrive/ae-recsys-kit")
    out = run_in_fake_colab(tmp_path, root, runs=2)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("MOUNTED /content/drive") == 2
    assert "PATHS 1" in out.stdout  # the kit is on sys.path once, not once per run


def test_no_kit_says_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "content" / "drive" / "MyDrive").mkdir(parents=True)
    out = run_in_fake_colab(tmp_path, root)
    assert out.returncode != 0
    assert "FileNotFoundError: Upload the kit folder to your Drive" in out.stderr
