"""Datasets (MNIST, MovieLens), strict rating-file parsing, the slides' toy matrices,
and rating-matrix builders (dense, or sparse and densified batch by batch)."""

from __future__ import annotations

import gzip
import io
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.download import extract_zip, fetch
from helpers.runtime import kit_root

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf

RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]

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


class RatingsFormatError(ValueError):
    """A rating file is malformed; the message names the file and the line."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")


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


# --------------------------------------------------------------------------- rating files

_UINT = re.compile(r"^\d+$")


def _detect_sep(line: str) -> str:
    if "::" in line:
        return "::"
    if "\t" in line:
        return "\t"
    if "," in line:
        return ","
    raise ValueError("no separator")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _describe_id(value: str) -> str:
    if value == "":
        return "is empty"
    if not _is_number(value):
        return f"{value!r} is not a number"
    number = float(value)
    if number != number:
        return "is NaN"
    if number < 0:
        return f"{value!r} is negative"
    return f"{value!r} is not a whole number"


def read_ratings(
    path: str | Path, sep: str | None = None, rating_scale: tuple[float, float] = (0.5, 5.0)
) -> pd.DataFrame:
    """Read a rating file strictly into columns user_id, item_id, rating, timestamp.

    Accepts MovieLens layouts: tab-separated (u.data), `::`-separated (ratings.dat) and
    comma-separated with or without a header (ratings.csv); 3 fields (no timestamp, which
    is then 0) or 4. CRLF line endings, a UTF-8 BOM and trailing blank lines are fine.
    Anything else (wrong field count, blank line, non-numeric/NaN field, fractional or
    negative id, rating outside `rating_scale`, a repeated user-item pair, an empty file)
    raises `RatingsFormatError` naming the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Rating file {path} does not exist.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise RatingsFormatError(path, line, "is not valid UTF-8/ASCII text.") from None
    lines = text.split("\n")
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    while lines and lines[-1].strip() == "":
        lines.pop()
    if not lines:
        raise RatingsFormatError(path, None, "the file is empty: it holds no ratings.")
    if sep is None:
        try:
            sep = _detect_sep(lines[0])
        except ValueError:
            raise RatingsFormatError(
                path, 1, "no separator found: expected tab, '::' or ',' between user, item, rating "
                "and timestamp."
            ) from None
    first = [f.strip() for f in lines[0].split(sep)]
    start = 0
    if not any(_is_number(f) for f in first) and all(re.match(r"^[A-Za-z_ ]+$", f) for f in first):
        start = 1  # a header such as userId,movieId,rating,timestamp
        if len(lines) == 1:
            raise RatingsFormatError(path, None, "the file holds a header but no ratings.")
    body = lines[start:]
    n_fields = len(body[0].split(sep))
    if n_fields not in (3, 4):
        raise RatingsFormatError(
            path, start + 1, f"expected 3 or 4 fields (user, item, rating[, timestamp]) separated by "
            f"{sep!r}, found {n_fields}."
        )
    # Fast path: split with numpy-friendly pandas, then validate column by column.
    counts = np.fromiter((ln.count(sep) for ln in body), dtype=np.int64, count=len(body))
    bad = np.flatnonzero(counts != n_fields - 1)
    if bad.size:
        i = int(bad[0])
        found = len(body[i].split(sep)) if body[i].strip() else 0
        what = "a blank line" if found == 0 else f"{found} fields"
        raise RatingsFormatError(path, start + i + 1, f"expected {n_fields} fields, found {what}.")
    joined = "\n".join(body) if sep != "::" else "\n".join(body).replace("::", "\t")
    frame = pd.read_csv(
        io.StringIO(joined), sep="\t" if sep == "::" else sep, header=None, dtype=str,
        keep_default_na=False, na_filter=False, engine="c", skip_blank_lines=False,
    )
    frame = frame.apply(lambda col: col.str.strip())
    names = RATING_COLUMNS[:n_fields]
    frame.columns = names

    def fail(row: int, problem: str) -> None:
        raise RatingsFormatError(path, start + row + 1, problem)

    for col in ("user_id", "item_id") + (("timestamp",) if n_fields == 4 else ()):
        ok = frame[col].str.fullmatch(_UINT.pattern)
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            label = col.replace("_", " ")
            fail(i, f"the {label} {_describe_id(frame[col].iat[i])}; it must be a whole number >= 0.")
    ratings = pd.to_numeric(frame["rating"], errors="coerce").to_numpy(dtype=np.float64)
    lo, hi = rating_scale
    bad_rating = ~np.isfinite(ratings) | (ratings < lo) | (ratings > hi)
    if bad_rating.any():
        i = int(np.flatnonzero(bad_rating)[0])
        value = frame["rating"].iat[i]
        if not np.isfinite(ratings[i]):
            fail(i, f"the rating {value!r} is not a number." if value.lower() != "nan"
                 else "the rating is NaN.")
        fail(i, f"the rating {value} is outside the rating scale {lo:g}-{hi:g}.")
    out = pd.DataFrame({
        "user_id": frame["user_id"].astype(np.int64),
        "item_id": frame["item_id"].astype(np.int64),
        "rating": ratings.astype(np.float32),
        "timestamp": frame["timestamp"].astype(np.int64) if n_fields == 4 else np.zeros(len(frame), np.int64),
    })
    dup = out.duplicated(["user_id", "item_id"], keep=False)
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        first_row = int(rows[0])
        key = (out["user_id"].iat[first_row], out["item_id"].iat[first_row])
        same = rows[(out["user_id"].to_numpy()[rows] == key[0]) & (out["item_id"].to_numpy()[rows] == key[1])]
        fail(int(same[1]), f"user {key[0]} rates item {key[1]} a second time (first on line "
             f"{start + int(same[0]) + 1}); each user-item pair may appear once.")
    return out


