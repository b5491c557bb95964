"""Checks of the arguments the methods take: whole numbers, levels, proportions, samples.

Each check returns the argument as the type the methods compute with, or raises
:class:`ValueError` with a message naming the argument and what is allowed. Shared by
:mod:`.proportions`, :mod:`.ttests`, :mod:`.ranks`, :mod:`.resampling` and :mod:`.power`.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["check_count", "check_level", "check_probability", "sample"]


def check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(float(value)) or float(value) != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def check_level(name: str, level) -> float:
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {level!r}") from None
    if not 0.0 < level < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {level!r}")
    return level


def check_probability(name: str, p, *, open_interval: bool = True) -> float:
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a proportion between 0 and 1, got {p!r}") from None
    ok = 0.0 < p < 1.0 if open_interval else 0.0 <= p <= 1.0
    if not ok:
        bounds = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise ValueError(f"{name} must be a proportion {bounds}, got {p!r}")
    return p


def sample(name: str, values, *, minimum: int = 1) -> np.ndarray:
    """A 1-d float array of `values` with missing values (NaN/None) dropped."""
    try:
        numbers = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="raise")
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers (missing values allowed)") from None
    arr = numbers.to_numpy(dtype=float)
    if np.isinf(arr).any():
        raise ValueError(f"{name} holds an infinite value; only finite numbers or missing are allowed")
    arr = arr[~np.isnan(arr)]
    if arr.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} non-missing values, got {arr.size}")
    return arr
