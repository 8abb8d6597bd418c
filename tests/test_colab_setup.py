"""colab_setup outside Colab, and inside a stand-in `google.colab`."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

import colab_setup
from helpers import runtime
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
    assert colab_setup.setup(quiet=True)[0] == kit_root()
    assert str(kit_root()) in sys.path


def test_colab_setup_notes_drive_and_installs_only_missing(fake_colab: list[str], monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    installed: list[list[str]] = []
    monkeypatch.setattr(colab_setup, "install", lambda pkgs: installed.append(pkgs))
    monkeypatch.setattr(colab_setup, "missing_packages", lambda kit: ["ipywidgets>=7.7"])
    monkeypatch.delenv("COURSE_RUNS_DIR", raising=False)
    monkeypatch.delenv("COURSE_DRIVE_MOUNTPOINT", raising=False)
    monkeypatch.chdir(tmp_path)  # Colab's /content
    (tmp_path / "drive" / "MyDrive").mkdir(parents=True)  # what the setup cell's drive.mount left
    assert colab_setup.setup(quiet=True)[0] == kit_root()
    assert runtime.drive_mounted()
    assert runtime.runs_root() == tmp_path / "drive" / "MyDrive" / "ae-recsys-runs"
    assert installed == [["ipywidgets>=7.7"]]


def test_missing_packages_reads_requirements(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# comment\nnumpy>=1.0\nsurely-not-installed-pkg>=1.0\nkeras>=99.0\npandas\nnumpy<1.0  # too new here\n")
    assert colab_setup.missing_packages(tmp_path) == ["surely-not-installed-pkg>=1.0", "keras>=99.0", "numpy<1.0"]
    assert colab_setup.missing_packages(kit_root()) == []  # this venv has everything
    (tmp_path / "requirements.txt").write_text(  # a line for another Python is not asked for
        'surely-not-installed-pkg==1.0; python_version < "3.0"\nother-missing-pkg==2.0; python_version >= "3.0"\n')
    assert colab_setup.missing_packages(tmp_path) == ['other-missing-pkg==2.0; python_version >= "3.0"']
    (tmp_path / "requirements.txt").write_text("numpy>=1.0\nnot a requirement!\n")
    with pytest.raises(ValueError, match="requirements.txt, line 2"):
        colab_setup.missing_packages(tmp_path)


@pytest.mark.slow
def test_runs_as_a_script() -> None:
    out = subprocess.run([sys.executable, "colab_setup.py"], cwd=kit_root(), capture_output=True, text=True,
                         timeout=300, check=True)
    assert f"Kit folder: {kit_root()}" in out.stdout and "TensorFlow" in out.stdout


def test_setup_returns_the_kit_and_the_run_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COURSE_MODE", raising=False)
    assert colab_setup.setup(mode="lecture", quiet=True) == (kit_root(), "lecture")
    assert colab_setup.setup(mode=None, quiet=True)[1] == "full"  # the cell as shipped: COURSE_MODE decides
    monkeypatch.setenv("COURSE_MODE", "smoke")
    assert colab_setup.setup(mode=None, quiet=True)[1] == "smoke"
    with pytest.raises(ValueError, match="'full', 'lecture', 'smoke'"):
        colab_setup.setup(mode="fast", quiet=True)


def test_install_says_to_restart_when_a_package_was_already_imported(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """numpy is imported here: installing a newer one needs a restart; a package never imported does not."""
    import numpy  # noqa: F401

    calls: list[list[str]] = []
    monkeypatch.setattr(colab_setup.subprocess, "run", lambda cmd, check: calls.append(cmd))
    colab_setup.install(["numpy>=99.0", "surely-not-installed-pkg>=1.0"])
    out = capsys.readouterr().out
    assert calls and calls[0][-2:] == ["numpy>=99.0", "surely-not-installed-pkg>=1.0"]
    assert "numpy>=99.0 (numpy already imported)" in out and "Restart the session" in out
    assert "surely-not-installed-pkg" not in out.split("old version of", 1)[1]
    colab_setup.install(["surely-not-installed-pkg>=1.0"])
    assert "Restart" not in capsys.readouterr().out
    colab_setup.install([])
    assert capsys.readouterr().out == "" and len(calls) == 2