# --------------------------------------------------------------------------- MovieLens


def movielens_dir(name: str = "ml-100k") -> Path:
    """The folder holding a MovieLens release: offline from COURSE_DATA_DIR, else downloaded."""
    if name not in MOVIELENS:
        raise ValueError(f"Unknown MovieLens dataset {name!r}; choose one of {sorted(MOVIELENS)}.")
    spec = MOVIELENS[name]
    if data_dir() is not None:
        return _offline_folder(name, [spec["ratings"]])
    archive = fetch(GROUPLENS + spec["zip"], spec["zip"], spec["md5"])
    return extract_zip(archive, archive.parent, name)


def _random_split(ratings: pd.DataFrame, test_fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ratings))
    n_test = int(round(test_fraction * len(ratings)))
    test = ratings.iloc[np.sort(order[:n_test])].reset_index(drop=True)
    train = ratings.iloc[np.sort(order[n_test:])].reset_index(drop=True)
    return train, test


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
        return _random_split(ratings, test_fraction, seed)
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


# --------------------------------------------------------------------------- rating matrices


@dataclass
class RatingIndex:
    """Maps raw user and item ids to matrix rows/columns (ids unseen when built map to -1)."""

    user_ids: np.ndarray
    item_ids: np.ndarray

    def __post_init__(self) -> None:
        self.user_ids = np.asarray(self.user_ids, dtype=np.int64)
        self.item_ids = np.asarray(self.item_ids, dtype=np.int64)
        for name, ids in (("user_ids", self.user_ids), ("item_ids", self.item_ids)):
            if ids.size > 1 and not np.all(np.diff(ids) > 0):
                raise ValueError(f"RatingIndex.{name} must be sorted and unique; build it with from_ratings().")

    @classmethod
    def from_ratings(cls, *frames: pd.DataFrame) -> RatingIndex:
        """Index every user and item that appears in any of `frames` (sorted by id)."""
        users = np.unique(np.concatenate([f["user_id"].to_numpy() for f in frames]))
        items = np.unique(np.concatenate([f["item_id"].to_numpy() for f in frames]))
        return cls(users, items)

    @property
    def n_users(self) -> int:
        """Number of users (matrix rows in user x item layout)."""
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.item_ids)

    @staticmethod
    def _positions(known: np.ndarray, raw: np.ndarray | pd.Series) -> np.ndarray:
        raw = np.asarray(raw, dtype=np.int64)
        pos = np.searchsorted(known, raw)
        found = pos < len(known)
        found[found] = known[pos[found]] == raw[found]
        return np.where(found, pos, -1).astype(np.int64)

    def users(self, raw: np.ndarray | pd.Series) -> np.ndarray:
        """Positions of raw user ids, -1 for ids this index does not know."""
        return self._positions(self.user_ids, raw)

    def items(self, raw: np.ndarray | pd.Series) -> np.ndarray:
        """Positions of raw item ids, -1 for ids this index does not know."""
        return self._positions(self.item_ids, raw)


