"""Ratings: strict parsing of rating files, the id index, rating matrices (dense, or sparse and
densified batch by batch) and seeded splits."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf

RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]


class RatingsFormatError(ValueError):
    """A rating file is malformed; the message names the file and the line."""

    def __init__(self, path: str | Path, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")


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


# --------------------------------------------------------------------------- splits


def random_split(ratings: pd.DataFrame, test_fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded random split: `(rest, held_out)` with `test_fraction` of the ratings held out."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ratings))
    n_test = int(round(test_fraction * len(ratings)))
    test = ratings.iloc[np.sort(order[:n_test])].reset_index(drop=True)
    train = ratings.iloc[np.sort(order[n_test:])].reset_index(drop=True)
    return train, test


#: The share of a base file carved off as the validation slice, where every choice is made (the kit's one value).
VALID_FRACTION = 0.05


def carve_validation(
    train: pd.DataFrame, fraction: float = VALID_FRACTION, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a seeded random `fraction` of training ratings off for validation."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction={fraction}: a validation fraction lies strictly between 0 and 1.")
    fit, valid = random_split(train, fraction, seed)
    return fit, valid
