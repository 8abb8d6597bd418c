"""The lessons' pictures: image grids, loss curves, the rating heatmap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from helpers import plots


def test_plots_draw() -> None:
    imgs = np.random.rand(12, 784).astype(np.float32)
    fig = plots.image_grid([imgs, imgs], labels=["original", "reconstructed"], n=8)
    assert len(fig.axes) == 16
    hist = pd.DataFrame({"epoch": [1, 2, 3], "loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2.0]})
    fig = plots.loss_curves(hist)
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="has no 'rmse'"):
        plots.loss_curves(hist, metrics=["rmse"])
    values = np.array([[3.0, 4.2], [1.5, 5.0]])
    fig = plots.rating_heatmap(values, values > 3)
    texts = [t for t in fig.axes[0].texts]
    assert len(texts) == 4 and texts[0].get_fontstyle() == "italic" and texts[1].get_fontweight() == "bold"
    with pytest.raises(ValueError, match="differ in shape"):
        plots.rating_heatmap(values, np.ones((3, 3), bool))
