"""Datasets: MNIST, MovieLens (offline from COURSE_DATA_DIR, else downloaded and checked) and the
slides' toy matrices. Rating files are parsed by `helpers.ratings`."""

from __future__ import annotations

import gzip
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.download import extract_zip, fetch
from helpers.ratings import RatingsFormatError, random_split, read_ratings
from helpers.runtime import kit_root

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}

GROUPLENS = "https://files.grouplens.org/datasets/movielens/"
#: The archives GroupLens publishes, with the MD5 checksums it lists beside them.
MOVIELENS = {
    "ml-100k": {"zip": "ml-100k.zip", "md5": "0e33842e24a9c977be4e0107933c0723",
                "ratings": "u.data", "sep": "\t"},
    "ml-1m": {"zip": "ml-1m.zip", "md5": "c4d9eecfca2ab87c1945afe126590906",
              "ratings": "ratings.dat", "sep": "::"},
}
ML100K_SPLITS = ("u1", "u2", "u3", "u4", "u5", "ua", "ub")


# --------------------------------------------------------------------------- errors


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is not where COURSE_DATA_DIR says it should be."""


class MnistFormatError(ValueError):
    """An MNIST IDX file is not what the format says it should be."""


# --------------------------------------------------------------------------- locations


def data_dir() -> Path | None:
    """The offline data folder from COURSE_DATA_DIR (relative paths are taken from the kit root)."""
    value = os.environ.get("COURSE_DATA_DIR", "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = kit_root() / path
    return path.resolve()


def _offline_folder(name: str, needed: list[str]) -> Path:
    base = data_dir()
    assert base is not None
    folder = base / name
    missing = [f for f in needed if not (folder / f).is_file()]
    if missing:
        raise DatasetNotFoundError(
            f"COURSE_DATA_DIR is set to {base}, so the kit reads {name} offline from "
            f"{folder}, but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not there. "
            f"Put the {name} files in that folder, or unset COURSE_DATA_DIR to download "
            "them from the publisher."
        )
    return folder


# --------------------------------------------------------------------------- MNIST


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise MnistFormatError(f"{path}: too short to be an IDX file.")
    magic = struct.unpack(">I", raw[:4])[0]
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte data
        raise MnistFormatError(f"{path}: magic number {magic:#010x} is not an unsigned-byte IDX file.")
    ndim = magic & 0xFF
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    payload = raw[4 + 4 * ndim :]
    if len(payload) != int(np.prod(dims)):
        raise MnistFormatError(
            f"{path}: header says {dims} ({int(np.prod(dims))} bytes) but holds {len(payload)} bytes; "
            "the file is truncated or corrupted."
        )
    return np.frombuffer(payload, dtype=np.uint8).reshape(dims)


def load_mnist(flatten: bool = True) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST as `(x_train, y_train), (x_test, y_test)`: float32 pixels in [0, 1].

    Images are flattened to 784 values by default (`flatten=False` keeps 28x28); labels
    are int64. Offline from `$COURSE_DATA_DIR/mnist` (four IDX gzip files), otherwise
    Keras's own MNIST file, downloaded once into data/downloads/ and checked (SHA-256).
    """
    if data_dir() is not None:
        folder = _offline_folder("mnist", list(MNIST_FILES.values()))
        arrays = {key: _read_idx(folder / fname) for key, fname in MNIST_FILES.items()}
        for part in ("train", "test"):
            if len(arrays[f"x_{part}"]) != len(arrays[f"y_{part}"]):
                raise MnistFormatError(f"{folder}: {part} images and labels differ in count.")
    else:
        path = fetch(MNIST_URL, "mnist.npz", MNIST_SHA256)
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in MNIST_FILES}
    shape = (-1, 784) if flatten else (-1, 28, 28)
    x_train = (arrays["x_train"].astype(np.float32) / 255.0).reshape(shape)
    x_test = (arrays["x_test"].astype(np.float32) / 255.0).reshape(shape)
    return (x_train, arrays["y_train"].astype(np.int64)), (x_test, arrays["y_test"].astype(np.int64))


# --------------------------------------------------------------------------- MovieLens


def movielens_dir(name: str = "ml-100k") -> Path:
    """The folder holding a MovieLens release: offline from COURSE_DATA_DIR, else downloaded."""
    if name not in MOVIELENS:
        raise ValueError(f"Unknown MovieLens dataset {name!r}; choose one of {sorted(MOVIELENS)}.")
    spec = MOVIELENS[name]
    if data_dir() is not None:
        return _offline_folder(name, [spec["ratings"]])
    archive = fetch(GROUPLENS + spec["zip"], spec["zip"], "md5:" + spec["md5"])
    return extract_zip(archive, archive.parent, name)


