"""AutoRec helpers: training, predictions, recommendations, fold-in, and the split the variant lessons use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import autorec, datasets
from helpers.ratings import RatingIndex


def small_movielens() -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test = datasets.load_movielens("ml-100k", "u1")
    return train[train["item_id"] <= 150], test[test["item_id"] <= 150]


@pytest.mark.slow
def test_train_predict_and_recommend(offline_data: Path) -> None:
    train, test = small_movielens()
    index = RatingIndex.from_ratings(train)
    config = autorec.BEST_ITEM.with_(hidden=32, epochs=3)
    model = autorec.train_autorec(train, index, config, seed=1)
    assert model.predicted.shape == (index.n_items, index.n_users)
    assert model.user_item_scores().shape == (index.n_users, index.n_items)
    assert model.codes().shape == (index.n_items, 32)
    assert model.fit is not None and model.fit.epochs == 3
    pred, unseen = model.predict_pairs(test, fallback=3.0)
    assert pred.shape == (len(test),) and np.isfinite(pred).all()
    assert np.all(pred[unseen] == 3.0)
    seen = train.loc[train["user_id"] == index.user_ids[0], "item_id"].to_numpy()
    top = autorec.recommend(model.user_item_scores()[0], seen, index.item_ids, k=10)
    assert len(top) == 10 and not set(top) & set(seen)


@pytest.mark.slow
def test_train_a_model_built_in_view(offline_data: Path) -> None:
    """A notebook builds and compiles the network itself; the helper trains that very model."""
    train, _ = small_movielens()
    index = RatingIndex.from_ratings(train)
    config = autorec.BEST_ITEM.with_(hidden=16, epochs=2)
    net = autorec.build_autorec(config, index.n_users)
    autorec.compile_autorec(net, config, index.n_items)
    compiled_optimizer = net.optimizer
    trained = autorec.train_autorec(train, index, config, model=net, seed=1)
    assert trained.model is net and net.optimizer is compiled_optimizer  # trained as compiled, not rebuilt
    assert trained.fit is not None and trained.fit.epochs == 2
    fresh = autorec.build_autorec(config, index.n_users)  # not compiled: the helper compiles it the kit's way
    assert autorec.train_autorec(train, index, config.with_(epochs=1), model=fresh).model.compiled
    with pytest.raises(ValueError, match="reads 16 inputs"):
        autorec.train_autorec(train, index, config, model=autorec.build_autorec(config, 16))


@pytest.mark.slow
def test_blend_weight_range() -> None:
    np.testing.assert_allclose(autorec.blend_item_user([1.0, 2.0], [3.0, 4.0], 0.75), [1.5, 2.5])
    with pytest.raises(ValueError):
        autorec.blend_item_user([1.0], [2.0], 1.5)


def test_load_split_and_epochs(offline_data: Path) -> None:
    from helpers import evaluation
    from helpers.ratings import VALID_FRACTION

    split = evaluation.load_split("u1", seed=3, max_item_id=100)
    train, test = split.train, split.test
    assert train["item_id"].max() <= 100 and test["item_id"].max() <= 100
    assert split.index.n_items == train["item_id"].nunique() and split.fallback.shape == (len(test),)
    assert len(split.fit) + len(split.valid) == len(train) and len(split.valid) == round(VALID_FRACTION * len(train))
    assert split.fit_index.n_users == split.fit["user_id"].nunique()
    assert split.valid_fallback.shape == (len(split.valid),) and (split.name, split.seed) == ("u1", 3)
    again = evaluation.load_split("u1", seed=3, max_item_id=100)  # seeded: the same slice
    pd.testing.assert_frame_equal(again.valid, split.valid)
    assert autorec.BEST_ITEM.with_epochs(None) == autorec.BEST_ITEM
    assert autorec.BEST_ITEM.with_epochs(3).epochs == 3


def test_optimizer_choice_compiles_and_is_checked() -> None:
    import keras

    from helpers.autorec_net import autorec_network, compile_autorec

    model = autorec_network(6, 3, lam=1e-3)
    compile_autorec(model, autorec.BEST_ITEM.with_(optimizer="rmsprop"), n_rows=10)
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    with pytest.raises(ValueError, match="optimizer"):
        compile_autorec(autorec_network(6, 3, lam=1e-3), autorec.BEST_ITEM.with_(optimizer="sgd9"), n_rows=10)


def test_describe_names_what_differs_between_variants() -> None:
    texts = {name: config.describe() for name, config in autorec.VARIANTS.items()}
    assert len(set(texts.values())) == len(texts), "two variants read the same"
    assert "input dropout 0," in texts["plain"] and "input dropout 0.5," in texts["denoising"]
    assert "512-256-512 SELU" in texts["deep"] and "code L1 0.001" in texts["sparse"]
    assert texts["plain"].startswith("I-AutoRec") and autorec.BEST_USER.describe().startswith("U-AutoRec")
    assert autorec.BEST_ITEM.with_epochs(15).describe().endswith("15 epochs")
