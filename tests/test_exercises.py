"""The exercises' self-checks: each accepts its model solution, rejects wrong answers and buggy
functions with a hint that does not give the answer away, and no notebook shows an answer."""

from __future__ import annotations

import ast
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest

from helpers import exercises, solutions
from helpers.exercises import EXERCISES, Code, Fixed, FromRun, WrongAnswerError, check
from helpers.runtime import kit_root

NOTEBOOKS = sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIXED = [k for k, e in EXERCISES.items() if isinstance(e, Fixed)]
FROM_RUN = [k for k, e in EXERCISES.items() if isinstance(e, FromRun)]
CODE = [k for k, e in EXERCISES.items() if isinstance(e, Code)]


@pytest.fixture(autouse=True)
def switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with the solutions switch off, whatever the environment says."""
    monkeypatch.delenv(exercises.SWITCH, raising=False)


# --- a run's variables, made up, for the answers that depend on them ------------------------------

def run_context(key: str, seed: int = 0) -> dict[str, Any]:
    """Stand-ins for the notebook variables an answer from the run depends on."""
    rng = np.random.default_rng(seed)
    if key == "01.2":
        return {"per_digit": pd.Series(rng.uniform(0.05, 0.2, size=10), name="validation BCE").rename_axis("digit")}
    if key == "02.1":
        return {"train": pd.DataFrame({"rating": rng.integers(1, 6, size=7_993)}),
                "index": SimpleNamespace(n_users=943, n_items=1_650)}
    if key == "03.3":
        rates = [0.25, 0.5, 0.75]
        return {"rating_valid": pd.DataFrame({"variant": ["plain", *(f"drop {r}" for r in rates)],
                                              "rmse": rng.uniform(0.9, 1.0, size=4)}), "DROP_RATES": rates}
    if key == "04.2":
        return {"LAYERS": (int(rng.integers(200, 400)), int(rng.integers(100, 200)), 32)}
    if key == "05.2":
        return {"mnist_table": pd.DataFrame({"model": ["basic", "L1 0.001"], "active_units": [30.2, rng.uniform(5, 25)]}),
                "headline_l1": "L1 0.001"}
    return {}


def stub(*args: Any) -> Any:
    raise NotImplementedError


def model_answer(key: str) -> Any:
    return solutions.solution(key, **run_context(key))


def capture(capsys: pytest.CaptureFixture[str], key: str, answer: Any) -> str:
    check(key, answer, **run_context(key))
    return capsys.readouterr().out


# --- the registry ---------------------------------------------------------------------------------

def test_every_exercise_has_a_solution_and_every_solution_an_exercise() -> None:
    for key, exercise in EXERCISES.items():
        assert re.fullmatch(r"0[1-7]\.\d", key)
        assert key in solutions.SOLUTIONS or key in solutions.REFERENCES, key
        if isinstance(exercise, (FromRun, Code)):
            assert key in solutions.REFERENCES, f"{key} is checked against a reference implementation"
    assert set(solutions.SOLUTIONS) | set(solutions.REFERENCES) == set(EXERCISES)


@pytest.mark.parametrize("key", FIXED)
def test_stored_digests_are_the_model_answers(key: str) -> None:
    exercise = EXERCISES[key]
    assert exercises.stored_digest(key, solutions.SOLUTIONS[key], exercise.kind, exercise.places) == exercise.digest


def test_every_notebook_has_a_code_exercise() -> None:
    assert {k[:2] for k in CODE} == {f"0{n}" for n in range(1, 8)}


# --- switch off: None and stubs say "not answered yet", the model solution is "correct" -------------

@pytest.mark.parametrize("key", list(EXERCISES))
def test_unanswered_runs_on(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    for blank in ([None, stub] if key in CODE else [None, ...]):
        out = capture(capsys, key, blank)
        assert "not answered yet" in out and "correct" not in out


@pytest.mark.parametrize("key", list(EXERCISES))
def test_model_solution_is_correct(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert capture(capsys, key, model_answer(key)) == f"Exercise {int(key[3:])}: correct.\n"


# --- switch on: every unanswered check runs the model solution ------------------------------------

@pytest.mark.parametrize("key", list(EXERCISES))
def test_solutions_switch(key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(exercises.SWITCH, "1")
    out = capture(capsys, key, stub if key in CODE else None)
    assert out == f"Exercise {int(key[3:])}: correct (the model solution, COURSE_SOLUTIONS=1).\n"


def test_switch_keeps_a_students_answer(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(exercises.SWITCH, "1")
    assert capture(capsys, "01.1", solutions.SOLUTIONS["01.1"]) == "Exercise 1: correct.\n"
    with pytest.raises(WrongAnswerError):
        check("01.1", 5)


@pytest.mark.parametrize(("value", "on"), [("1", True), ("true", True), ("0", False), ("", False), ("no", False)])
def test_switch_values(value: str, on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(exercises.SWITCH, value)
    assert exercises.solutions_on() is on


# --- wrong answers: rejected, with a hint and without the answer ----------------------------------

def spellings(value: Any, min_places: int = 2) -> list[str]:
    """Ways an answer could be written: 101200, 101,200, 101_200; 0.4946, 0.495, ... (from `min_places` decimals)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (int, np.integer)) or float(value).is_integer():
        n = int(value)
        return [str(n), f"{n:,}", f"{n:_}"]
    return [f"{value:.{p}f}" for p in range(min_places, 7)] + [repr(float(value))]


