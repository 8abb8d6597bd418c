"""The "try it yourself" demo shows predicted ratings on the 1-5 scale, in the model's order."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from helpers import autorec
from helpers.demo import recommend_for_new_user
from helpers.evaluation import RatingIndex


def test_recommendations_show_ratings_clipped_to_the_scale() -> None:
    ratings = pd.DataFrame({"user_id": [1, 1, 2, 2, 3], "item_id": [10, 20, 20, 30, 40], "rating": [5, 3, 4, 2, 1]})
    index = RatingIndex.from_ratings(ratings)
    out = keras.initializers.Constant([6.0, 5.2, 5.8, 0.2])  # a U-AutoRec whose outputs leave the scale both ways
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, kernel_initializer="zeros", bias_initializer=out)])
    user_model = autorec.TrainedAutoRec(model, autorec.BEST_USER, index, np.zeros((3, 4)), np.zeros((3, 4)), None)
    titles = pd.Series(["A", "B", "C", "D"], index=[10, 20, 30, 40])
    recs = recommend_for_new_user(user_model, titles, {"A": 5}, k=3)
    assert recs["title"].tolist() == ["C", "B", "D"]  # the model's order, the rated film left out
    assert recs["predicted rating"].tolist() == [5.0, 5.0, 1.0]


def test_rating_widget_click_passes_the_rated_films() -> None:
    """The sliders and the button work with the ipywidgets of .venv (8) and of Colab (7.7.1, make test-colab):
    a click hands over the films rated 1-5, and does nothing but ask when no slider was moved."""
    import ipywidgets

    from helpers.demo import rating_widget

    asked: list[dict[str, float]] = []
    box = rating_widget(["A", "B", "C"], lambda chosen: asked.append(chosen) or pd.DataFrame({"title": ["D"]}))
    rows = [child for child in box.children if isinstance(child, ipywidgets.HBox)]
    button = next(child for child in box.children if isinstance(child, ipywidgets.Button))
    assert [row.children[0].value for row in rows] == ["A", "B", "C"] and button.description == "Recommend"
    button.click()
    assert asked == []
    rows[0].children[1].value = 5
    rows[2].children[1].value = 2
    button.click()
    assert asked == [{"A": 5.0, "C": 2.0}]
