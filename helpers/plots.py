"""The pictures the lessons show: digits next to their reconstructions, loss curves,
and a rating matrix whose predicted cells stand apart from the observed ones."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def image_grid(rows: Sequence[np.ndarray], labels: Sequence[str] | None = None, n: int = 10,
               shape: tuple[int, int] = (28, 28)) -> plt.Figure:
    """One row of `n` images per array in `rows` (e.g. originals, then reconstructions)."""
    if not rows:
        raise ValueError("image_grid needs at least one row of images.")
    n = min(n, *(len(r) for r in rows))
    gap = 0.3 if labels is not None else 0.05  # room for each row's label, written above the row
    fig, axes = plt.subplots(len(rows), n, figsize=(1.1 * n, (1.1 + gap) * len(rows)), squeeze=False,
                             gridspec_kw={"wspace": 0.05, "hspace": gap / 1.1 * 1.3})
    for r, images in enumerate(rows):
        for c in range(n):
            ax = axes[r][c]
            ax.imshow(np.asarray(images[c]).reshape(shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        if labels is not None:  # above the row, left-aligned: a long label takes no width from the images
            axes[r][0].set_title(labels[r], loc="left", fontsize=9)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - (gap * 0.9) / ((1.1 + gap) * len(rows)))
    return fig


def loss_curves(history: pd.DataFrame | dict, metrics: Sequence[str] = ("loss",), title: str = "") -> plt.Figure:
    """Training and validation curves per epoch from a history (DataFrame or Keras dict)."""
    frame = pd.DataFrame(history.history if hasattr(history, "history") else history)
    if "epoch" not in frame.columns:
        frame["epoch"] = np.arange(1, len(frame) + 1)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        if metric not in frame.columns:
            raise ValueError(f"The history has no {metric!r}; it has {sorted(frame.columns)}.")
        ax.plot(frame["epoch"], frame[metric], label=f"train {metric}")
        if f"val_{metric}" in frame.columns:
            ax.plot(frame["epoch"], frame[f"val_{metric}"], label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(metric)
        ax.legend()
        ax.set_title(f"{title}: {metric}" if title else metric)
    fig.tight_layout()
    return fig


def rating_heatmap(values: np.ndarray, observed: np.ndarray, users: Sequence[str] | None = None,
                   items: Sequence[str] | None = None, title: str = "", scale: tuple[float, float] = (1, 5)) -> plt.Figure:
    """Heatmap of a (filled) rating matrix: observed cells in bold with a frame, predictions in italics."""
    values, observed = np.asarray(values, dtype=float), np.asarray(observed, dtype=bool)
    if values.shape != observed.shape:
        raise ValueError(f"values {values.shape} and observed mask {observed.shape} differ in shape.")
    n_rows, n_cols = values.shape
    fig, ax = plt.subplots(figsize=(1 + 0.9 * n_cols, 0.8 + 0.7 * n_rows))
    cmap = plt.get_cmap("viridis").with_extremes(under="lightgrey", over="mistyrose")  # off the scale: not a colour of it
    im = ax.imshow(values, cmap=cmap, vmin=scale[0], vmax=scale[1])
    for r in range(n_rows):
        for c in range(n_cols):
            obs = observed[r, c]
            ax.text(c, r, f"{round(values[r, c], 1) + 0.0:.1f}", ha="center", va="center",  # + 0.0: no "-0.0"
                    color="white" if scale[0] <= values[r, c] < np.mean(scale) else "black",
                    fontweight="bold" if obs else "normal", fontstyle="normal" if obs else "italic")
            if obs:
                ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2))
    ax.set_xticks(range(n_cols), items if items is not None else [f"i{j + 1}" for j in range(n_cols)])
    ax.set_yticks(range(n_rows), users if users is not None else [f"u{j + 1}" for j in range(n_rows)])
    ax.set_title(title or "observed (framed, bold) and predicted (italic) ratings")
    fig.colorbar(im, ax=ax, fraction=0.046, extend="both", label=f"rating (grey < {scale[0]:g}, pink > {scale[1]:g})")
    fig.tight_layout()
    return fig
