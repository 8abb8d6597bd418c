"""Strict parsing of rating files (every malformed case names the file and the line), the id index,
rating matrices (dense and sparse batches) and splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import datasets
from helpers.ratings import (
    RatingIndex,
    RatingsFormatError,
    carve_validation,
    rating_dataset,
    rating_matrix,
    read_ratings,
)


def write(tmp_path: Path, content: str | bytes, name: str = "ratings.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    "content",
    [
        "1\t10\t4\t881250949\n2\t20\t3\t881250950\n",  # u.data
        "1::10::4::881250949\n2::20::3::881250950\n",  # ratings.dat
        "userId,movieId,rating,timestamp\n1,10,4.0,881250949\n2,20,3.0,881250950\n",  # ratings.csv
        "1,10,4,881250949\n2,20,3,881250950\n",  # csv without header
        "1\t10\t4\t881250949\r\n2\t20\t3\t881250950\r\n",  # CRLF
        "\ufeff1\t10\t4\t881250949\n2\t20\t3\t881250950\n\n\n",  # BOM + trailing blanks
    ],
)
def test_accepted_layouts(tmp_path: Path, content: str) -> None:
    df = read_ratings(write(tmp_path, content))
    assert list(df.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert df["user_id"].tolist() == [1, 2]
    assert df["item_id"].tolist() == [10, 20]
    assert df["rating"].tolist() == [4.0, 3.0]
    assert df["timestamp"].tolist() == [881250949, 881250950]
    assert df["user_id"].dtype == np.int64 and df["rating"].dtype == np.float32


def test_three_fields_and_half_stars(tmp_path: Path) -> None:
    df = read_ratings(write(tmp_path, "1,10,4.5\n2,20,0.5\n"))
    assert df["rating"].tolist() == [4.5, 0.5]
    assert df["timestamp"].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("1\t10\t4\t5\n2\t20\t3\n", 2, "expected 4 fields, found 3"),
        ("1\t10\t4\t5\n2\t20\t3\t5\t9\n", 2, "found 5 fields"),
        ("1\t10\t4\t5\n\n2\t20\t3\t5\n", 2, "blank line"),
        ("1\t10\t4\t5\nabc\t20\t3\t5\n", 2, "user id 'abc' is not a number"),
        ("1\t10\t4\t5\n2\t20\tfour\t5\n", 2, "rating 'four' is not a number"),
        ("1\t10\t4\t5\n2\t20\tNaN\t5\n", 2, "rating is NaN"),
        ("1\t10\t4\t5\n2\tnan\t3\t5\n", 2, "item id is NaN"),
        ("1\t10\t4\t5\n2.5\t20\t3\t5\n", 2, "'2.5' is not a whole number"),
        ("1\t10\t4\t5\n2\t-20\t3\t5\n", 2, "'-20' is negative"),
        ("1\t10\t4\t5\n2\t20\t6\t5\n", 2, "outside the rating scale"),
        ("1\t10\t4\t5\n2\t20\t0\t5\n", 2, "outside the rating scale"),
        ("1\t10\t4\t5\n2\t20\t3\t5\n3\t7\t3\t5\n1\t10\t2\t6\n", 4, "a second time (first on line 1)"),
        ("userId,movieId,rating\n1,10,4\n1,10,5\n", 3, "a second time (first on line 2)"),
        ("1\t10\t4\t5\n2\t20\t3\t-5\n", 2, "timestamp '-5' is negative"),
        ("1 10 4 5\n", 1, "no separator"),
        ("1\t10\n", 1, "expected 3 or 4 fields"),
    ],
)
def test_malformed_lines(tmp_path: Path, content: str, line: int, words: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(RatingsFormatError) as info:
        read_ratings(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}:"), message
    assert words in message, message
    assert info.value.line == line
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("content", ["", "\n\n", "\r\n", "\ufeff"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(RatingsFormatError, match="empty"):
        read_ratings(path)


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(RatingsFormatError, match="header but no ratings"):
        read_ratings(write(tmp_path, "userId,movieId,rating,timestamp\n"))


def test_not_text(tmp_path: Path) -> None:
    path = write(tmp_path, b"1\t10\t4\t5\n2\t\xff\t3\t5\n")
    with pytest.raises(RatingsFormatError, match="line 2"):
        read_ratings(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_ratings(tmp_path / "nope.data")


def test_custom_scale(tmp_path: Path) -> None:
    path = write(tmp_path, "1,10,10\n")
    assert read_ratings(path, rating_scale=(1, 10))["rating"].tolist() == [10.0]
    with pytest.raises(RatingsFormatError, match="outside the rating scale 1-5"):
        read_ratings(path, rating_scale=(1, 5))


def small_ratings() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 1, 2, 3, 3], "item_id": [10, 30, 10, 20, 30],
                         "rating": np.array([5, 3, 4, 2, 1], np.float32), "timestamp": 0})


def test_rating_matrix_dense() -> None:
    ratings = small_ratings()
    index = RatingIndex.from_ratings(ratings)
    matrix, mask = rating_matrix(ratings, index, by="item")
    assert matrix.shape == (3, 3)  # items x users
    np.testing.assert_array_equal(matrix, [[5, 4, 0], [0, 0, 2], [3, 0, 1]])
    np.testing.assert_array_equal(mask, matrix != 0)
    by_user, _ = rating_matrix(ratings, index, by="user")
    np.testing.assert_array_equal(by_user, matrix.T)
    assert index.users([1, 99]).tolist() == [0, -1]


def test_rating_matrix_rejects_bad_rows() -> None:
    ratings = small_ratings()
    index = RatingIndex.from_ratings(ratings)
    with pytest.raises(ValueError, match="not in the RatingIndex"):
        rating_matrix(pd.concat([ratings, pd.DataFrame({"user_id": [9], "item_id": [10], "rating": [3.0]})]), index)
    nan = ratings.assign(rating=[5, np.nan, 4, 2, 1])
    with pytest.raises(ValueError, match="NaN"):
        rating_matrix(nan, index)
    with pytest.raises(ValueError, match="by='diag'"):
        rating_matrix(ratings, index, by="diag")


def test_sparse_batches_equal_dense_rows(offline_data: Path) -> None:
    train, _ = datasets.load_movielens("ml-100k", "u1")
    index = RatingIndex.from_ratings(train)
    dense, _ = rating_matrix(train, index)
    ds = rating_dataset(train, index, batch_size=500, shuffle=False)
    rows = np.concatenate([x.numpy() for x, y in ds])
    np.testing.assert_array_equal(rows, dense)
    shuffled = np.concatenate([x.numpy() for x, _ in rating_dataset(train, index, batch_size=500, seed=1)])
    assert not np.array_equal(shuffled, dense)
    np.testing.assert_array_equal(np.sort(shuffled.sum(axis=1)), np.sort(dense.sum(axis=1)))


def test_carve_validation() -> None:
    ratings = pd.DataFrame({"user_id": np.arange(100), "item_id": 1, "rating": 3.0, "timestamp": 0})
    fit, valid = carve_validation(ratings, 0.1, seed=0)
    assert len(valid) == 10 and len(fit) == 90
    assert set(fit["user_id"]).isdisjoint(valid["user_id"])
    with pytest.raises(ValueError, match="strictly between"):
        carve_validation(ratings, 1.5)


def test_rating_index_lookup() -> None:
    index = RatingIndex(np.array([3, 7, 9]), np.array([10, 20]))
    assert index.users([9, 3, 4, 100, 0]).tolist() == [2, 0, -1, -1, -1]
    assert index.items(pd.Series([20, 10, 15])).tolist() == [1, 0, -1]
    with pytest.raises(ValueError, match="sorted and unique"):
        RatingIndex(np.array([7, 3]), np.array([1]))
