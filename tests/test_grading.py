"""`grading.kit_names_used`: the hidden tests of a write-the-model exercise give no points to an
answer that only calls the kit's version, however it reaches it."""

from __future__ import annotations

import textwrap

from helpers import grading

NOTEBOOK = textwrap.dedent('''
    import keras
    from helpers.lecture_model import mnist_autoencoder
    from helpers import lecture_model

    def written(n, k):
        x = keras.Input((n,))
        return keras.Model(x, keras.layers.Dense(n)(keras.layers.Dense(k)(x)))

    def calls_the_kit(n, k):
        return mnist_autoencoder(code_dim=k)

    def through_the_module(k):
        return lecture_model.mnist_autoencoder(code_dim=k)

    def through_a_helper(n, k):
        return through_the_module(k)

    class Wrapper(keras.layers.Layer):
        def call(self, x):
            return mnist_autoencoder()(x)

    def through_a_class():
        return Wrapper()

    def encoder_of(model):  # the lesson's own exported function, defined in the notebook itself
        return model

    def through_the_notebooks_copy(model):
        return encoder_of(model)

    def nested(n, k):
        def inner():
            return mnist_autoencoder(code_dim=k)
        return inner()
''')


def notebook_env() -> dict:
    env: dict = {"__name__": "__main__"}
    exec(compile(NOTEBOOK, "<notebook>", "exec"), env)
    return env


def test_code_written_in_the_answer_passes() -> None:
    assert grading.kit_names_used(notebook_env()["written"]) == []


def test_every_way_of_reaching_the_kit_is_found() -> None:
    env = notebook_env()
    for name in ("calls_the_kit", "through_a_helper", "through_a_class", "nested"):
        assert "mnist_autoencoder" in grading.kit_names_used(env[name]), name
    assert "lecture_model" in grading.kit_names_used(env["through_the_module"])


def test_allowed_names_are_not_reported() -> None:
    assert grading.kit_names_used(notebook_env()["calls_the_kit"], allowed=("mnist_autoencoder",)) == []


def test_the_lessons_exported_code_counts_as_the_kits_even_when_defined_in_the_notebook() -> None:
    env = notebook_env()
    assert grading.kit_names_used(env["through_the_notebooks_copy"]) == ["encoder_of"]


def test_a_subclass_of_a_kit_class_is_found() -> None:
    env: dict = {"__name__": "__main__"}
    exec(compile("from helpers.losses import MaskedRMSE\nclass Mine(MaskedRMSE):\n    pass\n", "<nb>", "exec"), env)
    assert grading.kit_names_used(env["Mine"]) == ["MaskedRMSE"]
