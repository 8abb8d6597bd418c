"""The Colab replica's parts (tools/colab_constraints.py, tools/colab_replica.py, the stand-in drive)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tools import colab_constraints, colab_replica

FREEZE = """# a comment
absl-py==1.4.0
google-colab @ file:///colabtools/dist/google_colab-1.0.0.tar.gz
ipykernel==6.17.1
keras==3.13.2
torch==2.11.0+cu128
"""


def load_drive():
    """The stand-in drive module, loaded alone: `google.colab` must not land in sys.modules here."""
    spec = importlib.util.spec_from_file_location("replica_drive", colab_replica.STUB / "google" / "colab" / "drive.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_constraints_keep_pins_and_name_what_was_dropped() -> None:
    text = colab_constraints.render(FREEZE, "2026-08-19", "test", "3.13.15", None)
    pins = [line for line in text.splitlines() if not line.startswith("#")]
    assert pins == ["absl-py==1.4.0", "ipykernel==6.17.1", "keras==3.13.2"]
    assert "# Colab list dated: 2026-08-19" in text and "# Python: 3.13.15" in text
    assert "#     google-colab  (Colab's own package" in text and "#     torch==2.11.0+cu128" in text


def test_the_committed_constraints_are_usable() -> None:
    header, pins = colab_replica.colab_header(), colab_replica.colab_pins()
    assert header["Colab list dated"] and header["Python"].startswith("3.")
    assert {"tensorflow", "keras", "numpy", "ipykernel"} <= set(pins)
    body = [line for line in colab_replica.CONSTRAINTS.read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line and " @ " not in line and "+" not in line for line in body)


def test_colab_pins_win_over_our_lower_bounds(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("keras>=3.0\n")
    (tmp_path / "dev.txt").write_text("-r base.txt\nipykernel>=6.29  # comment\nnbval>=0.11\n")
    lines, notes = colab_replica.colab_requirements({"keras": "3.13.2", "ipykernel": "6.17.1"}, tmp_path / "dev.txt")
    assert lines == ["keras>=3.0", "ipykernel", "nbval>=0.11"]
    assert notes == ["ipykernel>=6.29 -> ipykernel==6.17.1 (Colab's pin wins)"]


def test_stand_in_mount_links_my_drive_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    drive = load_drive()
    (tmp_path / "drive" / "MyDrive" / "ae-recsys-kit").mkdir(parents=True)
    (tmp_path / "content").mkdir()
    monkeypatch.setenv("COLAB_REPLICA_DRIVE", str(tmp_path / "drive"))
    monkeypatch.setenv("COLAB_REPLICA_CONTENT", str(tmp_path / "content"))
    point = str(tmp_path / "content" / "drive")
    drive.mount(point)
    drive.mount(point)
    assert (tmp_path / "content" / "drive" / "MyDrive" / "ae-recsys-kit").is_dir()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Mounted at {point}" and out[1].startswith(f"Drive already mounted at {point}")
    drive.mount(point, force_remount=True)
    assert capsys.readouterr().out.strip() == f"Mounted at {point}"
    with pytest.raises(ValueError, match="outside"):
        drive.mount(str(tmp_path / "elsewhere"))
    assert not (tmp_path / "elsewhere").exists()


def test_requirement_lower_bounds_are_the_colab_versions_the_replica_runs() -> None:
    """Each `>=` bound in requirements.txt is the exact version Colab pins (what make test-colab installs),
    so no bound claims a version the kit was never run on; and each is at most what .venv has."""
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    root = Path(__file__).resolve().parent.parent
    pins = {}
    for line in (root / "tools" / "colab" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, pinned = line.split("#", 1)[0].strip().split("==", 1)
            pins[name.lower().replace("_", "-")] = Version(pinned)
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        bounds = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert bounds, f"requirements.txt: {line!r} has no lower bound"
        assert bounds[0] == pins[req.name.lower()], f"{req.name}: bound {bounds[0]}, Colab runs {pins[req.name.lower()]}"
        assert Version(version(req.name)) >= bounds[0]