WRONG_FIXED = {
    "01.1": [784 * 64 + 64 * 784, 784 * 64 + 64 + 64 * 784, 50_992, 101_199, "a lot", True],
    "02.2": [6040 * 500 + 500 * 6040, 943 * 500 * 2 + 500 + 943, 6_046_539, "six million"],
    "02.3": [0.2, 0.1, 0.1163, 0.0133, float("nan"), "0.2"],
    "03.1": [391, 784, 0.5, 391.5],
    "03.2": [0.75, 1.25, 1.33, 4.0],
    "04.1": [419_120 - 784, 784 * 256 + 256 * 32 + 32 * 256 + 256 * 784, 0],
    "05.1": [-0.115, 0.5, 0.491, 0.2148],
    "06.1": [11, 13, 50, 10.5],
    "06.2": ["/content/drive/My Drive", "/content/gdrive/My Drive", "/content/drive", "MyDrive", 0],
    "07.1": [943 * 500, 943 * 500 + 500, 943 * 500 * 5, 477_215, 1_214_373],
}


@pytest.mark.parametrize("key", FIXED)
def test_fixed_answers_reject_wrong_ones(key: str) -> None:
    right = spellings(solutions.SOLUTIONS[key], min_places=max(EXERCISES[key].places, 2))
    for wrong in WRONG_FIXED[key]:
        with pytest.raises(WrongAnswerError, match="Hint: ") as info:
            check(key, wrong)
        message = str(info.value)
        assert message.startswith(f"Exercise {int(key[3:])}: ")
        assert not any(s in message for s in right if len(s) >= 3), message


