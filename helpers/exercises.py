"""Self-checks for the exercises: a verdict and a hint, never the answer.

A check cell names the exercise by its key ("notebook.exercise") and passes the answer, plus
the notebook's variables that the answer depends on, by name:

    from helpers import exercises
    exercises.check("01.1", answer_1)                       # a fixed number
    exercises.check("01.2", answer_2, per_digit=per_digit)  # depends on this run's data
    exercises.check("01.3", dense_autoencoder_params)       # a function the student wrote

How the answer stays out of view:

- **fixed answers** (a number, a path) are stored here only as a SHA-256 digest of the
  normalised value: whole numbers as they are, decimals rounded to a stated number of places
  (the rounding on either side is accepted too, so a right answer never fails on its last
  digit), paths without a trailing slash;
- **answers from the run** (which digit is rebuilt worst) are computed by a reference function
  in `helpers.solutions` from the variables the check cell passes;
- **functions** the student writes run on fresh random inputs, new ones on every call, and are
  compared with a reference implementation in `helpers.solutions` (or, for random output, with
  the properties it must have), so hard-coding cannot pass.

An answer left as `None` (or a function still raising `NotImplementedError`) prints "not
answered yet", so a notebook runs top to bottom. **The solutions switch:** with
`COURSE_SOLUTIONS=1` such an answer is replaced by the model solution from
`helpers.solutions`, which must pass the same check and prints "correct".
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from helpers import solutions

SWITCH = "COURSE_SOLUTIONS"


def solutions_on() -> bool:
    """True when the solutions switch is on (`COURSE_SOLUTIONS=1`)."""
    return os.environ.get(SWITCH, "").strip().lower() in {"1", "true", "yes", "on"}


class WrongAnswerError(AssertionError):
    """A wrong answer. The message gives a verdict and a hint, never the answer; `case` holds the inputs tried."""

    def __init__(self, message: str, case: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.case = case or {}


class _FailedError(Exception):
    """Raised inside a check: what went wrong, on which inputs, and a more specific hint if there is one."""

    def __init__(self, text: str, case: dict[str, Any] | None = None, hint: str | None = None) -> None:
        super().__init__(text)
        self.text, self.case, self.hint = text, case or {}, hint


class _NotAnsweredError(Exception):
    """The student's function still raises NotImplementedError."""


@dataclass(frozen=True)
class Fixed:
    """One right answer, stored as a digest: kind 'int', 'decimal' (to `places` decimals) or 'path'."""

    hint: str
    digest: str
    kind: str = "int"
    places: int = 0


@dataclass(frozen=True)
class FromRun:
    """An answer computed from the run's variables `needs` by `helpers.solutions.REFERENCES[key]`.

    kind 'int': the same whole number; 'number': within `tol`; 'rounded': a whole number within
    0.5 of the reference (so either rounding of an exact half passes).
    """

    hint: str
    needs: tuple[str, ...]
    kind: str = "int"
    tol: float = 0.0


@dataclass(frozen=True)
class Code:
    """A function the student writes (`function` is its name in the notebook), tried by `trial` on fresh inputs."""

    hint: str
    function: str
    trial: Callable[[Callable[..., Any], np.random.Generator], None]


# --- normalising and digests ----------------------------------------------------------------------


def digest(key: str, token: str) -> str:
    """SHA-256 of an exercise's key and a normalised answer."""
    return hashlib.sha256(f"{key}|{token}".encode()).hexdigest()


def _whole(value: Any) -> int | None:
    """`value` as an int if it is a whole number (not a bool), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def _number(value: Any) -> float | None:
    """`value` as a finite float if it is one number (a Python or NumPy scalar, a 0-d array or tensor), else None."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if array.shape != () or not math.isfinite(float(array)):
        return None
    return float(array)


def _path(value: Any) -> str | None:
    """A path as a string, without surrounding blanks or a trailing slash; None if not a string or path."""
    if not isinstance(value, (str, os.PathLike)):
        return None
    text = os.fspath(value).strip()
    return text.rstrip("/") or text


