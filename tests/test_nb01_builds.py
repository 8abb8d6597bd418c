"""Notebook 01 writes the lecture's autoencoder in its own cell (section 3); the kit keeps a copy
(`helpers.models.mnist_autoencoder`) that notebook 01's sweep and the later lessons build. Both
must be the same network: layers, shapes and parameter counts."""

from __future__ import annotations

from typing import Any

import jupytext
import keras
import numpy as np
import pytest

from helpers import models
from helpers.runtime import kit_root

pytestmark = pytest.mark.notebooks


def notebook_autoencoder() -> keras.Model:
    """The model that notebook 01's section-3 cell builds (the cell run on its own)."""
    nb = jupytext.read(kit_root() / "notebooks" / "01_mnist_autoencoder.py")
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "autoencoder = keras.Model(" in c.source]
    assert len(cells) == 1, "notebook 01 should build its autoencoder in exactly one cell"
    namespace: dict[str, Any] = {"keras": keras, "np": np}
    exec(compile(cells[0], "<01_mnist_autoencoder>", "exec"), namespace)
    return namespace["autoencoder"]


def describe(model: keras.Model) -> list[tuple]:
    """Per layer: class, name, output shape, parameter count and activation."""
    return [(type(layer).__name__, layer.name, tuple(layer.output.shape), layer.count_params(),
             getattr(getattr(layer, "activation", None), "__name__", None)) for layer in model.layers]


def test_notebook_and_library_build_the_same_autoencoder(capsys: pytest.CaptureFixture[str]) -> None:
    ours = notebook_autoencoder()
    capsys.readouterr()  # the cell prints the model's summary
    library = models.mnist_autoencoder()
    assert describe(ours) == describe(library)
    assert ours.count_params() == library.count_params() == 784 * 32 + 32 + 32 * 784 + 784
    assert ours.input_shape == library.input_shape == (None, 784)
    assert ours.output_shape == library.output_shape == (None, 784)


def test_notebook_compiles_the_lectures_settings() -> None:
    ours = notebook_autoencoder()
    assert type(ours.optimizer).__name__ == "RMSprop"
    assert float(ours.optimizer.learning_rate) == pytest.approx(0.001)
    assert float(ours.optimizer.rho) == pytest.approx(0.9)
    assert ours.loss == "binary_crossentropy"
