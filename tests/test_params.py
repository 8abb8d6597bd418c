"""Notebook parameter checks."""

from __future__ import annotations

import pytest

from helpers.params import ParameterError, check_params


def test_good_parameters_pass() -> None:
    check_params(EPOCHS=(50, int), N_TRAIN=(None, (int, type(None))), LR=(0.01, float), SEED=(0, int, 0))


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"EPOCHS": ("50", int)}, "EPOCHS = '50' is a str; it must be int"),
        ({"EPOCHS": (True, int)}, "is a bool"),
        ({"EPOCHS": (0, int)}, "at least 1"),
        ({"N_TRAIN": (2.5, (int, type(None)))}, "int or None"),
        ({"LR": (-0.1, float)}, "at least 0"),
    ],
)
def test_bad_parameters_fail_with_a_sentence(spec: dict, words: str) -> None:
    with pytest.raises(ParameterError, match="parameters cell") as info:
        check_params(**spec)
    assert words in str(info.value)