def _coords(ratings: pd.DataFrame, index: RatingIndex, by: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    if by not in ("item", "user"):
        raise ValueError(f"by={by!r}: use 'item' (rows are items, I-AutoRec) or 'user' (U-AutoRec).")
    missing = [c for c in ("user_id", "item_id", "rating") if c not in ratings.columns]
    if missing:
        raise ValueError(f"The ratings DataFrame lacks the column(s) {missing}; read it with read_ratings().")
    r = ratings["rating"].to_numpy(dtype=np.float32)
    if np.isnan(r).any():
        row = int(np.flatnonzero(np.isnan(r))[0])
        raise ValueError(f"Rating at row {row} is NaN; a rating matrix cannot hold NaN (0 means 'not rated').")
    if (r == 0).any():
        row = int(np.flatnonzero(r == 0)[0])
        raise ValueError(f"Rating at row {row} is 0, which the matrix reserves for 'not rated'.")
    u, i = index.users(ratings["user_id"]), index.items(ratings["item_id"])
    unknown = np.flatnonzero((u < 0) | (i < 0))
    if unknown.size:
        row = int(unknown[0])
        raise ValueError(
            f"Row {row} (user {ratings['user_id'].iat[row]}, item {ratings['item_id'].iat[row]}) is not in "
            "the RatingIndex; build the index from every frame you put in a matrix."
        )
    if by == "item":
        return i, u, r, (index.n_items, index.n_users)
    return u, i, r, (index.n_users, index.n_items)


def rating_matrix(ratings: pd.DataFrame, index: RatingIndex, by: str = "item") -> tuple[np.ndarray, np.ndarray]:
    """Dense rating matrix (items x users for by='item') with 0 where unrated, plus the mask."""
    rows, cols, r, shape = _coords(ratings, index, by)
    matrix = np.zeros(shape, dtype=np.float32)
    matrix[rows, cols] = r
    mask = np.zeros(shape, dtype=bool)
    mask[rows, cols] = True
    return matrix, mask


def sparse_rating_matrix(ratings: pd.DataFrame, index: RatingIndex, by: str = "item") -> tf.sparse.SparseTensor:
    """The same matrix as a `tf.sparse.SparseTensor`, for data that would not fit dense."""
    import tensorflow as tf

    rows, cols, r, shape = _coords(ratings, index, by)
    st = tf.sparse.SparseTensor(np.stack([rows, cols], axis=1), r, dense_shape=shape)
    return tf.sparse.reorder(st)


def rating_dataset(
    ratings: pd.DataFrame, index: RatingIndex, by: str = "item", batch_size: int = 256,
    shuffle: bool = True, seed: int | None = None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of `(x, x)` dense batches made from sparse rows one batch at a time.

    Only one batch of rows is ever dense in memory, so the same training code that takes a
    dense matrix also runs on data far larger than memory allows dense.
    """
    import tensorflow as tf

    st = sparse_rating_matrix(ratings, index, by)
    ds = tf.data.Dataset.from_tensor_slices(st)
    if shuffle:
        ds = ds.shuffle(int(st.dense_shape[0]), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(lambda s: tf.sparse.to_dense(s), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.map(lambda x: (x, x)).prefetch(tf.data.AUTOTUNE)


def carve_validation(
    train: pd.DataFrame, fraction: float = 0.05, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a seeded random `fraction` of training ratings off for validation."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction={fraction}: a validation fraction lies strictly between 0 and 1.")
    fit, valid = _random_split(train, fraction, seed)
    return fit, valid
