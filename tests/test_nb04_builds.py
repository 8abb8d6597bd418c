"""Notebook 04 writes its noise layers and the denoising autoencoder in its own cells; the kit keeps
a copy (`helpers.models.ClippedGaussianNoise`, `MaskingNoise`, `denoising_autoencoder`) for later
lessons. Both builds must be the same network (layers, shapes, parameter counts), and the noise
layers must corrupt the same way: in training only, and with the same draws for the same seed."""

from __future__ import annotations

import ast
from typing import Any

import jupytext
import keras
import numpy as np
import pytest

from helpers import models
from helpers.runtime import kit_root

pytestmark = pytest.mark.notebooks

NAMES = {"ClippedGaussianNoise", "MaskingNoise", "denoising_autoencoder"}


def notebook_definitions(stem: str, names: set[str]) -> dict[str, Any]:
    """The classes and functions `names`, defined by executing only their statements from the notebook's cells."""
    nb = jupytext.read(kit_root() / "notebooks" / f"{stem}.py")
    namespace: dict[str, Any] = {"keras": keras, "np": np}
    found: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or not ("def " in cell.source or "class " in cell.source):
            continue
        tree = ast.parse(cell.source)
        defs = [node for node in tree.body
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names]
        if defs:
            exec(compile(ast.Module(body=defs, type_ignores=[]), f"<{stem}>", "exec"), namespace)
            found |= {d.name for d in defs}
    assert found == names, f"notebook {stem} does not define {sorted(names - found)}"
    return {name: namespace[name] for name in names}


@pytest.fixture(scope="module")
def notebook() -> dict[str, Any]:
    return notebook_definitions("04_denoising_autoencoder", NAMES)


def describe(model: keras.Model) -> list[tuple]:
    """Per layer: class, name, output shape, parameter count, activation and noise level."""
    return [(type(layer).__name__, layer.name, tuple(layer.output.shape), layer.count_params(),
             getattr(getattr(layer, "activation", None), "__name__", None),
             getattr(layer, "stddev", None), getattr(layer, "rate", None))
            for layer in model.layers]


@pytest.mark.parametrize(("noise", "level", "code_dim"), [("gaussian", 0.3, 32), ("masking", 0.5, 32),
                                                          ("gaussian", 0.1, 8), ("masking", 0.25, 64)])
def test_notebook_and_library_build_the_same_denoiser(notebook: dict[str, Any], noise: str, level: float,
                                                      code_dim: int) -> None:
    ours = notebook["denoising_autoencoder"](noise, level, code_dim=code_dim)
    library = models.denoising_autoencoder(noise, level, code_dim=code_dim)
    assert describe(ours) == describe(library)
    assert ours.count_params() == library.count_params() == 784 * code_dim + code_dim + code_dim * 784 + 784
    assert ours.input_shape == library.input_shape == (None, 784)
    assert ours.output_shape == library.output_shape == (None, 784)


def test_notebook_rejects_an_unknown_noise(notebook: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="'gaussian' or 'masking'"):
        notebook["denoising_autoencoder"]("salt", 0.1)


@pytest.mark.parametrize(("name", "level"), [("ClippedGaussianNoise", 0.3), ("MaskingNoise", 0.5)])
def test_noise_layers_corrupt_alike(notebook: dict[str, Any], name: str, level: float) -> None:
    x = np.random.default_rng(0).uniform(0.0, 1.0, size=(16, 784)).astype("float32")
    ours, library = notebook[name](level, seed=7), getattr(models, name)(level, seed=7)
    np.testing.assert_array_equal(np.asarray(ours(x)), x)  # prediction: untouched
    np.testing.assert_array_equal(np.asarray(library(x)), x)
    noisy = np.asarray(ours(x, training=True))
    np.testing.assert_allclose(noisy, np.asarray(library(x, training=True)), rtol=0, atol=1e-7)  # same draws
    assert not np.array_equal(noisy, x)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    if name == "MaskingNoise":
        zero = noisy == 0
        assert np.all(zero | (noisy == x))  # erased or kept as is, never rescaled
        assert 0.4 < float(zero.mean()) < 0.6
