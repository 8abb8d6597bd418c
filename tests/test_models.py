"""The autoencoder builders (the lecture's, AutoRec, denoising, stacked, sparse, deep) and their encoders."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import models


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


def test_noise_layers_save_their_settings() -> None:
    for layer in (models.MaskingNoise(0.25, seed=3), models.ClippedGaussianNoise(0.1, seed=4)):
        again = type(layer).from_config(layer.get_config())
        assert (again.level, again.seed) == (layer.level, layer.seed)
    x = np.full((2, 8), 0.5, np.float32)
    for zero in (models.MaskingNoise(0.0), models.ClippedGaussianNoise(0.0)):
        np.testing.assert_array_equal(zero(x, training=True), x)  # a level of 0 changes nothing


@pytest.mark.parametrize(("build", "layer", "size"), [
    (lambda: models.mnist_autoencoder(code_dim=8), "encoder", 8),
    (lambda: models.sparse_autoencoder("kl", 0.01, code_dim=6), "encoder", 6),
    (lambda: models.autorec(20, hidden=5, code_l1=1e-3), "encoder", 5),
    (lambda: models.deep_autorec(20, layers=(8, 4, 8)), "encoder", 4),
    (lambda: models.stacked_autoencoder((16, 8)), "enc_2", 8),
])
def test_encoder_of_reads_the_code(build: object, layer: str, size: int) -> None:
    model = build()
    x = np.random.default_rng(0).random((3, model.input_shape[1])).astype(np.float32)
    encoder = models.encoder_of(model, layer)
    assert encoder.output_shape == (None, size)
    assert encoder.layers[-1] is model.get_layer(layer)  # the same layer, so the trained weights
    codes = np.asarray(encoder(x))
    expected = keras.Model(model.input, model.get_layer(layer).output)(x)
    np.testing.assert_allclose(codes, np.asarray(expected), rtol=1e-6)
