"""Argument checks shared by the public API and the engine options.

Every check takes the *field* being checked (as a user would name it:
``cutoff``, ``options.cutoff``, ``baths[1].temperature``) and the value,
and returns the value converted to its canonical type, or raises
:class:`~qheatnet.errors.ValidationError` whose message names the field,
says what is allowed and shows what was given. Kernels behind the API never
re-validate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import ValidationError

__all__ = ["number", "integer", "choice", "boolean", "optional_bool", "is_number"]


def is_number(value: Any) -> bool:
    """True for a real number (Python or numpy scalar), False for bool and anything else."""
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, float, np.integer, np.floating))


def number(
    field: str,
    value: Any,
    *,
    minimum: float | None = None,
    strict: bool = False,
    maximum: float | None = None,
) -> float:
    """A finite real number, optionally ≥ ``minimum`` (> if ``strict``) and ≤ ``maximum``."""
    if not is_number(value):
        raise ValidationError(field, f"must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValidationError(field, f"must be finite, got {value!r}")
    if minimum is not None and (v < minimum or (strict and v == minimum)):
        rel = ">" if strict else "≥"
        raise ValidationError(field, f"must be {rel} {minimum:g}, got {value!r}")
    if maximum is not None and v > maximum:
        raise ValidationError(field, f"must be ≤ {maximum:g}, got {value!r}")
    return v


def integer(field: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (Python or numpy; not bool, not a float) within the given bounds."""
    bounds = []
    if minimum is not None:
        bounds.append(f"≥ {minimum}")
    if maximum is not None:
        bounds.append(f"≤ {maximum}")
    what = "an integer" + (" " + " and ".join(bounds) if bounds else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValidationError(field, f"must be {what}, got {value!r}")
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise ValidationError(field, f"must be {what}, got {value!r}")
    return v


def choice(field: str, value: Any, allowed: Sequence[str]) -> str:
    """One of the strings in ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")
    return value


def boolean(field: str, value: Any) -> bool:
    """True or False (a Python or numpy bool; not 0/1)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValidationError(field, f"must be true or false, got {value!r}")
    return bool(value)


def optional_bool(field: str, value: Any) -> bool | None:
    """None (let the engine decide), True or False."""
    return None if value is None else boolean(field, value)
