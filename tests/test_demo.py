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
