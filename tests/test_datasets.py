"""Loaders on the real offline data (MovieLens, MNIST, titles) and the slides' toy matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import datasets


def test_movielens_u1_offline(offline_data: Path) -> None:
    train, test = datasets.load_movielens("ml-100k", "u1")
    assert (len(train), len(test)) == (80_000, 20_000)
    both = pd.concat([train, test])
    assert both["user_id"].nunique() == 943
    assert both["item_id"].nunique() == 1682
    assert list(train.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert set(np.unique(both["rating"])) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert train.iloc[0].tolist() == [1, 1, 5, 874965758]  # first line of u1.base
    # 03: unlike MovieLens 1M, where the AutoRec paper saw items with more ratings than users,
    # u1.base's users average more ratings than its items
    assert train.groupby("user_id").size().mean() > train.groupby("item_id").size().mean()


@pytest.mark.parametrize(("split", "n_test"), [("u3", 20_000), ("ua", 9_430), ("ub", 9_430)])
def test_movielens_other_splits(offline_data: Path, split: str, n_test: int) -> None:
    train, test = datasets.load_movielens("ml-100k", split)
    assert len(train) + len(test) == 100_000
    assert len(test) == n_test


def test_movielens_all_and_random(offline_data: Path) -> None:
    everything = datasets.load_movielens("ml-100k", None)
    assert len(everything) == 100_000
    assert everything.iloc[0].tolist() == [196, 242, 3, 881250949]
    a_train, a_test = datasets.load_movielens("ml-100k", "random", seed=3)
    b_train, b_test = datasets.load_movielens("ml-100k", "random", seed=3)
    assert len(a_test) == 10_000 and a_test.equals(b_test) and a_train.equals(b_train)


def test_movielens_bad_split(offline_data: Path) -> None:
    with pytest.raises(ValueError, match="has the splits"):
        datasets.load_movielens("ml-100k", "u9")
    with pytest.raises(ValueError, match="Unknown MovieLens"):
        datasets.load_movielens("ml-7m")


def test_movielens_missing_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.load_movielens("ml-100k", "u1")
    message = str(info.value)
    assert str(tmp_path / "ml-100k") in message and "unset COURSE_DATA_DIR" in message
    with pytest.raises(FileNotFoundError, match="mnist"):
        datasets.load_mnist()


def test_relative_data_dir_is_from_kit_root(offline_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from helpers.runtime import kit_root

    rel = os.path.relpath(offline_data.resolve(), kit_root())
    assert not Path(rel).is_absolute()
    monkeypatch.setenv("COURSE_DATA_DIR", rel)
    monkeypatch.chdir("/")
    assert datasets.data_dir() == offline_data.resolve()


def test_movie_titles_latin1(offline_data: Path) -> None:
    titles = datasets.load_movie_titles("ml-100k")
    assert len(titles) == 1682
    assert titles[1] == "Toy Story (1995)"
    assert titles[50] == "Star Wars (1977)"
    assert any("Misérables" in t for t in titles)


def test_mnist_offline(offline_data: Path) -> None:
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()
    assert x_train.shape == (8_000, 784) and x_test.shape == (2_000, 784)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert y_train.shape == (8_000,) and set(np.unique(y_train)) == set(range(10))
    assert y_train[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # official t10k order
    assert abs(float(np.concatenate([x_train, x_test]).mean()) - 0.1325) < 1e-3
    (x28, _), _ = datasets.load_mnist(flatten=False)
    assert x28.shape == (8_000, 28, 28)


def test_mnist_truncated_file(tmp_path: Path, offline_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip
    import shutil

    folder = tmp_path / "mnist"
    shutil.copytree(offline_data / "mnist", folder)
    raw = gzip.decompress((folder / "t10k-images-idx3-ubyte.gz").read_bytes())
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(raw[:-100]))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(datasets.MnistFormatError, match="truncated"):
        datasets.load_mnist()


def test_toy_matrices() -> None:
    five = datasets.load_toy_matrix("5x5")
    expected = np.array([[0, 3, 0, 3, 0], [4, 0, 0, 2, 0], [0, 0, 3, 0, 0], [3, 0, 4, 0, 3], [4, 3, 0, 4, 0]])
    np.testing.assert_array_equal(five.values, expected)
    np.testing.assert_array_equal(five.mask, expected != 0)
    four = datasets.load_toy_matrix("4x5")
    assert four.values.shape == (4, 5) and four.users == ["u1", "u2", "u3", "u4"]
    assert four.items == ["i1", "i2", "i3", "i4", "i5"]
    assert four.mask.sum() == 10
    assert four.values[0, 1] == 4.5 and four.values[2, 4] == 2.0 and not four.mask[0, 0]
    assert np.isnan(four.frame().iloc[0, 0])
    with pytest.raises(ValueError, match="Unknown toy matrix"):
        datasets.load_toy_matrix("3x3")


def test_movie_genres_offline(offline_data: Path) -> None:
    genres = datasets.load_movie_genres("ml-100k")
    assert genres.shape == (1682, 19) and genres.dtypes.eq(bool).all()
    assert genres.columns[0] == "unknown" and "Sci-Fi" in genres.columns
    assert sorted(genres.columns[genres.loc[1]]) == ["Animation", "Children's", "Comedy"]  # Toy Story
    with pytest.raises(ValueError, match="ml-100k"):
        datasets.load_movie_genres("ml-1m")