def load_movielens(
    name: str = "ml-100k", split: str | None = "u1", *, seed: int = 42, test_fraction: float = 0.1
) -> tuple[pd.DataFrame, pd.DataFrame] | pd.DataFrame:
    """MovieLens ratings as `(train, test)` DataFrames (user_id, item_id, rating, timestamp).

    ml-100k: the canonical splits u1..u5, ua, ub as GroupLens ships them. ml-1m (download
    only, unless COURSE_DATA_DIR holds ml-1m/): `split="random"`, a seeded 90/10 split as
    in the AutoRec paper. Any dataset: `split="random"` works, and `split=None` returns one
    DataFrame with all ratings.
    """
    folder = movielens_dir(name)
    spec = MOVIELENS[name]
    if split is None or split == "random":
        ratings = read_ratings(folder / spec["ratings"], sep=spec["sep"], rating_scale=(1, 5))
        if split is None:
            return ratings
        return random_split(ratings, test_fraction, seed)
    if name != "ml-100k" or split not in ML100K_SPLITS:
        choices = list(ML100K_SPLITS) + ["random", None] if name == "ml-100k" else ["random", None]
        raise ValueError(f"load_movielens({name!r}, split={split!r}): {name} has the splits {choices}.")
    train = read_ratings(folder / f"{split}.base", sep="\t", rating_scale=(1, 5))
    test = read_ratings(folder / f"{split}.test", sep="\t", rating_scale=(1, 5))
    return train, test


def load_movie_titles(name: str = "ml-100k") -> pd.Series:
    """Movie titles indexed by item_id (u.item / movies.dat are latin-1, not UTF-8)."""
    folder = movielens_dir(name)
    fname, sep = ("u.item", "|") if name == "ml-100k" else ("movies.dat", "::")
    path = folder / fname
    if not path.is_file():
        raise DatasetNotFoundError(f"{path} is missing; the titles of {name} come from that file.")
    titles = {}
    with open(path, encoding="latin-1") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line.split(sep)
            if len(parts) < 2 or not parts[0].isdigit():
                raise RatingsFormatError(path, number, "expected 'item id{sep}title{sep}...'.")
            titles[int(parts[0])] = parts[1]
    return pd.Series(titles, name="title").rename_axis("item_id")


def load_movie_genres(name: str = "ml-100k") -> pd.DataFrame:
    """MovieLens 100K's genre flags: one row per item_id, one boolean column per genre (from u.item, latin-1)."""
    if name != "ml-100k":
        raise ValueError(f"Genres are read for 'ml-100k' only (its u.item has 19 genre flags), not {name!r}.")
    folder = movielens_dir(name)
    names_path, items_path = folder / "u.genre", folder / "u.item"
    for path in (names_path, items_path):
        if not path.is_file():
            raise DatasetNotFoundError(f"{path} is missing; the genres of {name} come from u.genre and u.item.")
    genres = [line.split("|")[0] for line in names_path.read_text(encoding="latin-1").splitlines() if line.strip()]
    rows = {}
    with open(items_path, encoding="latin-1") as f:
        for number, line in enumerate(f, start=1):
            parts = line.rstrip("\r\n").split("|")
            if parts == [""]:
                continue
            flags = parts[5:]
            if not parts[0].isdigit() or len(flags) != len(genres) or set(flags) - {"0", "1"}:
                raise RatingsFormatError(items_path, number, f"expected 'item id|title|date|video date|url' and "
                                                             f"{len(genres)} genre flags of 0 or 1.")
            rows[int(parts[0])] = [flag == "1" for flag in flags]
    return pd.DataFrame.from_dict(rows, orient="index", columns=genres).rename_axis("item_id")


# --------------------------------------------------------------------------- toy matrices


@dataclass
class ToyMatrix:
    """A small user x item rating matrix from the slides: values (0 where unrated) + mask."""

    values: np.ndarray
    mask: np.ndarray
    users: list[str]
    items: list[str]

    def frame(self) -> pd.DataFrame:
        """The matrix as a DataFrame with NaN where nothing was rated."""
        return pd.DataFrame(np.where(self.mask, self.values, np.nan), index=self.users, columns=self.items)


TOY_MATRICES = {"5x5": "toy_ratings_5x5.csv", "4x5": "toy_ratings_4x5.csv"}


def load_toy_matrix(name: str = "5x5") -> ToyMatrix:
    """The lecture's toy matrix: '5x5' (0 = not rated) or '4x5' (blank = not rated)."""
    if name not in TOY_MATRICES:
        raise ValueError(f"Unknown toy matrix {name!r}; choose one of {sorted(TOY_MATRICES)}.")
    path = kit_root() / "data" / TOY_MATRICES[name]
    frame = pd.read_csv(path, index_col=0)
    values = frame.to_numpy(dtype=np.float32)
    mask = ~np.isnan(values) & (values != 0)
    return ToyMatrix(np.nan_to_num(values, nan=0.0), mask, list(frame.index.astype(str)), list(frame.columns))
