"""Check a notebook's parameters cell, so a wrong value fails there with a sentence."""

from __future__ import annotations

from typing import Any


class ParameterError(ValueError):
    """A notebook parameter has the wrong kind or an impossible value."""


def _names(types: type | tuple[type, ...]) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join("None" if t is type(None) else t.__name__ for t in types)


def check_params(**specs: tuple[Any, type | tuple[type, ...]] | tuple[Any, type | tuple[type, ...], float]) -> None:
    """Check each `NAME=(value, types[, minimum])`; raise `ParameterError` naming the first bad one.

    Numbers must be at least `minimum` (default 1 for int, 0 for float); True/False do not
    count as numbers.
    """
    for name, spec in specs.items():
        value, types = spec[0], spec[1]
        allowed = types if isinstance(types, tuple) else (types,)
        is_bool = isinstance(value, bool) and bool not in allowed
        if is_bool or not isinstance(value, allowed):
            raise ParameterError(
                f"Parameter {name} = {value!r} is a {type(value).__name__}; it must be {_names(types)}. "
                "Fix it in the parameters cell and run the notebook again from there."
            )
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            minimum = spec[2] if len(spec) > 2 else (1 if isinstance(value, int) else 0)
            if value < minimum:
                raise ParameterError(
                    f"Parameter {name} = {value!r} is too small; it must be at least {minimum}. "
                    "Fix it in the parameters cell and run the notebook again from there."
                )
