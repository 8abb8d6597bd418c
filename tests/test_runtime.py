"""Runtime helpers: Colab detection, Drive, run folders, GPU report, seeds, smoke mode."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from helpers import runtime


def test_kit_root_holds_the_kit() -> None:
    root = runtime.kit_root()
    assert (root / "helpers" / "runtime.py").is_file() and (root / "colab_setup.py").is_file()


def test_drive_mountpoint_and_runs_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert not runtime.in_colab() and not runtime.drive_mounted()
    monkeypatch.delenv("COURSE_DRIVE_MOUNTPOINT", raising=False)
    assert runtime.drive_mountpoint() == Path("/content/drive")
    colab = types.ModuleType("google.colab")
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setenv("COURSE_DRIVE_MOUNTPOINT", str(tmp_path))
    monkeypatch.delenv("COURSE_RUNS_DIR", raising=False)
    assert runtime.in_colab() and not runtime.drive_mounted()  # nothing mounted there yet
    assert runtime.runs_root() == runtime.kit_root() / "runs"
    (tmp_path / "MyDrive").mkdir()
    assert runtime.drive_mounted()
    assert runtime.runs_root() == tmp_path / "MyDrive" / "ae-recsys-runs"


def test_run_dir(scratch_runs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = runtime.run_dir("mnist_seed")
    assert path == scratch_runs / "mnist_seed" and path.is_dir()
    for bad in ["", "../x", "a/b", ".hidden", 3]:
        with pytest.raises(ValueError, match="one folder name"):
            runtime.run_dir(bad)  # type: ignore[arg-type]
    monkeypatch.delenv("COURSE_RUNS_DIR")
    assert runtime.runs_root() == runtime.kit_root() / "runs"


@pytest.fixture
def no_mode(monkeypatch: pytest.MonkeyPatch):
    """No COURSE_MODE before and after the test."""
    monkeypatch.delenv("COURSE_MODE", raising=False)
    return monkeypatch


def test_mode_from_the_environment(no_mode: pytest.MonkeyPatch) -> None:
    assert runtime.mode() == "full" and runtime.by_mode(runtime.mode(), full=50, lecture=20, smoke=2) == 50
    for name, value in [("lecture", 20), ("smoke", 2), ("full", 50), (" Lecture ", 20), ("", 50)]:
        no_mode.setenv("COURSE_MODE", name)
        assert runtime.by_mode(runtime.mode(), 50, 20, 2) == value
    assert runtime.smoke_or("lecture", 50, 2) == 50  # lecture mode takes smoke_or's full value
    assert runtime.smoke_or("smoke", 50, 2) == 2


def test_the_notebooks_mode_is_the_one_value(no_mode: pytest.MonkeyPatch) -> None:
    no_mode.setenv("COURSE_MODE", "full")
    assert runtime.mode("lecture") == "lecture"  # a notebook's MODE, when given, is the mode
    assert runtime.mode(None) == "full"  # None: the environment's choice
    with pytest.raises(ValueError, match="MODE='quick' is not a run mode.*'full', 'lecture', 'smoke'"):
        runtime.mode("quick")
    with pytest.raises(ValueError, match="mode='quick'"):
        runtime.by_mode("quick", 50, 20, 2)


@pytest.mark.parametrize("bad", ["fast", "1", "lectures", "FULL MODE"])
def test_a_bad_course_mode_is_named(no_mode: pytest.MonkeyPatch, bad: str) -> None:
    no_mode.setenv("COURSE_MODE", bad)
    with pytest.raises(ValueError) as info:
        runtime.mode()
    message = str(info.value)
    assert "COURSE_MODE" in message and repr(bad) in message
    assert all(f"'{m}'" in message for m in runtime.MODES)


def test_gpu_info_on_this_machine() -> None:
    info = runtime.gpu_info()
    assert set(info) == {"gpu", "tf_gpus", "nvidia_smi", "summary"}
    assert isinstance(info["gpu"], bool) and info["gpu"] == bool(info["tf_gpus"])
    if not info["gpu"]:
        assert info["summary"].startswith("No GPU was detected")


def test_gpu_info_reads_nvidia_smi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'Tesla T4, 15360 MiB, 550.54'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert runtime._nvidia_smi() == "Tesla T4, 15360 MiB, 550.54"


def test_set_seed_repeats() -> None:
    import keras

    runtime.set_seed(7)
    a = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    runtime.set_seed(7)
    b = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="non-negative integer"):
        runtime.set_seed(-1)


def test_runtime_report_names_the_distribution_and_the_scratch_disk(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    import platform

    import colab_setup

    monkeypatch.chdir(tmp_path)
    report = colab_setup.runtime_report()
    assert report["disk_path"] == str(tmp_path)  # the working folder, not the kit's folder
    assert 0 <= report["disk_free_gb"] <= report["disk_total_gb"]
    assert report["kernel"] == f"{platform.system()} {platform.release()}"
    try:
        pretty = platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        pretty = None
    if pretty is not None:
        assert report["os"] == pretty and platform.release() not in report["os"]


def test_scratch_disk_is_not_the_drive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import colab_setup

    drive = tmp_path / "drive"
    inside = drive / "MyDrive" / "Colab Notebooks"
    inside.mkdir(parents=True)
    monkeypatch.setenv("COURSE_DRIVE_MOUNTPOINT", str(drive))
    monkeypatch.chdir(tmp_path)
    assert colab_setup.scratch_dir() == tmp_path
    monkeypatch.chdir(inside)  # the slide's `%cd "/content/drive/MyDrive/Colab Notebooks"`
    scratch = colab_setup.scratch_dir()
    assert not scratch.resolve().is_relative_to(drive.resolve()) and scratch.is_dir()


def test_colab_defaults_to_the_practice_slot(no_mode: pytest.MonkeyPatch) -> None:
    import sys
    import types

    import colab_setup

    no_mode.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert runtime.mode() == "lecture"
    line = colab_setup.mode_line(None)
    assert line.startswith("Run mode: lecture (Colab's default") and 'MODE = "full"' in line
    no_mode.setenv("COURSE_MODE", "full")  # the student's (or CI's) explicit choice wins
    assert runtime.mode() == "full" and "(COURSE_MODE)" in colab_setup.mode_line(None)
    no_mode.delitem(sys.modules, "google.colab")
    no_mode.delenv("COURSE_MODE")
    assert runtime.mode() == "full" and "the default outside Colab" in colab_setup.mode_line(None)
    assert colab_setup.mode_line("smoke").startswith("Run mode: smoke (MODE in the cell above)")
