"""Judging a recomputed statistic against the printed one: rounding windows, the verdict
(``consistent``, ``consistent_other_variant``, ``inconsistent``) and the record of a check.

The method is described in :mod:`ipsrep.audit.recompute`; the statistics are recomputed
in :mod:`ipsrep.audit.printed_tests`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ipsrep.methods.rounding import rounding_window

__all__ = ["VERDICTS", "VARIANTS", "CHECK_COLUMNS", "EPS", "window", "p_window", "truncation_window", "overlaps",
           "judge", "format_interval", "intervals_text", "variant_note", "check_row"]

VERDICTS: tuple[str, ...] = ("consistent", "consistent_other_variant", "inconsistent")
"""The three classifications of a printed statistic."""

VARIANTS: dict[str, str] = {
    "student": "Student t (pooled variance)",
    "welch": "Welch t",
    "pearson": "Pearson chi-squared",
    "yates": "Yates-corrected chi-squared",
    "fisher": "Fisher's exact test",
    "woolf": "Woolf (log) interval",
    "ratio": "estimate / SE",
    "normal": "two-sided normal p of the printed z",
    "normal_truncated": "two-sided normal p of the printed z, read as truncated",
    "from_ratio": "two-sided normal p of estimate / SE",
    "mean": "mean of the printed scores",
}
"""Test variants a printed statistic is recomputed under, by short name."""

CHECK_COLUMNS: list[str] = [
    "key", "source", "statistic", "printed", "inputs", "stated", "low", "high", "value",
    "matched", "verdict", "intervals", "note",
]
"""Columns of every check table (see :func:`printed_statistic_checks`)."""

EPS = 1e-12
"""Slack of the comparisons of two windows (float noise at their ends)."""


# --------------------------------------------------------------------------- windows
def window(printed: str, relation: str = "=") -> tuple[float, float]:
    """The values a printed number stands for: its rounding window, or a bound.

    ``relation="<"`` (as in "P < 0.001") gives ``(0, value)``.

    >>> window("0.336")
    (0.3355, 0.3365)
    >>> window("0.001", "<")
    (0.0, 0.001)
    """
    if relation == "<":
        return 0.0, float(printed)
    if relation == ">":
        return float(printed), math.inf
    return rounding_window(str(printed))


def p_window(printed: str, relation: str = "=") -> tuple[float, float]:
    """Window of a printed p. A bare ``0`` is read as Stata's ``0.000`` (p < 0.0005).

    Table 4's intercept rows print P as 0; Stata shows three decimals, so the value
    behind it is below 0.0005.

    >>> p_window("0")
    (0.0, 0.0005)
    """
    if relation == "=" and str(printed).strip() == "0":
        return 0.0, 0.0005
    return window(printed, relation)


def truncation_window(printed: str) -> tuple[float, float]:
    """Values that print as `printed` when digits are cut off rather than rounded.

    >>> truncation_window("0.12")
    (0.12, 0.13)
    >>> truncation_window("-0.92")
    (-0.93, -0.92)
    """
    low, high = rounding_window(str(printed))
    unit = high - low
    value = float(printed)
    if value > 0 or (value == 0 and not str(printed).strip().startswith("-")):
        return value, round(value + unit, 12)
    return round(value - unit, 12), value


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when the closed intervals `a` and `b` share a point.

    >>> overlaps((0.1, 0.2), (0.2, 0.3)), overlaps((0.1, 0.2), (0.25, 0.3))
    (True, False)
    """
    return a[0] <= b[1] + EPS and b[0] <= a[1] + EPS


def judge(
    recomputed: Mapping[str, tuple[float, float]],
    printed: tuple[float, float] | Mapping[str, tuple[float, float]],
    stated: str,
) -> tuple[str, list[str]]:
    """Classify a printed statistic from its recomputed interval under each variant.

    Parameters
    ----------
    recomputed : mapping of variant -> (low, high)
        Interval of the statistic under each test variant.
    printed : (low, high) or mapping of variant -> (low, high)
        The printed value's window (one for all variants, or one per variant when the
        variant is a way of printing, e.g. truncation).
    stated : str
        The variant the paper says it used (must be a key of `recomputed`).

    Returns
    -------
    verdict : str
        One of :data:`VERDICTS`.
    matched : list of str
        The variants whose interval meets the printed window, in the given order.

    >>> judge({"student": (0.23, 0.232), "welch": (0.297, 0.299)}, (0.2975, 0.2985), "student")
    ('consistent_other_variant', ['welch'])
    """
    if stated not in recomputed:
        raise ValueError(f"stated variant {stated!r} is not among the recomputed ones: {', '.join(recomputed)}")
    windows = printed if isinstance(printed, Mapping) else {v: printed for v in recomputed}
    matched = [v for v, iv in recomputed.items() if overlaps(iv, windows[v])]
    if stated in matched:
        return "consistent", matched
    return ("consistent_other_variant" if matched else "inconsistent"), matched


def format_interval(iv: tuple[float, float], digits: int = 4) -> str:
    """An interval as ``[low, high]`` with `digits` decimals."""
    return f"[{iv[0]:.{digits}f}, {iv[1]:.{digits}f}]"


def intervals_text(recomputed: Mapping[str, tuple[float, float]], digits: int = 4) -> str:
    """Each variant's recomputed interval, ``variant [low, high]``, joined by ``; ``."""
    return "; ".join(f"{v} {format_interval(iv, digits)}" for v, iv in recomputed.items())


def variant_note(subject: str, verdict: str, recomputed: Mapping[str, tuple[float, float]], matched: Sequence[str],
                  stated: str, digits: int = 4) -> str:
    """Why a check is not plainly consistent: the variant that reproduces `subject`, or that none does."""
    if verdict == "consistent_other_variant":
        return (f"{subject} is reproduced by {VARIANTS[matched[0]]} {format_interval(recomputed[matched[0]], digits)}, "
                f"not by the stated {VARIANTS[stated]} {format_interval(recomputed[stated], digits)}")
    if verdict == "inconsistent":
        return f"{subject} is outside every recomputed interval: {intervals_text(recomputed, digits)}"
    return ""


def check_row(key: str, source: str, statistic: str, printed: str, inputs: str, stated: str,
               interval: tuple[float, float], value: float, matched: Sequence[str], verdict: str,
               intervals: str, note: str) -> dict:
    """One record with the columns of :data:`CHECK_COLUMNS`; ``low, high`` is `interval`."""
    return {"key": key, "source": source, "statistic": statistic, "printed": printed, "inputs": inputs,
            "stated": stated, "low": interval[0], "high": interval[1], "value": value,
            "matched": ", ".join(matched), "verdict": verdict, "intervals": intervals, "note": note}
