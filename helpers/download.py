"""Checked downloads into the kit's data/ cache through pooch: a file is used only once it matched its checksum."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pooch

from helpers.runtime import kit_root


class DownloadError(OSError):
    """A file could not be fetched or did not match its published checksum."""


def cache_dir() -> Path:
    """The download cache: data/downloads/ in the kit (ignored by git)."""
    return kit_root() / "data" / "downloads"


def fetch(origin: str, fname: str, known_hash: str, cache: str | Path | None = None) -> Path:
    """Download `origin` into the cache as `fname`, checked against `known_hash` ("md5:..." or SHA-256).

    `pooch.retrieve` returns a cached file only if it matches the hash, and otherwise downloads
    into a temporary file in the cache folder that is renamed to `fname` once the hash matched
    (and deleted when it did not).
    """
    target = Path(cache if cache is not None else cache_dir()) / fname
    try:
        return Path(pooch.retrieve(origin, known_hash=known_hash, fname=fname, path=target.parent))
    except OSError as err:  # requests' errors are OSErrors too
        raise DownloadError(
            f"Could not download {origin} to {target}: {err}. Check the network, or work offline by "
            "setting COURSE_DATA_DIR to a folder that already holds the dataset (see README, 'Data')."
        ) from err
    except ValueError as err:  # pooch's checksum failure
        raise DownloadError(
            f"The file downloaded from {origin} does not match its published checksum {known_hash}; "
            f"the download was deleted and {target} was not written. Try again later, or set "
            "COURSE_DATA_DIR to a folder that holds the dataset."
        ) from err


def extract_zip(archive: str | Path, dest: str | Path, member_root: str) -> Path:
    """Extract `archive` so that `dest/member_root` exists, all or nothing (through a temporary folder).

    Not pooch's `Unzip`: it extracts in place and re-extracts only when a member is missing, so an
    extraction cut off in the last member would leave a truncated file in use (tests/test_download.py).
    """
    final = Path(dest) / member_root
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=final.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)  # zipfile drops absolute paths and ".." from member names
        if not (tmp / member_root).is_dir():
            raise DownloadError(f"{archive} has no folder {member_root}/ inside; it is not the expected archive.")
        os.replace(tmp / member_root, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
