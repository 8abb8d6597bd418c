"""The "try it yourself" demo: rate a few films, get recommendations from a U-AutoRec."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from helpers.autorec import TrainedAutoRec, fold_in
from helpers.evaluation import RATING_SCALE


def find_items(titles: pd.Series, query: str) -> pd.Series:
    """Titles containing `query` (case-insensitive), indexed by item id."""
    return titles[titles.str.contains(query, case=False, regex=False)]


def recommend_for_new_user(user_model: TrainedAutoRec, titles: pd.Series, my_ratings: dict[str, float],
                           k: int = 10) -> pd.DataFrame:
    """Top-k films for someone who gave `my_ratings` (exact titles -> 1..5), no retraining.

    Ranked by the model's output; the predicted rating shown is clipped to the 1-5 scale, as
    everywhere in the kit (a film the model rates 5.2 shows as 5.0, above one it rates 5.0).
    """
    by_title = {t: i for i, t in titles.items()}
    missing = [t for t in my_ratings if t not in by_title]
    if missing:
        hints = {t: list(find_items(titles, t.split(" (")[0])[:3]) for t in missing}
        raise ValueError(f"Unknown title(s) {missing}; use exact titles, e.g. from find_items(). Close matches: {hints}")
    predicted = fold_in(user_model, {by_title[t]: r for t, r in my_ratings.items()})
    predicted = predicted.drop([by_title[t] for t in my_ratings])
    top = predicted.sort_values(ascending=False).head(k)
    return pd.DataFrame({"title": titles.reindex(top.index).to_numpy(),
                         "predicted rating": top.clip(*RATING_SCALE).round(2).to_numpy()}, index=top.index.rename("item_id"))


def rating_widget(films: list[str], on_submit: Callable[[dict[str, float]], pd.DataFrame]) -> object:
    """Sliders (0 = not seen, 1-5) for `films` and a button that shows `on_submit`'s table."""
    import ipywidgets as widgets
    from IPython.display import display

    sliders = {f: widgets.IntSlider(value=0, min=0, max=5, description="", layout=widgets.Layout(width="220px"))
               for f in films}
    rows = [widgets.HBox([widgets.Label(f, layout=widgets.Layout(width="320px")), s]) for f, s in sliders.items()]
    button = widgets.Button(description="Recommend", button_style="primary")
    out = widgets.Output()

    def clicked(_: object) -> None:
        out.clear_output()
        with out:
            chosen = {f: float(s.value) for f, s in sliders.items() if s.value > 0}
            if not chosen:
                print("Move at least one slider (1-5) first; 0 means 'not seen'.")
                return
            display(on_submit(chosen))

    button.on_click(clicked)
    box = widgets.VBox([widgets.HTML("<b>Rate the films you have seen (0 = not seen)</b>"), *rows, button, out])
    display(box)
    return box
