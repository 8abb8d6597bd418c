"""The "try it yourself" rating widget."""

from __future__ import annotations

import pandas as pd


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


def test_find_items_matches_a_title_part_in_any_case() -> None:
    from helpers.demo import find_items

    titles = pd.Series(["Star Wars (1977)", "Return of the Jedi (1983)", "Starman (1984)"], index=[50, 181, 7])
    assert find_items(titles, "star wars").to_dict() == {50: "Star Wars (1977)"}
    assert find_items(titles, "STAR").index.tolist() == [50, 7] and find_items(titles, "(19").size == 3
