"""Model builders and plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from helpers import models, plots


def test_lecture_autoencoder_shape_and_parameters() -> None:
    model = models.mnist_autoencoder()
    assert model.count_params() == 50_992  # 784*32+32 + 32*784+784
    assert model.input_shape == (None, 784) and model.output_shape == (None, 784)
    assert [layer.activation.__name__ for layer in model.layers[1:]] == ["relu", "sigmoid"]


def test_autorec_shape_and_bad_sizes() -> None:
    model = models.autorec(943, hidden=500)
    assert model.count_params() == 943 * 500 + 500 + 500 * 943 + 943
    for bad in [0, -5, 2.5, True]:
        with pytest.raises(ValueError, match="whole number >= 1"):
            models.autorec(943, hidden=bad)  # type: ignore[arg-type]


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