def tokens(kind: str, value: Any, places: int = 0) -> list[str] | None:
    """The normalised forms of an answer that a check hashes (None if the answer has the wrong kind).

    A decimal rounded to `places` gives three tokens, its rounding and the two next to it, so
    that a right answer whose last digit differs from the stored rounding still passes.
    """
    if kind == "int":
        whole = _whole(value)
        return None if whole is None else [str(whole)]
    if kind == "decimal":
        number = _number(value)
        if number is None:
            return None
        k = round(number * 10**places)
        return [str(k - 1), str(k), str(k + 1)]
    if kind == "path":
        text = _path(value)
        return None if text is None else [text]
    raise ValueError(f"kind={kind!r}: use 'int', 'decimal' or 'path'.")


def stored_digest(key: str, value: Any, kind: str, places: int = 0) -> str:
    """The digest to store for a right answer `value` (its central token)."""
    found = tokens(kind, value, places)
    if found is None:
        raise ValueError(f"{value!r} is not a {kind} answer.")
    return digest(key, found[len(found) // 2])


# --- the student's functions: fresh inputs, compared with the references --------------------------


def _call(fn: Callable[..., Any], *args: Any, case: dict[str, Any]) -> Any:
    """Call the student's function; an error becomes a verdict (NotImplementedError: not answered)."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise _NotAnsweredError() from None
    except Exception as err:  # the student's code may raise anything: report it as the verdict
        raise _FailedError(f"your function raised {type(err).__name__}: {err} (inputs: {_describe(case)})", case) from None


def _describe(case: dict[str, Any]) -> str:
    """Short description of a case's inputs for a message (arrays by shape only)."""
    parts = []
    for name, value in case.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{name}: an array of shape {value.shape}")
        elif isinstance(value, float):
            parts.append(f"{name}={value:.4g}")
        else:
            parts.append(f"{name}={value!r}")
    return ", ".join(parts)


def _returned_none(got: Any, case: dict[str, Any]) -> None:
    if got is None:
        raise _FailedError(f"your function returned None for {_describe(case)}", case,
                    hint="end the function with `return <the result>`.")


def _trial_dense_params(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["01.3"]
    cases = []
    for _ in range(3):  # symmetric autoencoders: input, encoder, code, decoder mirrored, output = input
        encoder = sorted(rng.integers(2, 400, size=int(rng.integers(1, 4))).tolist(), reverse=True)
        dim = int(rng.integers(400, 1000))
        cases.append([dim, *encoder, *encoder[-2::-1], dim])
    for _ in range(3):  # any sizes at all
        cases.append(rng.integers(1, 1000, size=int(rng.integers(2, 7))).tolist())
    for sizes in cases:
        case = {"sizes": sizes}
        got = _call(fn, list(sizes), case=case)
        _returned_none(got, case)
        whole = _whole(got)
        if whole is None:
            raise _FailedError(f"for sizes={sizes} your function returned {got!r}, which is not a whole number", case)
        if whole != reference(sizes):
            raise _FailedError(f"for sizes={sizes} your function returned {whole}, which is not right yet", case)


def _masked_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = int(rng.integers(3, 20)), int(rng.integers(4, 30))
    y_true = rng.integers(1, 6, size=(rows, cols)).astype("float32")
    y_true[rng.random((rows, cols)) < rng.uniform(0.4, 0.85)] = 0.0
    y_true[0, 0], y_true[-1, -1] = float(rng.integers(1, 6)), 0.0  # at least one rated, one not
    y_pred = rng.normal(3.0, 1.5, size=(rows, cols)).astype("float32")
    return y_true, y_pred


def _trial_masked_mse(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["02.4"]
    for _ in range(5):
        y_true, y_pred = _masked_batch(rng)
        case = {"y_true": y_true, "y_pred": y_pred}
        where = f"a random {y_true.shape[0]} x {y_true.shape[1]} batch with {int((y_true != 0).sum())} ratings"
        got = _call(fn, y_true.copy(), y_pred.copy(), case=case)
        _returned_none(got, case)
        value = _number(got)
        if value is None:
            raise _FailedError(f"on {where} your function returned {type(got).__name__} {getattr(got, 'shape', '')}, "
                        "not one finite number", case, hint="return a single number: the mean over the batch's ratings.")
        moved = y_pred.copy()
        moved[y_true == 0] += rng.normal(0.0, 5.0, size=int((y_true == 0).sum())).astype("float32")
        again = _number(_call(fn, y_true.copy(), moved, case={"y_true": y_true, "y_pred": moved}))
        if again is None or not math.isclose(again, value, rel_tol=1e-5, abs_tol=1e-6):
            raise _FailedError(f"on {where}, changing only the predictions where nothing is rated changed your loss "
                        f"({value:.6g} -> {again if again is None else f'{again:.6g}'}): its gradient there is not zero",
                        case, hint="unrated entries (y_true == 0) must count for nothing: keep only the errors where "
                        "y_true != 0, e.g. multiply them by a 0/1 mask.")
        if not math.isclose(value, reference(y_true, y_pred), rel_tol=1e-4, abs_tol=1e-6):
            raise _FailedError(f"on {where} your function gives {value:.6g}, which is not the masked mean squared error", case,
                        hint="add up the squared errors on rated entries and divide by the number of *rated* entries, "
                        "not of all entries (the sample_weight pitfall of section 2).")


def _trial_mask_noise(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["03.4"]
    x = rng.uniform(0.05, 1.0, size=(int(rng.integers(64, 96)), 784)).astype("float32")
    rates = [float(r) for r in rng.uniform(0.1, 0.9, size=3)] + [0.0, 1.0]
    for rate in rates:
        seed = int(rng.integers(2**31))
        case = {"x": x, "rate": rate, "seed": seed}
        before = x.copy()
        got = _call(fn, x, rate, seed, case=case)
        _returned_none(got, case)
        if not np.array_equal(x, before):
            raise _FailedError("your function changed its input x", case, hint="work on a copy (x * mask makes a new array).")
        out = np.asarray(got)
        if out.shape != x.shape:
            raise _FailedError(f"for x of shape {x.shape} your function returned shape {out.shape}", case)
        zero = out == 0
        if not np.all(zero | np.isclose(out, x, rtol=1e-6, atol=0.0)):
            raise _FailedError(f"with rate={rate:.2f} some entries came back neither 0 nor unchanged", case,
                        hint="masking noise only erases: set the dropped entries to 0 and leave the others as they are "
                        "(no rescaling, unlike Dropout).")
        share = float(zero.mean())
        reference_share = float((reference(x, rate, seed) == 0).mean())  # random too: compared with a margin
        if abs(share - reference_share) > 0.025:
            raise _FailedError(f"with rate={rate:.2f} your function set {share:.1%} of the entries to 0", case,
                        hint="drop each entry with probability `rate`: compare one uniform random number per entry with "
                        "`rate`, and check which side of the comparison you keep.")
        if 0 < rate < 1:
            if not np.array_equal(np.asarray(_call(fn, x, rate, seed, case=case)), out):
                raise _FailedError("the same seed gave two different masks", case,
                            hint="draw from np.random.default_rng(seed), created inside the function.")
            if np.array_equal(np.asarray(_call(fn, x, rate, seed + 1, case=case)), out):
                raise _FailedError("two different seeds gave the same mask", case,
                            hint="draw from np.random.default_rng(seed), not from a fixed seed.")


def _trial_stacked_sizes(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["04.3"]
    for depth in rng.permutation([1, 2, 3, 3, 4, 4]).tolist():  # deep stacks too, or a decoder that is not mirrored passes
        input_dim = int(rng.integers(20, 1000))
        layers = tuple(sorted(rng.choice(np.arange(2, input_dim), size=depth, replace=False).tolist(), reverse=True))
        case = {"input_dim": input_dim, "layers": layers}
        got = _call(fn, input_dim, layers, case=case)
        _returned_none(got, case)
        try:
            sizes = [_whole(v) for v in got]
        except TypeError:
            sizes = [None]
        if None in sizes:
            raise _FailedError(f"for input_dim={input_dim}, layers={layers} your function returned {got!r}, "
                        "not a list of whole numbers", case)
        if sizes != reference(input_dim, layers):
            raise _FailedError(f"for input_dim={input_dim}, layers={layers} your function returned {sizes}, "
                        "which is not right yet", case)


def _trial_kl_penalty(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["05.3"]
    for _ in range(5):
        shape = (int(rng.integers(4, 65)), int(rng.integers(2, 41)))
        codes = rng.uniform(0.01, 0.99, size=shape) ** rng.uniform(1.0, 4.0, size=shape[1])  # units of various means
        rho, beta = float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.01, 3.0))
        case = {"codes": codes, "rho": rho, "beta": beta}
        got = _call(fn, codes.copy(), rho, beta, case=case)
        _returned_none(got, case)
        value = _number(got)
        where = f"a random batch of {shape[0]} codes x {shape[1]} units (rho={rho:.4g}, beta={beta:.4g})"
        if value is None:
            raise _FailedError(f"on {where} your function returned {got!r}, not one finite number", case,
                        hint="sum over the units to return a single number.")
        if not math.isclose(value, reference(codes, rho, beta), rel_tol=1e-4, abs_tol=1e-7):
            raise _FailedError(f"on {where} your function gives {value:.6g}, which is not the kit's penalty", case)


def _trial_matmul_flops(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["06.3"]
    sizes = [(n, n, n) for n in rng.integers(2, 5000, size=2).tolist()] + [tuple(rng.permutation(
        rng.integers(2, 5000, size=3)).tolist()) for _ in range(4)]
    for n, k, m in sizes:
        case = {"n": n, "k": k, "m": m}
        got = _call(fn, n, k, m, case=case)
        _returned_none(got, case)
        if _whole(got) != reference(n, k, m):
            raise _FailedError(f"for n={n}, k={k}, m={m} your function returned {got!r}, which is not right yet", case)


def _trial_oldest_first(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["06.4"]
    with tempfile.TemporaryDirectory(prefix="ls_tr_check_") as tmp:
        for number in range(3):
            folder = Path(tmp) / f"case_{number}"
            folder.mkdir()
            count = int(rng.integers(4, 9))
            names = [f"{word}_{int(v)}.txt" for word, v in zip(rng.choice(["run", "model", "notes", "data", "plot"],
                                                                            size=count), rng.permutation(900)[:count] + 100)]
            names[-1] = names[-1].replace(".txt", "")  # one folder among the files
            mtimes = (1_500_000_000 + 60 * rng.choice(1_000_000, size=count, replace=False)).tolist()
            while [n for _, n in sorted(zip(mtimes, names))] == sorted(names):  # else the message would show the answer
                mtimes = rng.permutation(mtimes).tolist()
            atimes = (1_500_000_000 + 60 * rng.choice(1_000_000, size=count, replace=False)).tolist()
            while np.array_equal(np.argsort(atimes), np.argsort(mtimes)):  # access time must order them differently
                atimes = rng.permutation(atimes).tolist()
            for name, mtime, atime in zip(names, mtimes, atimes):
                path = folder / name
                if name.endswith(".txt"):
                    path.write_text(f"created by the check, {name}\n")
                else:
                    path.mkdir()
                os.utime(path, (atime, mtime))
            case = {"names": names, "mtimes": mtimes}
            argument = str(folder) if number == 0 else folder
            got = _call(fn, argument, case=case)
            _returned_none(got, case)
            try:
                listed = [os.path.basename(os.fspath(p)) for p in got]
            except TypeError:
                raise _FailedError(f"your function returned {got!r}, not a list of names", case) from None
            if listed != reference(folder):
                raise _FailedError(f"for a folder holding {sorted(names)} (times set by the check) your function returned "
                            f"{listed}, which is not the `ls -tr` order", case)


def _unit_vectors(rng: np.random.Generator, count: int, d: int) -> np.ndarray:
    """`count` random directions in d dimensions, each of length 1."""
    x = rng.normal(size=(count, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _gate_cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Embeddings u (n x d) and v (m x d) for 07.2, n != m and m != d, so a transposed result or a sum over the wrong
    axis has the wrong shape. Each mixed case holds a pair at a squared distance in [0.1, 0.6] (a square root or a
    Gaussian gives another value there), one pair farther apart than 1 (no clamp: negative; Gaussian: positive) and
    one identical pair away from the origin (an expansion of the squared distance without its factor 2 gives < 1)."""
    cases = []
    for d in (1, *rng.integers(2, 9, size=2).tolist()):
        n, m = rng.choice(np.setdiff1d(np.arange(3, 13), [d]), size=2, replace=False).tolist()
        u = rng.normal(0.0, 0.45 / math.sqrt(d), size=(n, d))
        v = rng.normal(0.0, 0.45 / math.sqrt(d), size=(m, d))
        (i_near, i_far, i_same), (j_near, j_far, j_same) = (rng.choice(k, size=3, replace=False) for k in (n, m))
        u[i_same] = _unit_vectors(rng, 1, d)[0] * rng.uniform(0.4, 0.7)
        v[j_same] = u[i_same]
        v[j_near] = u[i_near] + _unit_vectors(rng, 1, d)[0] * math.sqrt(rng.uniform(0.1, 0.6))
        v[j_far] = u[i_far] + _unit_vectors(rng, 1, d)[0] * math.sqrt(rng.uniform(1.5, 3.0))
        cases.append((f"random {n} x {d} and {m} x {d} embeddings", u, v))
    d = int(rng.integers(1, 7))
    n, m = rng.choice(np.setdiff1d(np.arange(2, 13), [d]), size=2, replace=False).tolist()
    away = _unit_vectors(rng, 1, d)[0] * 1.5  # every pair at least 3 - 2 * 0.25 apart
    u = away + rng.uniform(-0.1, 0.1, size=(n, d))
    v = -away + rng.uniform(-0.1, 0.1, size=(m, d))
    cases.append((f"{n} x {d} and {m} x {d} embeddings, every u far from every v", u, v))
    d = int(rng.integers(1, 7))
    n, m = rng.choice(np.setdiff1d(np.arange(2, 13), [d]), size=2, replace=False).tolist()
    same = _unit_vectors(rng, 1, d)[0] * rng.uniform(0.4, 0.9)
    cases.append((f"{n} x {d} and {m} x {d} embeddings, all of them the same point", np.tile(same, (n, 1)),
                  np.tile(same, (m, 1))))
    return cases


def _trial_kernel_gate(fn: Callable[..., Any], rng: np.random.Generator) -> None:
    reference = solutions.REFERENCES["07.2"]
    for where, u, v in _gate_cases(rng):
        case = {"u": u, "v": v}
        got = _call(fn, u.copy(), v.copy(), case=case)
        _returned_none(got, case)
        try:
            out = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise _FailedError(f"on {where} your function returned {type(got).__name__}, not an array of numbers",
                               case) from None
        (n, _), (m, _) = u.shape, v.shape
        if out.ndim == 0:
            raise _FailedError(f"on {where} your function returned one number, not a matrix", case,
                               hint="return every pair's kernel value, one row per embedding in u, before any sum "
                               "or mean.")
        if out.shape == (m, n):
            raise _FailedError(f"on {where} your function returned an array of shape {out.shape}", case,
                               hint="one row per embedding in u and one column per embedding in v.")
        if out.shape != (n, m):
            raise _FailedError(f"on {where} your function returned an array of shape {out.shape}", case,
                               hint="one value per pair (row i of u, row j of v), in a matrix with a row for each "
                               "embedding of u; the squared distance adds up the squares over the d coordinates.")
        if not np.all(np.isfinite(out)):
            raise _FailedError(f"on {where} your function returned values that are not finite numbers", case)
        expected = reference(u, v)
        if np.allclose(out, expected, rtol=1e-5, atol=1e-5):
            continue
        i, j = np.unravel_index(np.argmax(np.abs(out - expected)), out.shape)  # the worst pair: the clearest example
        text = f"on {where} your function gives {out[i, j]:.6g} for row {i} of u and row {j} of v, which is not right yet"
        case = {**case, "pair": (int(i), int(j))}
        if out.min() < -1e-5:
            raise _FailedError(text, case, hint="a kernel value is never negative: once two embeddings are 1 apart or "
                               "more the connection is cut, and stays cut however far apart they are.")
        if out.max() > 1 + 1e-5:
            raise _FailedError(text, case, hint="no kernel value is above the one of two identical embeddings.")
        raise _FailedError(text, case)


# --- the exercises --------------------------------------------------------------------------------

EXERCISES: dict[str, Fixed | FromRun | Code] = {
    "01.1": Fixed("each Dense layer has (inputs x outputs) weights plus one bias per output; this model has two.",
                  "e86b0135c55764587c884a7a2de8d950915e00953fb25d2c1a5d5c5053ea3149"),
    "01.2": FromRun("find the tallest bar in 'reconstruction error per digit' and give its digit (the bar's label, "
                    "not its height).", ("per_digit",)),
    "01.3": Code("a Dense layer from a units to b units has a*b weights and b biases; add that up over every pair of "
                 "neighbouring sizes (the input itself has no parameters).", "dense_autoencoder_params",
                 _trial_dense_params),
    "02.1": FromRun("count the cells of the users x items matrix and the ratings in `train`; the other cells are "
                    "missing. Give a fraction (0.9, not 90).", ("train", "index"), kind="number", tol=1e-3),
    "02.2": Fixed("I-AutoRec reads one item's ratings by every user, so it has as many inputs as users and as many "
                  "outputs; two Dense layers, each with weights and one bias per output.",
                  "9afe791933916b8d19d0629fda95e892589bcf50e8279127151ea1205030cd19"),
    "02.3": Fixed("clip the predictions to 1..5 first, then take the square root of the mean squared error over the "
                  "three pairs.", "dd8402e5dc7e5c4066e7db111afa6e31f14b4561335f60f6076a5082e1cd5ffb", "decimal", 4),
    "02.4": Code("square the errors where y_true != 0, add them up and divide by the number of rated entries.",
                 "my_masked_mse", _trial_masked_mse),
    "03.1": Fixed("each pixel is set to 0 with probability 0.5, independently of the others; the expected count is "
                  "the sum of these probabilities over the pixels.",
                  "17a3de3edd35d01251fd07149721a8203dfd9d73e8cb895aca6872227497efa9"),
    "03.2": Fixed("Dropout keeps a share 1 - rate of the entries and scales them so that the expected sum is unchanged.",
                  "9c3624a1f5af64aae8d0fef771168acde854eefd6093bf40b35dca6abe4e27da", "decimal", 3),
    "03.3": FromRun("find the lowest value in rating_valid's rmse column and read the drop rate from that row's variant "
                    "(0 for 'no corruption').", ("rating_valid", "DROP_RATES"), kind="number", tol=1e-9),
    "03.4": Code("draw one uniform number per entry from np.random.default_rng(seed); keep the entry where it is at "
                 "least `rate`, set the others to 0.", "mask_noise", _trial_mask_noise),
    "04.1": Fixed("four Dense layers, 784->256, 256->32, 32->256 and 256->784, each with inputs x outputs weights "
                  "and one bias per output.", "42f7d510a5bbf716853666f69536798346006f699ad03e68a7921a863f92583e"),
    "04.2": FromRun("layer k is trained as a shallow autoencoder on the codes of layer k-1.", ("LAYERS",)),
    "04.3": Code("the input size, the encoder's sizes, the same sizes backwards without repeating the code, then the "
                 "input size again.", "stacked_layer_sizes", _trial_stacked_sizes),
    "05.1": Fixed("put rho = 0.05 and rho_hat = 0.5 into the formula of section 1, with natural logarithms (np.log).",
                  "343fec74c4dce39e061c34f623b266ed6e617ca1bdb9aef765eab0930565cadd", "decimal", 3),
    "05.2": FromRun("read active_units in the headline_l1 row of mnist_table and round it to a whole number.",
                    ("mnist_table", "headline_l1"), kind="rounded"),
    "05.3": Code("rho_hat is each unit's mean over the batch (axis 0), one value per unit; sum KL(rho || rho_hat) over "
                 "the units, multiply by beta, and use natural logarithms.", "kl_penalty", _trial_kl_penalty),
    "06.1": Fixed("after n steps x = 5 - 2^(2-n); find the first n for which 2^(2-n) < 0.001.",
                  "162c71b1a61fb6adeb6b49bb0619ef5530040278fc6326673ae55a2275778ed2"),
    "06.2": Fixed("Colab's mount point for Drive, then the folder Drive calls 'My Drive', written without the space.",
                  "591fd38c2ff7f4ceeb794a9deae4c8def6c04d2d366cfda03ee8127b62cfcacb", "path"),
    "06.3": Code("count the entries of the (n x m) result, then the multiply-adds that one entry needs (a row of "
                 "length k times a column of length k); each multiply-add counts two.",
                 "matmul_flops", _trial_matmul_flops),
    "06.4": Code("list the folder's entries (os.scandir or Path.iterdir), sort them by their stat().st_mtime, oldest "
                 "first, and return their names.", "oldest_first", _trial_oldest_first),
    "07.1": Fixed("a KernelDense layer has the weights W (inputs x units), one bias per unit, and one embedding of "
                  "`dim` numbers for every input unit and every output unit.",
                  "d73910853c42bf7f29ca21d22ffaba7a7b24616f6a09e92d5be09497638668bd"),
    "07.2": Code("for row i of u and row j of v add up the squares of their differences over the d coordinates (the "
                 "squared distance, no square root), take 1 minus it and cut it at 0 from below; a new axis on u and "
                 "one on v let NumPy broadcasting do every pair at once.", "kernel_gate", _trial_kernel_gate),
}

_KINDS = {"int": "a whole number", "decimal": "a number", "path": "a path, as a string", "number": "a number",
          "rounded": "a whole number"}


def _title(key: str) -> str:
    return f"Exercise {int(key.split('.')[1])}"


def _unanswered(value: Any) -> bool:
    return value is None or value is Ellipsis


def _judge(key: str, exercise: Fixed | FromRun | Code, answer: Any, context: dict[str, Any],
           rng: np.random.Generator) -> None:
    """Raise _FailedError if `answer` is wrong (_NotAnsweredError if a function is still a stub)."""
    if isinstance(exercise, Fixed):
        found = tokens(exercise.kind, answer, exercise.places)
        if found is None:
            raise _FailedError(f"{answer!r} is not {_KINDS[exercise.kind]}")
        if exercise.digest not in {digest(key, t) for t in found}:
            places = f" (checked to {exercise.places} decimal places)" if exercise.kind == "decimal" else ""
            raise _FailedError(f"{answer!r} is not right yet{places}")
    elif isinstance(exercise, FromRun):
        expected = solutions.REFERENCES[key](**{name: context[name] for name in exercise.needs})
        value = _number(answer) if exercise.kind == "number" else _whole(answer)
        if value is None:
            raise _FailedError(f"{answer!r} is not {_KINDS[exercise.kind]}")
        tol = {"int": 0.0, "rounded": 0.5 + 1e-9}.get(exercise.kind, exercise.tol)
        if abs(value - expected) > tol:
            raise _FailedError(f"{answer!r} is not right yet")
    else:
        if not callable(answer):
            raise _FailedError(f"{answer!r} is not a function: pass the function itself, `{exercise.function}`, without "
                        "calling it")
        exercise.trial(answer, rng)


def check(key: str, answer: Any, **context: Any) -> None:
    """Check the answer to exercise `key`: print a verdict, or raise WrongAnswerError with a hint (never the answer).

    `context` passes the notebook variables an answer depends on, by name (`per_digit=per_digit`).
    An unanswered exercise prints "not answered yet"; with COURSE_SOLUTIONS=1 the model solution
    from `helpers.solutions` is checked in its place.
    """
    if key not in EXERCISES:
        raise ValueError(f"no exercise {key!r}; the keys are {', '.join(EXERCISES)}.")
    exercise, title = EXERCISES[key], _title(key)
    needs = getattr(exercise, "needs", ())
    missing = [name for name in needs if name not in context]
    if missing:
        passed = ", ".join(f"{n}={n}" for n in missing)
        raise ValueError(f"{title}'s check needs the notebook's {passed}: call exercises.check({key!r}, answer, {passed}).")
    needed = {name: context[name] for name in needs}
    rng = np.random.default_rng()  # fresh inputs on every run
    if not _unanswered(answer):
        try:
            _judge(key, exercise, answer, needed, rng)
        except _NotAnsweredError:
            pass  # a function still raising NotImplementedError: no answer yet
        except _FailedError as fail:
            raise WrongAnswerError(f"{title}: {fail.text}. Hint: {fail.hint or exercise.hint}", fail.case) from None
        else:
            print(f"{title}: correct.")
            return
    if not solutions_on():
        _print_unanswered(title, exercise)
        return
    try:
        _judge(key, exercise, solutions.solution(key, **needed), needed, rng)
    except (_FailedError, _NotAnsweredError) as err:
        raise AssertionError(f"{title}: the model solution in helpers.solutions fails its own check: {err}") from None
    print(f"{title}: correct (the model solution, {SWITCH}=1).")


def _print_unanswered(title: str, exercise: Fixed | FromRun | Code) -> None:
    if isinstance(exercise, Code):
        print(f"{title}: not answered yet. Write the body of `{exercise.function}` above (in place of "
              "`raise NotImplementedError`) and run both cells.")
    else:
        print(f"{title}: not answered yet. Replace the None above with your answer and run both cells.")
