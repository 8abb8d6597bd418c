"""Checked downloads into the kit's data/ cache: nothing unverified is ever kept or used."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from helpers.runtime import kit_root


class DownloadError(OSError):
    """A file could not be fetched or did not match its published checksum."""


def cache_dir() -> Path:
    """The download cache: data/downloads/ in the kit (ignored by git)."""
    return kit_root() / "data" / "downloads"


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file (`sha256` or `md5`), read in chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _algorithm(file_hash: str) -> str:
    if len(file_hash) == 64:
        return "sha256"
    if len(file_hash) == 32:
        return "md5"
    raise ValueError(f"Checksum {file_hash!r} is neither a SHA-256 (64 hex) nor an MD5 (32 hex).")


def fetch(origin: str, fname: str, file_hash: str, cache: str | Path | None = None) -> Path:
    """Download `origin` into the cache as `fname`, verified against `file_hash`.

    A cached file is checked first and fetched again when it does not match. The transfer
    and its check are `keras.utils.get_file`'s, into a temporary folder next to the cache;
    the file is moved in only once its checksum matched. `get_file` alone (Keras 3.13 and
    3.15) downloads under the final name and keeps a download that failed its checksum there
    (tests/test_download.py, `test_keras_get_file_*`), so an interrupted or corrupted transfer
    would leave a file behind that could be used.
    """
    import keras

    algorithm = _algorithm(file_hash)
    target_dir = Path(cache) if cache is not None else cache_dir()
    target = target_dir / fname
    if target.is_file():
        if file_digest(target, algorithm) == file_hash:
            return target
        print(f"The cached {target} does not match its {algorithm} checksum; fetching it again.")
        target.unlink()
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=target_dir))
    try:
        try:
            got = keras.utils.get_file(
                fname=fname, origin=origin, file_hash=file_hash, hash_algorithm=algorithm,
                cache_dir=str(tmp), cache_subdir="",
            )
        except ValueError as err:  # get_file's checksum failure
            raise DownloadError(
                f"The file downloaded from {origin} does not match its published {algorithm} "
                f"checksum {file_hash}; it was discarded and {target} was not written. "
                "Try again later, or set COURSE_DATA_DIR to a folder that holds the dataset."
            ) from err
        except Exception as err:  # get_file wraps URL errors in a bare Exception
            raise DownloadError(
                f"Could not download {origin} to {target}: {err}. Check the network, or work "
                "offline by setting COURSE_DATA_DIR to a folder that already holds the dataset "
                "(see README, 'Data')."
            ) from err
        os.replace(got, target)  # get_file checked it against file_hash
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def extract_zip(archive: str | Path, dest: str | Path, member_root: str) -> Path:
    """Extract `archive` so that `dest/member_root` exists, atomically (all or nothing)."""
    dest = Path(dest)
    final = dest / member_root
    if final.is_dir():
        return final
    dest.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=dest))
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.startswith("/") or ".." in Path(name).parts:
                    raise DownloadError(f"{archive}: unsafe member path {name!r}; refusing to extract.")
            zf.extractall(tmp)
        if not (tmp / member_root).is_dir():
            raise DownloadError(f"{archive} has no folder {member_root}/ inside; it is not the expected archive.")
        os.replace(tmp / member_root, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
