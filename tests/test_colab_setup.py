"""colab_setup outside Colab, and inside a stand-in `google.colab`."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

import colab_setup
from helpers.runtime import kit_root


@pytest.fixture
def fake_colab(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    mounts: list[str] = []
    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=lambda path, force_remount=False: mounts.append(path))
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    return mounts


def test_local_setup_finds_the_kit_and_installs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(colab_setup, "install", lambda pkgs: pytest.fail("must not install locally"))
    assert colab_setup.setup(quiet=True) == kit_root()
    assert str(kit_root()) in sys.path


def test_colab_setup_mounts_and_installs_only_missing(fake_colab: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[list[str]] = []
    monkeypatch.setattr(colab_setup, "install", lambda pkgs: installed.append(pkgs))
    monkeypatch.setattr(colab_setup, "missing_packages", lambda kit: ["ipywidgets>=7.7"])
    assert colab_setup.setup(mount_drive=True, quiet=True) == kit_root()
    assert fake_colab == ["/content/drive"]
    assert installed == [["ipywidgets>=7.7"]]


def test_missing_packages_reads_requirements(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# comment\nnumpy>=1.0\nsurely-not-installed-pkg>=1.0\nkeras>=99.0\npandas\n")
    assert colab_setup.missing_packages(tmp_path) == ["surely-not-installed-pkg>=1.0", "keras>=99.0"]
    assert colab_setup.missing_packages(kit_root()) == []  # this venv has everything


def test_find_kit_searches_drive_and_clones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = tmp_path / "MyDrive" / "courses" / "ae-kit"
    (kit / "helpers").mkdir(parents=True)
    (kit / "colab_setup.py").write_text("")
    (kit / "helpers" / "__init__.py").write_text("")
    monkeypatch.setattr(colab_setup, "__file__", str(tmp_path / "elsewhere" / "colab_setup.py"))
    assert colab_setup.find_kit((str(tmp_path / "MyDrive"),)) == kit
    with pytest.raises(FileNotFoundError, match="Upload the kit folder"):
        colab_setup.find_kit((str(tmp_path / "empty"),))


def test_runs_as_a_script() -> None:
    out = subprocess.run([sys.executable, "colab_setup.py"], cwd=kit_root(), capture_output=True, text=True,
                         timeout=300, check=True)
    assert f"Kit folder: {kit_root()}" in out.stdout and "TensorFlow" in out.stdout
