"""Notebook 05 builds the stacked autoencoder and runs greedy layer-wise pre-training in its own
cells; the kit keeps copies (`models.stacked_autoencoder`, `experiments.pretrain_layerwise`) for
later lessons. These tests run the notebook's cells and check that both builds match: the same
layers, shapes and parameter counts, and, from the same seed, the same pre-trained weights."""

from __future__ import annotations

from typing import Any

import jupytext
import keras
import numpy as np
import pytest

from helpers import experiments, models, runtime
from helpers.runtime import kit_root

NOTEBOOK = kit_root() / "notebooks" / "05_stacked_autoencoder.py"


def notebook_functions(*names: str) -> dict[str, Any]:
    """Exec the notebook's code cells that define `names` (and nothing else) and return them."""
    cells = [c.source for c in jupytext.read(NOTEBOOK).cells if c.cell_type == "code"]
    namespace: dict[str, Any] = {"keras": keras, "np": np, "runtime": runtime}
    for name in names:
        found = [src for src in cells if src.lstrip().startswith(f"def {name}(")]
        assert len(found) == 1, f"notebook 05 should define {name} in one cell of its own"
        exec(compile(found[0], f"{NOTEBOOK.name}:{name}", "exec"), namespace)
    return {name: namespace[name] for name in names}


def structure(model: keras.Model) -> list[tuple[str, str, tuple, str | None, int]]:
    """Each layer's name, kind, output shape, activation and parameter count."""
    rows = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        rows.append((layer.name, type(layer).__name__, tuple(layer.output.shape),
                     getattr(activation, "__name__", None), layer.count_params()))
    return rows


@pytest.mark.parametrize("layers, input_dim", [((128, 64, 32), 784), ((16, 8), 20), ((5,), 12), ((40, 30, 20, 10), 50)])
def test_notebook_stacked_build_matches_the_library(layers: tuple[int, ...], input_dim: int) -> None:
    build_stacked = notebook_functions("build_stacked")["build_stacked"]
    mine, kits = build_stacked(layers, input_dim), models.stacked_autoencoder(layers, input_dim)
    assert structure(mine) == structure(kits)
    assert mine.count_params() == kits.count_params()
    assert mine.input_shape == kits.input_shape and mine.output_shape == kits.output_shape


def test_default_build_is_the_lessons_784_128_64_32() -> None:
    model = notebook_functions("build_stacked")["build_stacked"]()
    assert [layer.units for layer in model.layers[1:]] == [128, 64, 32, 64, 128, 784]
    assert model.count_params() == models.stacked_autoencoder().count_params() == 222_384


@pytest.mark.slow
def test_notebook_pretraining_matches_the_library() -> None:
    fns = notebook_functions("build_stacked", "pretrain_greedy")
    x = np.random.default_rng(0).random((64, 20)).astype(np.float32)
    mine = fns["pretrain_greedy"](x, (8, 4), epochs=1, seed=3)
    kits, _ = experiments.pretrain_layerwise(x, (8, 4), epochs=1, seed=3)
    assert structure(mine) == structure(kits)
    fresh = models.stacked_autoencoder((8, 4), input_dim=20)
    for name in ("enc_1", "enc_2", "dec_1", "dec_2"):
        ours, theirs = mine.get_layer(name).get_weights(), kits.get_layer(name).get_weights()
        assert [w.shape for w in ours] == [w.shape for w in theirs]
        # the same seed and the same loop: the same pre-trained weights (CPU kernels are deterministic)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        assert not np.allclose(ours[0], fresh.get_layer(name).get_weights()[0])  # filled in by pre-training
