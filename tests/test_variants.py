"""Builders for the denoising, stacked, sparse and deep autoencoders, and their experiments."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import experiments, losses, models


def test_denoising_noise_only_in_training() -> None:
    x = np.full((4, 784), 0.5, np.float32)
    for kind, level in (("gaussian", 0.3), ("masking", 0.5)):
        model = models.denoising_autoencoder(kind, level)
        assert model.count_params() == 50_992  # the noise layer adds no weights
        noise = model.layers[1]
        np.testing.assert_array_equal(noise(x, training=False), x)  # inference: untouched
        noisy = np.asarray(noise(x, training=True))
        assert not np.array_equal(noisy, x)
        if kind == "masking":
            assert set(np.unique(noisy)) == {0.0, 0.5}  # zeroed, not rescaled
            assert 0.35 < float((noisy == 0).mean()) < 0.65
    with pytest.raises(ValueError, match="'gaussian' or 'masking'"):
        models.denoising_autoencoder("salt")
    with pytest.raises(ValueError, match="masking rate"):
        models.MaskingNoise(1.5)


def test_stacked_shape_and_parameters() -> None:
    model = models.stacked_autoencoder((128, 64, 32))
    sizes = [layer.units for layer in model.layers[1:]]
    assert sizes == [128, 64, 32, 64, 128, 784]
    expected = (784 * 128 + 128) + (128 * 64 + 64) + (64 * 32 + 32) + (32 * 64 + 64) + (64 * 128 + 128) + (128 * 784 + 784)
    assert model.count_params() == expected
    with pytest.raises(ValueError):
        models.stacked_autoencoder(())


def test_layerwise_pretraining_fills_every_layer() -> None:
    x = np.random.default_rng(0).random((64, 20)).astype(np.float32)
    deep, seconds = experiments.pretrain_layerwise(x, (8, 4), epochs=1, batch_size=32)
    fresh = models.stacked_autoencoder((8, 4), input_dim=20)
    assert seconds > 0
    assert [layer.name for layer in deep.layers[1:]] == ["enc_1", "enc_2", "dec_1", "dec_2"]
    assert deep.get_layer("dec_2").units == 20 and deep.get_layer("dec_1").units == 8
    for name in ("enc_1", "enc_2", "dec_1", "dec_2"):  # weights came from the shallow models
        assert not np.allclose(deep.get_layer(name).get_weights()[0], fresh.get_layer(name).get_weights()[0])


def test_rating_variants() -> None:
    deep = models.deep_autorec(100, layers=(32, 16, 32))
    assert [layer.name for layer in deep.layers if isinstance(layer, keras.layers.Dense)] == [
        "hidden_1", "encoder", "hidden_3", "decoder"]
    assert deep.get_layer("code_dropout").rate == 0.5
    assert all(deep.get_layer(n).activation.__name__ == "selu" for n in ("hidden_1", "encoder", "hidden_3"))
    with pytest.raises(ValueError, match="odd number"):
        models.deep_autorec(100, layers=(32, 32))
    sparse = models.autorec(50, hidden=8, code_l1=1e-3)
    sparse(np.ones((2, 50), np.float32))
    assert len(sparse.losses) == 5  # 4 L2 terms (weights and biases) + the L1 on the code


def test_add_noise_and_code_stats() -> None:
    x = np.full((10, 100), 0.5, np.float32)
    noisy = experiments.add_noise(x, "gaussian", 0.2, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, x)
    np.testing.assert_array_equal(noisy, experiments.add_noise(x, "gaussian", 0.2, seed=1))
    stats = losses.code_stats(np.array([[0.0, 1.0], [0.0, 3.0]]))
    assert stats == {"mean_activation": 1.0, "share_near_zero": 0.5, "active_units": 1.0, "share_alive": 0.5}
    np.testing.assert_allclose(losses.bce_per_image(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])), [np.log(2)])
