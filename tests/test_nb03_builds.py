"""Notebook 03 writes AutoRec's Keras layers and its masked loss in its own cells; the kit keeps a
copy (`helpers.models.autorec`, `helpers.losses.masked_mse`) for later notebooks. Both builds must
be the same network: layers, shapes, parameter counts and regularisers. Notebook 02's masked loss
must be the library's too."""

from __future__ import annotations

import ast
from typing import Any

import jupytext
import keras
import numpy as np
import pytest

from helpers import losses, models
from helpers.runtime import kit_root

pytestmark = pytest.mark.notebooks


def notebook_functions(stem: str, names: set[str]) -> dict[str, Any]:
    """The functions `names`, defined by executing only their `def` statements from the notebook's cells."""
    nb = jupytext.read(kit_root() / "notebooks" / f"{stem}.py")
    namespace: dict[str, Any] = {"keras": keras, "np": np}
    found: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or "def " not in cell.source:
            continue
        tree = ast.parse(cell.source)
        defs = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
        if defs:
            exec(compile(ast.Module(body=defs, type_ignores=[]), f"<{stem}>", "exec"), namespace)
            found |= {d.name for d in defs}
    assert found == names, f"notebook {stem} does not define {sorted(names - found)}"
    return {name: namespace[name] for name in names}


def describe(model: keras.Model) -> list[tuple]:
    """Per layer: class, name, output shape, parameter count and the L2 weights of its regularisers."""
    rows = []
    for layer in model.layers:
        regs = []
        for attr in ("kernel_regularizer", "bias_regularizer"):
            reg = getattr(layer, attr, None)
            regs.append(None if reg is None else (type(reg).__name__, round(float(reg.get_config()["l2"]), 12)))
        activation = getattr(getattr(layer, "activation", None), "__name__", None)
        rows.append((type(layer).__name__, layer.name, tuple(layer.output.shape), layer.count_params(), activation,
                     tuple(regs), getattr(layer, "rate", None)))
    return rows


@pytest.mark.parametrize(("n_inputs", "hidden", "lam", "dropout", "activation"),
                         [(943, 500, 1e-3, 0.5, "sigmoid"), (37, 8, 0.0, 0.0, "sigmoid"), (50, 16, 3e-4, 0.0, "relu")])
def test_notebook_and_library_build_the_same_autorec(n_inputs: int, hidden: int, lam: float, dropout: float,
                                                     activation: str) -> None:
    build = notebook_functions("03_autorec_movielens", {"autorec_network"})["autorec_network"]
    ours = build(n_inputs, hidden, lam, dropout, activation, "I-AutoRec")
    library = models.autorec(n_inputs, hidden=hidden, lam=lam, activation=activation, dropout=dropout, name="I-AutoRec")
    assert describe(ours) == describe(library)
    assert ours.count_params() == library.count_params() == 2 * n_inputs * hidden + hidden + n_inputs
    assert ours.input_shape == library.input_shape and ours.output_shape == library.output_shape


@pytest.mark.parametrize("stem", ["02_rating_matrix_autoencoder", "03_autorec_movielens"])
def test_notebook_masked_loss_is_the_library_s(stem: str) -> None:
    masked_mse = notebook_functions(stem, {"masked_mse"})["masked_mse"]
    rng = np.random.default_rng(3)
    for _ in range(5):
        y_true = rng.integers(1, 6, size=(7, 11)).astype("float32")
        y_true[rng.random(y_true.shape) < 0.7] = 0.0
        y_pred = rng.normal(3.0, 1.5, size=y_true.shape).astype("float32")
        ours = float(keras.ops.convert_to_numpy(masked_mse(y_true, y_pred)))
        assert ours == pytest.approx(float(keras.ops.convert_to_numpy(losses.masked_mse(y_true, y_pred))), rel=1e-6)
        rated = y_true != 0
        assert ours == pytest.approx(float(np.mean((y_pred[rated] - y_true[rated]) ** 2)), rel=1e-5)
