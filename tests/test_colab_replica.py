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


def test_a_past_runtime_has_its_own_file_and_header() -> None:
    text = colab_constraints.render(FREEZE, "2026-07-14", "test", "3.12.13", None, runtime="2026.07")
    assert "make test-colab COLAB_RUNTIME=2026.07" in text.splitlines()[0]
    assert "# Runtime: 2026.07 (a past runtime" in text
    assert colab_constraints.constraints_path("2026.07").name == "constraints-2026.07.txt"
    assert colab_constraints.constraints_path() == colab_replica.HERE / "constraints.txt"
    with pytest.raises(ValueError, match="2026.07"):
        colab_constraints.constraints_path("../../etc")


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


def test_each_notebook_runs_in_its_own_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two notebooks at a time, each with its own /content (as each Colab notebook has its own runtime), so two
    kernels that mount Drive at once do not race for one `drive/MyDrive` link."""
    import subprocess
    import threading

    kit, content = tmp_path / "kit", tmp_path / "content"
    (kit / "notebooks").mkdir(parents=True)
    content.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        (kit / "notebooks" / name).write_text("{}")
    seen, lock = [], threading.Lock()

    def fake_run(args, cwd, env, **kwargs):
        with lock:
            seen.append((args[-1], Path(cwd), env["COLAB_REPLICA_CONTENT"]))
        return subprocess.CompletedProcess(args, 0, "1 passed\n", "")

    monkeypatch.setattr(colab_replica.subprocess, "run", fake_run)
    monkeypatch.setattr(colab_replica, "OUT", tmp_path / "out")
    results = colab_replica.run_notebooks(kit, content, {}, edition="instructor")
    assert [r["ok"] for r in results] == [True, True]
    runs = {Path(notebook).stem: (cwd, env) for notebook, cwd, env in seen}
    assert runs == {stem: (content / stem, str(content / stem)) for stem in ("01_a", "02_b")}
    assert all((content / stem).is_dir() for stem in runs)


def test_requirement_lower_bounds_are_the_colab_versions_the_replica_runs() -> None:
    """Each `>=` bound in requirements.txt is the oldest version among the Colab runtimes make test-colab
    installs (current and past: tools/colab/constraints*.txt), so no bound claims a version the kit was
    never run on and no tested runtime has to install anything; and each is at most what .venv has."""
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    root = Path(__file__).resolve().parent.parent
    oldest: dict[str, Version] = {}
    runtimes = colab_replica.runtimes()
    assert runtimes[0] == "current" and len(runtimes) >= 2, runtimes
    for runtime in runtimes:
        colab_replica.use_runtime(runtime)
        try:
            for name, pinned in colab_replica.colab_pins().items():
                oldest[name] = min(oldest.get(name, Version(pinned)), Version(pinned))
        finally:
            colab_replica.use_runtime("current")
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker and not req.marker.evaluate():  # a line for another Python than this one
            continue
        name = colab_replica.normalize(req.name)
        if name not in oldest:  # not on Colab: the setup cell installs it, so it is pinned to the version tested
            assert [s.operator for s in req.specifier] == ["=="], f"{req.name} is not on Colab: pin it with =="
            assert version(req.name) == next(iter(req.specifier)).version
            continue
        bounds = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert bounds, f"requirements.txt: {line!r} has no lower bound"
        assert bounds[0] == oldest[name], f"{req.name}: bound {bounds[0]}, the oldest tested Colab has {oldest[name]}"
        assert Version(version(req.name)) >= bounds[0]


def test_runtimes_have_their_own_constraints_and_environment() -> None:
    """`--runtime 2026.07` reads constraints-2026.07.txt and builds .venv-colab-2026.07; an unknown one is refused."""
    try:
        colab_replica.use_runtime("2026.07")
        assert colab_replica.CONSTRAINTS.name == "constraints-2026.07.txt"
        assert colab_replica.VENV.name == ".venv-colab-2026.07"
        header = colab_replica.colab_header()
        assert header["Python"].startswith("3.12.") and header["Runtime"].startswith("2026.07")
        assert colab_replica.colab_pins()["numpy"] == "2.0.2"
        with pytest.raises(SystemExit, match="2019.01"):
            colab_replica.use_runtime("2019.01")
    finally:
        colab_replica.use_runtime("current")
    assert colab_replica.VENV.name == ".venv-colab" and colab_replica.colab_header()["Runtime"].startswith("current")
