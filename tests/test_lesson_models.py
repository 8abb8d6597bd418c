"""The models the lessons write and export (helpers/lecture_model.py from notebook 01, autorec_net 03,
denoising 04, stacked 05, sparse 06), tested like any other code: shapes, parameters, behaviour."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import autorec
from helpers.autorec_net import autorec_network, compile_autorec
from helpers.denoising import ClippedGaussianNoise, MaskingNoise, denoising_autoencoder
from helpers.lecture_model import LEARNING_RATES, encoder_of, make_optimizer, mnist_autoencoder
from helpers.sparse import SparsityPenalty, build_sparse
from helpers.stacked import build_stacked, deep_autorec, pretrain_greedy


def test_lecture_autoencoder_shape_and_parameters() -> None:
    model = mnist_autoencoder()
    assert model.count_params() == 50_992  # 784*32+32 + 32*784+784
    assert model.input_shape == (None, 784) and model.output_shape == (None, 784)
    assert [layer.activation.__name__ for layer in model.layers[1:]] == ["relu", "sigmoid"]
    assert mnist_autoencoder(code_dim=2, encoder_activation="tanh").get_layer("encoder").units == 2


def test_lecture_optimizers() -> None:
    rms = make_optimizer("rmsprop", LEARNING_RATES["rmsprop"])
    assert isinstance(rms, keras.optimizers.RMSprop) and rms.rho == pytest.approx(0.9)
    assert float(rms.learning_rate) == pytest.approx(0.001)
    assert isinstance(make_optimizer("adagrad", 0.01), keras.optimizers.Adagrad)
    assert isinstance(make_optimizer("adam", 0.001), keras.optimizers.Adam)


def test_autorec_shape_and_l2_on_all_four_tensors() -> None:
    model = autorec_network(943, 500, lam=1e-3)
    assert model.count_params() == 943 * 500 + 500 + 500 * 943 + 943
    model(np.ones((2, 943), np.float32))
    assert len(model.losses) == 4  # V, mu, W, b
    with_dropout = autorec_network(10, 4, lam=0.0, dropout=0.5)
    assert with_dropout.get_layer("input_dropout").rate == 0.5


def test_compile_autorec_uses_the_masked_loss_and_refuses_unknown_optimizers() -> None:
    model = compile_autorec(autorec_network(6, 3, lam=0.0), autorec.BEST_ITEM, n_rows=10)
    y = np.array([[0, 4, 0, 0, 0, 2]], np.float32)
    pred = np.asarray(model(y))
    expected = ((pred[0, 1] - 4) ** 2 + (pred[0, 5] - 2) ** 2) / 2  # the two rated entries only
    assert float(model.loss(y, pred)) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="choose one of"):
        compile_autorec(autorec_network(6, 3, lam=0.0), autorec.BEST_ITEM.with_(optimizer="sgd9"), n_rows=10)


def test_denoising_noise_only_in_training() -> None:
    x = np.full((4, 784), 0.5, np.float32)
    for kind, level in (("gaussian", 0.3), ("masking", 0.5)):
        model = denoising_autoencoder(kind, level)
        assert model.count_params() == 50_992  # the noise layer adds no weights
        noise = model.layers[1]
        np.testing.assert_array_equal(noise(x, training=False), x)  # inference: untouched
        noisy = np.asarray(noise(x, training=True))
        assert not np.array_equal(noisy, x)
        assert noisy.min() >= 0 and noisy.max() <= 1
        if kind == "masking":
            assert set(np.unique(noisy)) == {0.0, 0.5}  # zeroed, not rescaled
            assert 0.35 < float((noisy == 0).mean()) < 0.65
    with pytest.raises(ValueError, match="'gaussian' or 'masking'"):
        denoising_autoencoder("salt")


def test_noise_layers_draw_the_same_for_the_same_seed() -> None:
    x = np.full((3, 50), 0.5, np.float32)
    for make in (lambda s: MaskingNoise(0.3, seed=s), lambda s: ClippedGaussianNoise(0.2, seed=s)):
        a, b, c = np.asarray(make(1)(x, training=True)), np.asarray(make(1)(x, training=True)), np.asarray(
            make(2)(x, training=True))
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_stacked_shape_and_parameters() -> None:
    model = build_stacked((128, 64, 32))
    sizes = [layer.units for layer in model.layers[1:]]
    assert sizes == [128, 64, 32, 64, 128, 784]
    expected = (784 * 128 + 128) + (128 * 64 + 64) + (64 * 32 + 32) + (32 * 64 + 64) + (64 * 128 + 128) + (128 * 784 + 784)
    assert model.count_params() == expected


def test_pretrain_greedy_fills_every_layer() -> None:
    x = np.random.default_rng(0).random((64, 20)).astype(np.float32)
    deep = pretrain_greedy(x, (8, 4), epochs=1, seed=0)
    fresh = build_stacked((8, 4), input_dim=20)
    assert [w.shape for w in deep.get_weights()] == [w.shape for w in fresh.get_weights()]
    again = pretrain_greedy(x, (8, 4), epochs=1, seed=0)  # seeded: the same weights
    for w1, w2 in zip(deep.get_weights(), again.get_weights()):
        np.testing.assert_allclose(w1, w2, rtol=1e-5, atol=1e-6)


def test_deep_autorec_layers() -> None:
    deep = deep_autorec(100, layers=(32, 16, 32))
    assert [layer.name for layer in deep.layers if isinstance(layer, keras.layers.Dense)] == [
        "hidden_1", "encoder", "hidden_3", "decoder"]
    assert deep.get_layer("code_dropout").rate == 0.5
    assert all(deep.get_layer(n).activation.__name__ == "selu" for n in ("hidden_1", "encoder", "hidden_3"))


def test_sparse_autorec_adds_the_code_penalty() -> None:
    sparse = autorec.build_autorec(autorec.BEST_ITEM.with_(hidden=8, code_l1=1e-3, dropout=0.0), 50)
    sparse(np.ones((2, 50), np.float32))
    assert len(sparse.losses) == 5  # 4 L2 terms (weights and biases) + the L1 on the code
    assert isinstance(sparse.get_layer("sparsity"), SparsityPenalty)


@pytest.mark.parametrize(("build", "layer", "size"), [
    (lambda: mnist_autoencoder(code_dim=8), "encoder", 8),
    (lambda: build_sparse("kl", 0.01, code_dim=6), "encoder", 6),
    (lambda: autorec_network(20, 5, lam=0.0, code_layer=SparsityPenalty("l1", 1e-3)), "encoder", 5),
    (lambda: deep_autorec(20, layers=(8, 4, 8)), "encoder", 4),
    (lambda: build_stacked((16, 8)), "enc_2", 8),
])
def test_encoder_of_reads_the_code(build: object, layer: str, size: int) -> None:
    model = build()
    x = np.random.default_rng(0).random((3, model.input_shape[1])).astype(np.float32)
    encoder = encoder_of(model, layer)
    assert encoder.output_shape == (None, size)
    assert encoder.layers[-1] is model.get_layer(layer)  # the same layer, so the trained weights
    codes = np.asarray(encoder(x))
    expected = keras.Model(model.input, model.get_layer(layer).output)(x)
    np.testing.assert_allclose(codes, np.asarray(expected), rtol=1e-6)
