"""Stand-in for `google.colab.drive`: "mounting" links `<mountpoint>/MyDrive` to the replica Drive.

The replica Drive is the folder named by COLAB_REPLICA_DRIVE (it holds `MyDrive/`). When
COLAB_REPLICA_CONTENT is set (the replica's /content), a mountpoint outside it is refused, so a
notebook that still mounts an absolute `/content/drive` fails clearly instead of writing to
this machine's root.
"""

from __future__ import annotations

import os
from pathlib import Path


def _replica_drive() -> Path:
    root = os.environ.get("COLAB_REPLICA_DRIVE")
    if not root:
        raise RuntimeError("The stand-in google.colab.drive needs COLAB_REPLICA_DRIVE (the folder holding MyDrive/); "
                           "tools/colab_replica.py sets it.")
    drive = Path(root) / "MyDrive"
    drive.mkdir(parents=True, exist_ok=True)
    return drive


def _check_inside_content(mountpoint: Path) -> None:
    content = os.environ.get("COLAB_REPLICA_CONTENT")
    if content and not mountpoint.is_relative_to(Path(content).resolve()):
        raise ValueError(
            f"Stand-in drive.mount({str(mountpoint)!r}): the Colab replica keeps its /content in {content} (the "
            "kernel's working folder) and will not create folders outside it. Mount relative to the working "
            "folder, e.g. drive.mount(str(Path.cwd() / 'drive')), as Colab's working folder is /content."
        )


def mount(mountpoint: str, force_remount: bool = False, timeout_ms: int = 120000, readonly: bool = False) -> None:
    """Make `<mountpoint>/MyDrive` the replica Drive and print what Colab prints."""
    del timeout_ms, readonly  # accepted for Colab's signature; nothing to wait for here
    if " " in mountpoint:
        raise ValueError("Mountpoint must not contain a space.")  # Colab's own rule
    point = Path(mountpoint).expanduser().absolute()
    _check_inside_content(point.resolve())
    target = _replica_drive()
    link = point / "MyDrive"
    if link.is_symlink() and link.resolve() == target.resolve():
        if not force_remount:
            print(f"Drive already mounted at {mountpoint}; to attempt to forcibly remount, "
                  f'call drive.mount("{mountpoint}", force_remount=True).')
            return
        link.unlink()
    elif point.is_dir() and any(point.iterdir()):
        raise ValueError("Mountpoint must not already contain files")  # Colab's message
    point.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=True)
    print(f"Mounted at {mountpoint}")


def flush_and_unmount(timeout_ms: int = 24 * 60 * 60 * 1000) -> None:
    """Undo every stand-in mount below the replica's /content (Colab's call takes no mountpoint)."""
    del timeout_ms
    content = os.environ.get("COLAB_REPLICA_CONTENT")
    links = [p for p in Path(content).glob("**/MyDrive") if p.is_symlink()] if content else []
    if not links:
        print("Drive not mounted, so nothing to flush and unmount.")
    for link in links:
        link.unlink()
