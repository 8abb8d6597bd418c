"""Make a Colab runtime (or a local kernel) ready for the course, in one call.

    import colab_setup
    KIT = colab_setup.setup()          # returns the kit's folder

In Colab it can mount Google Drive (where the lecture keeps the kit and where runs are
saved), finds the kit folder (uploaded to Drive or cloned under /content), puts it on
`sys.path`, installs only the packages the runtime lacks, and prints a runtime report
(GPU, or how to switch one on). Locally it finds the kit folder and changes nothing else.
Run as a script (`python colab_setup.py`) it prints the same report.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

KIT_MARKERS = ("colab_setup.py", "helpers/__init__.py")
SEARCH_ROOTS = ("/content", "/content/drive/MyDrive")


def in_colab() -> bool:
    """True inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def is_kit(folder: Path) -> bool:
    """True when `folder` holds the course kit."""
    return all((folder / marker).is_file() for marker in KIT_MARKERS)


def find_kit(roots: tuple[str, ...] = SEARCH_ROOTS, depth: int = 3) -> Path:
    """The kit folder: the one this file lives in, else a search under `roots` (Colab)."""
    here = Path(__file__).resolve().parent
    if is_kit(here):
        return here
    for root in map(Path, roots):
        for level in range(depth + 1):
            for hit in sorted(root.glob("/".join(["*"] * level + ["colab_setup.py"]))):
                if is_kit(hit.parent):
                    return hit.parent
    raise FileNotFoundError(
        f"The course kit was not found in {', '.join(roots)}. Upload the kit folder to your "
        "Google Drive (or clone it under /content) and run this cell again; see README, 'Colab'."
    )


def _requirements(kit: Path) -> list[tuple[str, str | None]]:
    reqs = []
    for line in (kit / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?", line)
        if match:
            reqs.append((match.group(1), match.group(2)))
    return reqs


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def missing_packages(kit: Path) -> list[str]:
    """Requirements that are absent or older than their lower bound in this runtime."""
    missing = []
    for name, minimum in _requirements(kit):
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(f"{name}>={minimum}" if minimum else name)
            continue
        if minimum and _version_tuple(have) < _version_tuple(minimum):
            missing.append(f"{name}>={minimum}")
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

    from helpers.runtime import gpu_info

    info = gpu_info()
    where = "Google Colab" if in_colab() else "a local Python"
    return (f"Runtime: {where}, Python {sys.version.split()[0]}, TensorFlow {tf.__version__}, "
            f"Keras {keras.__version__}.\n{info['summary']}")


def setup(mount_drive: bool = False, install_missing: bool = True, quiet: bool = False) -> Path:
    """Get the runtime ready and return the kit's folder (see the module docstring)."""
    if in_colab() and mount_drive:
        from google.colab import drive  # type: ignore[import-not-found]

        drive.mount("/content/drive")
    kit = find_kit()
    if str(kit) not in sys.path:
        sys.path.insert(0, str(kit))
    if in_colab() and install_missing:
        install(missing_packages(kit))
    if not quiet:
        print(report())
    return kit


if __name__ == "__main__":
    print(f"Kit folder: {setup(quiet=True)}")
    print(report())
