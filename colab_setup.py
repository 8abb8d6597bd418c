"""Make a Colab runtime (or a local kernel) ready for the course, in one call.

Every notebook opens with the same short cell (see `templates/lesson.py`). In Colab that cell
mounts Google Drive when `USE_DRIVE` is True (Colab's working folder is /content, so Drive
appears at /content/drive), finds the kit folder, puts it on `sys.path` and calls

    import colab_setup
    KIT = colab_setup.setup(use_drive=USE_DRIVE)   # returns the kit's folder

which does the rest: it notes where Drive is mounted (run folders go to
`MyDrive/ae-recsys-runs/` there, so a disconnect loses at most one epoch), says so when
Drive is not used, installs only the packages the runtime lacks, and prints a runtime report
(Python, TensorFlow, Keras, and the GPU or how to switch one on). Locally it changes nothing
but `sys.path`. Run as a script (`python colab_setup.py`) it prints the same report.

Where the cell looks for the kit, in this order: the working folder and the folders above it
(a local kernel opened in `notebooks/`), then `/content/*` (a clone), `/content/drive/MyDrive/*`
and `/content/drive/MyDrive/*/*` (an upload to Drive, up to two folders deep).
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parent
if str(KIT) not in sys.path:  # run as a script from elsewhere: make `helpers` importable
    sys.path.insert(0, str(KIT))

from packaging.requirements import InvalidRequirement, Requirement  # noqa: E402  (after the path is set)

from helpers import runtime  # noqa: E402


def missing_packages(kit: Path = KIT) -> list[str]:
    """Requirements in `kit`/requirements.txt that are absent or outside their version range here."""
    missing = []
    path = kit / "requirements.txt"
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as err:
            raise ValueError(f"{path}, line {number}: {line!r} is not a requirement ({err}).") from None
        try:
            have = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(str(req))
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            missing.append(str(req))
    return missing


def install(packages: list[str]) -> None:
    """pip-install `packages` into this runtime (nothing happens for an empty list)."""
    if packages:
        print("Installing what this runtime lacks:", ", ".join(packages))
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)


def report() -> str:
    """A short runtime report: Python, TensorFlow/Keras versions, GPU or how to get one."""
    import keras
    import tensorflow as tf

    where = "Google Colab" if runtime.in_colab() else "a local Python"
    return (f"Runtime: {where}, Python {sys.version.split()[0]}, TensorFlow {tf.__version__}, "
            f"Keras {keras.__version__}.\n{runtime.gpu_info()['summary']}")


def setup(use_drive: bool = True, install_missing: bool = True, quiet: bool = False) -> Path:
    """Get the runtime ready and return the kit's folder (see the module docstring)."""
    if runtime.in_colab():
        mountpoint = Path.cwd() / "drive"  # where the setup cell mounted Drive (Colab works in /content)
        if use_drive and (mountpoint / "MyDrive").is_dir():
            os.environ.setdefault("COURSE_DRIVE_MOUNTPOINT", str(mountpoint))
        if not quiet:
            if runtime.drive_mounted():
                print(f"Drive is mounted: runs are saved under {runtime.runs_root()} and survive a disconnect.")
            else:
                print(f"Drive is not used: runs are saved under {runtime.runs_root()} and are lost when this "
                      "runtime ends. Set USE_DRIVE = True in the setup cell to keep them on your Drive.")
        if install_missing:
            install(missing_packages(KIT))
    if not quiet:
        print(report())
    return KIT


if __name__ == "__main__":
    print(f"Kit folder: {setup(quiet=True)}")
    print(report())
