"""The controlled experiments: greedy layer-wise pre-training and noisy copies of images."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import experiments, models


@pytest.mark.slow
def test_layerwise_pretraining_fills_every_layer() -> None:
    x = np.random.default_rng(0).random((64, 20)).astype(np.float32)
    deep, seconds = experiments.pretrain_layerwise(x, (8, 4), epochs=1, batch_size=32)
    fresh = models.stacked_autoencoder((8, 4), input_dim=20)
    assert seconds > 0
    assert [layer.name for layer in deep.layers[1:]] == ["enc_1", "enc_2", "dec_1", "dec_2"]
    assert deep.get_layer("dec_2").units == 20 and deep.get_layer("dec_1").units == 8
    for name in ("enc_1", "enc_2", "dec_1", "dec_2"):  # weights came from the shallow models
        assert not np.allclose(deep.get_layer(name).get_weights()[0], fresh.get_layer(name).get_weights()[0])


def test_add_noise() -> None:
    x = np.full((10, 100), 0.5, np.float32)
    noisy = experiments.add_noise(x, "gaussian", 0.2, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, x)
    np.testing.assert_array_equal(noisy, experiments.add_noise(x, "gaussian", 0.2, seed=1))
