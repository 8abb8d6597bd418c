"""The "try it yourself" demo: find films by title, and a rating widget that hands the rated films to a recommender."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd


def find_items(titles: pd.Series, query: str) -> pd.Series:
    """Titles containing `query` (case-insensitive), indexed by item id."""
    return titles[titles.str.contains(query, case=False, regex=False)]


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
