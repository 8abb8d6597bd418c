"""The controlled experiments on MNIST: noisy copies of images, one optimizer by name."""

from __future__ import annotations

import numpy as np

from helpers import experiments


def test_add_noise() -> None:
    x = np.full((10, 100), 0.5, np.float32)
    noisy = experiments.add_noise(x, "gaussian", 0.2, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, x)
    np.testing.assert_array_equal(noisy, experiments.add_noise(x, "gaussian", 0.2, seed=1))