@pytest.mark.parametrize("key", [k for k in FIXED if EXERCISES[k].kind == "decimal"])
def test_decimal_answers_pass_within_the_stated_places(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    exact, places = solutions.SOLUTIONS[key], EXERCISES[key].places
    step = 10.0**-places
    for nearby in (exact, round(exact, places), round(exact, places + 2), exact + 0.9 * step, exact - 0.9 * step,
                   np.float32(exact)):
        check(key, nearby)
    assert capsys.readouterr().out.count("correct.") == 6
    for far in (exact + 2.6 * step, exact - 2.6 * step):
        with pytest.raises(WrongAnswerError, match=f"checked to {places} decimal places"):
            check(key, far)


def test_whole_numbers_and_paths_are_normalised(capsys: pytest.CaptureFixture[str]) -> None:
    check("01.1", np.int64(solutions.SOLUTIONS["01.1"]))
    check("01.1", float(solutions.SOLUTIONS["01.1"]))
    check("06.2", solutions.SOLUTIONS["06.2"] + "/")
    check("06.2", Path(solutions.SOLUTIONS["06.2"]))
    assert capsys.readouterr().out.count("correct.") == 4


def wrong_from_run(key: str, expected: Any) -> list[Any]:
    if key == "02.1":
        return [expected + 0.01, 1 - expected, 100 * expected, "0.99"]
    if key == "03.3":
        return [r for r in [0.0, 0.25, 0.5, 0.75] if r != expected] + ["0.5"]
    if key == "05.2":
        return [math.floor(expected) - 1, math.ceil(expected) + 1, round(expected) + 0.5]
    return [expected + 1, expected - 1, "many", expected + 1.5]


@pytest.mark.parametrize("key", FROM_RUN)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_answers_from_the_run_reject_wrong_ones(key: str, seed: int) -> None:
    context = run_context(key, seed)
    expected = solutions.REFERENCES[key](**context)
    for wrong in wrong_from_run(key, expected):
        with pytest.raises(WrongAnswerError, match="Hint: ") as info:
            check(key, wrong, **context)
        if len(str(expected)) >= 3 and not isinstance(expected, float):
            assert str(expected) not in str(info.value)


def test_rounded_answer_accepts_either_rounding_of_a_half(capsys: pytest.CaptureFixture[str]) -> None:
    context = {"mnist_table": pd.DataFrame({"model": ["L1"], "active_units": [12.5]}), "headline_l1": "L1"}
    check("05.2", 12, **context)
    check("05.2", 13, **context)
    assert capsys.readouterr().out.count("correct.") == 2


def test_a_check_needs_the_runs_variables() -> None:
    with pytest.raises(ValueError, match="per_digit=per_digit"):
        check("01.2", 3)
    with pytest.raises(ValueError, match="no exercise"):
        check("09.1", 3)


# --- functions: run on fresh inputs, buggy versions rejected -------------------------------------

def _kl(codes: np.ndarray, rho: float) -> np.ndarray:
    return rho * np.log(rho / codes) + (1 - rho) * np.log((1 - rho) / (1 - codes))


def _copy_in_place(x: np.ndarray, rate: float, seed: int) -> np.ndarray:
    x[np.random.default_rng(seed).random(x.shape) < rate] = 0
    return x


def _ls_by(attribute: str, reverse: bool = False) -> Callable[[Any], list[str]]:
    return lambda folder: [p.name for p in sorted(Path(folder).iterdir(), key=lambda p: getattr(p.stat(), attribute),
                                                  reverse=reverse)]


def _gate_from(squared: Callable[[np.ndarray, np.ndarray], np.ndarray], clamp: bool = True) -> Callable[..., Any]:
    """A kernel gate built on `squared(u, v)` (what a student may compute as the squared distances)."""
    return lambda u, v: np.maximum(0.0, 1.0 - squared(u, v)) if clamp else 1.0 - squared(u, v)


def _pair_sq(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.sum((u[:, None, :] - v[None, :, :]) ** 2, axis=-1)


BUGGY: dict[str, list[Callable[..., Any]]] = {
    "01.3": [
        lambda sizes: sum(a * b for a, b in zip(sizes, sizes[1:])),  # no biases
        lambda sizes: sum(a * b + a for a, b in zip(sizes, sizes[1:])),  # biases on the inputs
        lambda sizes: 2 * sum(a * b + b for a, b in zip(sizes[: len(sizes) // 2], sizes[1: len(sizes) // 2 + 1])),
        lambda sizes: 101_200,  # a hard-coded number
        lambda sizes: float(solutions.dense_params(sizes)) + 1.5,
        lambda sizes: None,  # forgot `return`
    ],
    "02.4": [
        lambda t, p: float(np.mean((p - t) ** 2)),  # plain MSE: learns the zeros
        lambda t, p: float(np.sum(((p - t) * (t != 0)) ** 2) / t.size),  # the sample_weight pitfall
        lambda t, p: float(np.sqrt(np.sum(((p - t) * (t != 0)) ** 2) / np.sum(t != 0))),  # RMSE
        lambda t, p: float(np.sum(((p - t) * (t != 0)) ** 2)),  # a sum, not a mean
        lambda t, p: np.sum(((p - t) * (t != 0)) ** 2, axis=1) / np.maximum(np.sum(t != 0, axis=1), 1),  # per row
        lambda t, p: 1 / 0,
    ],
    "03.4": [
        lambda x, rate, seed: x * (np.random.default_rng(seed).random(x.shape) >= rate) / max(1 - rate, 1e-9),  # Dropout
        lambda x, rate, seed: x * (np.random.default_rng(seed).random(x.shape) < rate),  # keeps the wrong side
        _copy_in_place,
        lambda x, rate, seed: x * (np.random.default_rng(0).random(x.shape) >= rate),  # ignores the seed
        lambda x, rate, seed: x * (np.random.random(x.shape) >= rate),  # not seeded at all
        lambda x, rate, seed: x[:, ::2] * (np.random.default_rng(seed).random(x[:, ::2].shape) >= rate),  # wrong shape
    ],
    "04.3": [
        lambda d, layers: [d, *layers, d],  # no decoder
        lambda d, layers: [d, *layers, *reversed(layers), d],  # the code twice
        lambda d, layers: [*layers, *reversed(layers[:-1]), d],  # no input
        lambda d, layers: [d, *layers, *layers[:-1], d],  # decoder not mirrored
        lambda d, layers: [784, 128, 64, 32, 64, 128, 784],  # hard-coded LAYERS
    ],
    "05.3": [
        lambda c, rho, beta: float(np.sum(_kl(c.mean(axis=0), rho))),  # no beta
        lambda c, rho, beta: float(beta * np.sum(_kl(c, rho).mean(axis=0))),  # KL per example, then the mean
        lambda c, rho, beta: float(beta * np.sum(_kl(c.mean(axis=1), rho))),  # mean over the wrong axis
        lambda c, rho, beta: float(beta * np.mean(_kl(c.mean(axis=0), rho))),  # mean over the units
        lambda c, rho, beta: float(beta * np.sum(_kl(c.mean(axis=0), rho))) / np.log(10),  # log10
        lambda c, rho, beta: beta * _kl(c.mean(axis=0), rho),  # an array
    ],
    "06.3": [
        lambda n, k, m: 2 * n**3,  # square matrices only
        lambda n, k, m: n * k * m,  # a multiply-add counted once
        lambda n, k, m: n * m * (2 * k - 1),  # k - 1 additions
        lambda n, k, m: 2 * n * k,
    ],
    "06.4": [
        _ls_by("st_mtime", reverse=True),  # ls -t: newest first
        lambda folder: sorted(os.listdir(folder)),  # plain ls
        _ls_by("st_atime"),  # access time
        lambda folder: [p.name for p in sorted(Path(folder).iterdir(), key=lambda p: p.stat().st_mtime) if p.is_file()],
        lambda folder: "\n".join(_ls_by("st_mtime")(folder)),  # one string
    ],
    "07.2": [
        _gate_from(_pair_sq, clamp=False),  # no max(0, .): pairs more than 1 apart go negative
        _gate_from(lambda u, v: np.sqrt(_pair_sq(u, v))),  # the distance, not its square
        lambda u, v: solutions.kernel_gate_reference(v, u),  # transposed: m x n
        _gate_from(lambda u, v: np.sum((u[:, None, :] - v[None, :, :]) ** 2, axis=1)),  # summed over the pairs: n x d
        _gate_from(lambda u, v: np.sum((u[:, None, :] - v[None, :, :]) ** 2, axis=0)),  # summed over the pairs: m x d
        lambda u, v: np.exp(-_pair_sq(u, v)),  # a Gaussian kernel: never exactly 0
        _gate_from(lambda u, v: (u**2).sum(1)[:, None] + (v**2).sum(1)[None, :] - u @ v.T),  # expansion without the 2
        _gate_from(lambda u, v: np.abs(u[:, None, :] - v[None, :, :]).sum(-1)),  # L1 distance
        lambda u, v: np.maximum(0.0, 1.0 - ((u - v) ** 2).sum(-1)),  # row by row, not every pair: fails to broadcast
        lambda u, v: float(np.maximum(0.0, 1.0 - _pair_sq(u, v)).mean()),  # one number
        lambda u, v: None,  # forgot `return`
    ],
}


def expected_texts(key: str, case: dict[str, Any]) -> list[str]:
    """How the right result for a failed case would read in a message."""
    if key == "01.3":
        return spellings(solutions.dense_params(case["sizes"]))
    if key == "02.4":
        value = solutions.masked_mse_reference(case["y_true"], case["y_pred"])
        return [f"{value:.6g}", f"{value:.4f}"]
    if key == "04.3":
        return [str(solutions.stacked_sizes(case["input_dim"], case["layers"]))]
    if key == "05.3":
        value = solutions.kl_penalty_reference(case["codes"], case["rho"], case["beta"])
        return [f"{value:.6g}", f"{value:.4f}"]
    if key == "06.3":
        return spellings(solutions.matmul_flops(case["n"], case["k"], case["m"]))
    if key == "06.4":
        return [str([n for _, n in sorted(zip(case["mtimes"], case["names"]))])]
    if key == "07.2":  # the whole matrix, and the value of the pair the message names
        expected = solutions.kernel_gate_reference(case["u"], case["v"])
        texts = [str(np.round(expected, 4)), str(np.round(expected, 2))]
        value = expected[case["pair"]] if "pair" in case else 0.0
        if 0.001 < value < 0.999:  # 0 and 1 are in the exercise's text
            texts += [f"{value:.6g}", f"{value:.4f}", f"{value:.3f}"]
        return texts
    return []


@pytest.mark.parametrize("key", CODE)
def test_buggy_functions_are_rejected_without_the_answer(key: str) -> None:
    assert len(BUGGY[key]) >= 4
    for number, buggy in enumerate(BUGGY[key]):
        with pytest.raises(WrongAnswerError, match="Hint: ") as info:
            check(key, buggy)
        message = str(info.value)
        assert message.startswith(f"Exercise {int(key[3:])}: "), (number, message)
        assert info.value.case, f"{key}: the failure names its inputs"
        # Random inputs can print like the answer by chance (beta = 0.1886 when the KL sum is 1.0002), so for
        # numeric inputs only the part after them is searched; 06.4's listed names must never be the answer.
        shown = message if key == "06.4" else message.split(" your function", 1)[-1]
        leaks = [t for t in expected_texts(key, info.value.case) if t in shown]
        assert not leaks, f"{key}, buggy function {number}: the message shows the right result: {message}"


@pytest.mark.parametrize("key", CODE)
def test_functions_get_fresh_inputs_every_run(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[list[str]] = []
    reference = solutions.SOLUTIONS[key]

    def spy(*args: Any) -> Any:
        seen[-1].append(repr([a.tobytes() if isinstance(a, np.ndarray) else a for a in args]))
        return reference(*args)

    for _ in range(2):
        seen.append([])
        check(key, spy)
    assert len(seen[0]) >= 3, "several cases per check"
    if key == "06.4":
        return  # temporary folders: new times every run, but the path is the argument
    assert seen[0] != seen[1], "a second run tries new inputs"


def test_a_non_function_is_refused() -> None:
    with pytest.raises(WrongAnswerError, match="not a function"):
        check("01.3", 50_992)


def test_keras_agrees_with_the_references() -> None:
    from helpers import losses, models

    assert solutions.dense_params([784, 2, 784]) == models.mnist_autoencoder(code_dim=2).count_params()
    stacked = models.stacked_autoencoder((256, 32))
    assert solutions.dense_params(solutions.stacked_sizes(784, (256, 32))) == stacked.count_params()
    sizes = solutions.stacked_sizes(300, (128, 64, 32))
    built = models.stacked_autoencoder((128, 64, 32), input_dim=300)
    assert sizes == [300] + [layer.units for layer in built.layers[1:]]
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 6, size=(8, 12)).astype("float32")
    y_pred = rng.normal(3, 1, size=(8, 12)).astype("float32")
    assert math.isclose(solutions.solution_my_masked_mse(y_true, y_pred), float(losses.masked_mse(y_true, y_pred)),
                        rel_tol=1e-5)
    codes = rng.uniform(0.05, 0.95, size=(16, 8)).astype("float32")
    assert math.isclose(solutions.solution_kl_penalty(codes, 0.05, 0.01),
                        float(losses.kl_sparsity_penalty(codes, 0.05, 0.01)), rel_tol=1e-4)


def test_kernel_gate_reference_is_the_layers_kernel() -> None:
    from helpers.kernel_autorec import KernelDense

    rng = np.random.default_rng(0)
    for _, u, v in exercises._gate_cases(rng):
        layer = KernelDense(v.shape[0], dim=u.shape[1])
        layer.build((None, u.shape[0]))
        layer.u.assign(u.astype("float32"))
        layer.v.assign(v.astype("float32"))
        kernel = np.asarray(layer.kernel())
        np.testing.assert_allclose(kernel, solutions.kernel_gate_reference(u, v), atol=1e-5)
        np.testing.assert_allclose(solutions.solution_kernel_gate(u, v), solutions.kernel_gate_reference(u, v), atol=1e-12)


def test_kernel_gate_cases_separate_every_buggy_function() -> None:
    """The cases 07.2's check draws always hold what tells each buggy function apart: it can never pass by chance."""
    for seed in range(300):
        cases = exercises._gate_cases(np.random.default_rng(seed))
        kinds = {"mixed": cases[:3], "far": cases[3:4], "same": cases[4:]}
        assert [u.shape[1] for _, u, _ in cases[:1]] == [1]
        for _, u, v in cases:
            (n, d), (m, _) = u.shape, v.shape
            assert n != m and d not in (n, m)
        for _, u, v in kinds["mixed"]:
            squared = _pair_sq(u, v)
            assert ((squared >= 0.1 - 1e-9) & (squared <= 0.6 + 1e-9)).any()  # the square root and the Gaussian differ
            assert (squared >= 1.5 - 1e-9).any()  # no clamp: negative there
            same = np.argwhere(squared < 1e-18)
            assert len(same) and (u[same[0][0]] ** 2).sum() >= 0.16 - 1e-9  # expansion without the 2: below 1
        for _, u, v in kinds["far"]:
            assert _pair_sq(u, v).min() > 6  # all 0; a Gaussian gives more than 1e-3
        for _, u, v in kinds["same"]:
            assert _pair_sq(u, v).max() < 1e-18


# --- the notebooks: short check cells, every exercise checked, no answer in view -------------------

def exercise_cells(path: Path) -> list[nbformat.NotebookNode]:
    """The cells from the '## Exercises' heading to the "## What's next" text."""
    cells = nbformat.read(path, as_version=4).cells
    start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    end = next(i for i, c in enumerate(cells) if "## What's next" in c.source)
    return cells[start: end + 1]


def check_calls(source: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "check"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_check_cells_name_the_exercise_and_nothing_else(path: Path) -> None:
    keys = []
    for cell in exercise_cells(path):
        if cell.cell_type != "code" or not check_calls(cell.source):
            continue
        for call in check_calls(cell.source):
            assert isinstance(call.func.value, ast.Name) and call.func.value.id == "exercises"
            key, answer = call.args
            assert isinstance(key, ast.Constant) and isinstance(answer, ast.Name), ast.unparse(call)
            assert all(isinstance(k.value, ast.Name) and k.value.id == k.arg for k in call.keywords), (
                f"{ast.unparse(call)}: pass the notebook's variables by name (per_digit=per_digit), no expressions")
            keys.append(key.value)
            exercise = EXERCISES[key.value]
            assert [k.arg for k in call.keywords] == list(getattr(exercise, "needs", ())), ast.unparse(call)
            if isinstance(exercise, Code):
                assert answer.id == exercise.function
        body = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("from helpers import")]
        assert len(body) == 1, f"a check cell is one call:\n{cell.source}"
    assert sorted(keys) == sorted(k for k in EXERCISES if k[:2] == path.stem[:2]), "each exercise checked once"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_answer_cells_start_empty(path: Path) -> None:
    stems = {EXERCISES[k].function for k in CODE if k[:2] == path.stem[:2]}
    for cell in exercise_cells(path):
        if cell.cell_type != "code" or check_calls(cell.source):
            continue
        tree = ast.parse(cell.source)
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.startswith("answer_")
                                                    for t in node.targets):
                assert isinstance(node.value, ast.Constant) and node.value.value is None, ast.unparse(node)
            if isinstance(node, ast.FunctionDef) and node.name in stems:
                statements = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                assert len(statements) == 1 and isinstance(statements[0], ast.Raise), f"{node.name} must start as a stub"
                stems.discard(node.name)
    assert not stems, f"no stub for {stems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_answer_in_view(path: Path) -> None:
    """No fixed answer is written anywhere in the exercises section, in any usual spelling."""
    text = "\n".join(cell.source for cell in exercise_cells(path))
    for key in FIXED:
        for spelling in spellings(solutions.SOLUTIONS[key]):
            if len(spelling) >= 3:
                assert spelling not in text, f"{path.name}: the answer to {key} is in view ({spelling})"
