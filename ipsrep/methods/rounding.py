"""The interval a printed number stands for.

A number printed as ``0.336`` stands for every value from 0.3355 to 0.3365: half a unit
in its last printed digit either side. Both ends are included, because a tie may have
been rounded either way (software rounds half up or half to even, and a decimal tie is
stored a hair above or below the half in binary floating point). A printed bound such as
"P < 0.001" stands for every value below it.

Every check in the package that asks "could this value have been printed as that?" goes
through this module: the ledger's status, the audit's recomputations, SPRITE's targets
and the GRIM/GRIMMER tests. :func:`published_window` reads the ``decimals`` and
``relation`` columns of ``data/published/*.csv`` so that a row's own metadata, not its
text, says what it stands for.

References
----------
Brown NJL, Heathers JAJ. The GRIM test: a simple technique detects numerous anomalies in
the reporting of results in psychology. Soc Psychol Personal Sci 2017;8(4):363-9.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

__all__ = [
    "decimals_of",
    "exact_window",
    "rounding_window",
    "rounding_interval",
    "rounds_to",
    "published_window",
]


def _decimal(printed: str) -> Decimal:
    if not isinstance(printed, str):
        raise ValueError(f"printed must be the number as printed text (a str), got {printed!r}")
    text = printed.strip().replace("\u2212", "-")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"printed must be a plain decimal number such as '0.336', got {printed!r}") from None
    if not number.is_finite():
        raise ValueError(f"printed must be a finite number, got {printed!r}")
    return number


def decimals_of(printed: str) -> int:
    """Digits printed after the decimal point.

    >>> decimals_of("0.336"), decimals_of("31"), decimals_of("-2.10")
    (3, 0, 2)
    """
    exponent = _decimal(str(printed)).as_tuple().exponent
    # _decimal admits finite numbers only; the exponent is a str ('n', 'N', 'F') for nan and inf alone
    assert isinstance(exponent, int)
    return max(0, -exponent)


def exact_window(printed: str) -> tuple[Fraction, Fraction]:
    """The closed interval of values that print as `printed`, as exact fractions.

    >>> exact_window("2.45")
    (Fraction(489, 200), Fraction(491, 200))
    """
    number = _decimal(printed)
    half = Fraction(1, 2 * 10 ** decimals_of(printed))
    centre = Fraction(number)
    return centre - half, centre + half


def rounding_window(printed: str) -> tuple[float, float]:
    """The interval of values that round to a printed number, as floats.

    Parameters
    ----------
    printed : str
        A number as printed, e.g. ``"0.336"``, ``"1.76"``, ``"-2.1"``, ``"31"``.

    Returns
    -------
    (low, high) : tuple of float
        ``printed`` minus and plus half a unit in its last printed digit, computed in
        exact decimal arithmetic and then converted, so the bounds are the floats nearest
        to the exact halves.

    Examples
    --------
    >>> rounding_window("0.336")
    (0.3355, 0.3365)
    >>> rounding_window("31")
    (30.5, 31.5)
    """
    low, high = exact_window(printed)
    return float(low), float(high)


def rounding_interval(value: float, decimals: int) -> tuple[float, float]:
    """The closed interval of true values that print as `value` with `decimals` digits.

    The numeric form of :func:`rounding_window`, for callers that hold the printed number
    as a float and its digits separately (as ``data/published/`` does).

    >>> rounding_interval(22, 0)
    (21.5, 22.5)
    >>> rounding_interval(5.19, 2)
    (5.185, 5.195)
    """
    if isinstance(decimals, bool) or int(decimals) != decimals or decimals < 0:
        raise ValueError(f"decimals (digits printed after the point) must be a whole number >= 0, got {decimals!r}")
    return rounding_window(f"{float(value):.{int(decimals)}f}")


def rounds_to(value: float | None, printed: str, relation: str = "=") -> bool:
    """True when `value` could have been printed as `printed` (ties either way).

    `relation` is ``=`` for a rounded number, ``<`` or ``>`` for a printed bound such as
    "P < 0.001". A missing value (None or NaN) never rounds to anything.

    >>> rounds_to(0.33596, "0.336"), rounds_to(1.7589, "1.76"), rounds_to(0.0004, "0.001", "<")
    (True, True, True)
    >>> rounds_to(0.3366, "0.336")
    False
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if relation == "<":
        return value < float(printed)
    if relation == ">":
        return value > float(printed)
    if relation != "=":
        raise ValueError(f"relation must be '=', '<' or '>', got {relation!r}")
    low, high = rounding_window(str(printed))
    slack = (high - low) * 0.5e-9
    return low - slack <= value <= high + slack


def published_window(row) -> tuple[float, float]:
    """The interval a row of ``data/published/`` stands for, from its own columns.

    `row` is a mapping with ``value``, ``decimals`` and ``relation`` (a row of
    :func:`ipsrep.inputs.published.load_published`). ``=`` gives the rounding interval of
    ``value`` at ``decimals`` digits; ``<`` gives everything below ``value`` and ``>``
    everything above it.

    >>> published_window({"value": 0.336, "decimals": 3, "relation": "="})
    (0.3355, 0.3365)
    >>> published_window({"value": 0.001, "decimals": 3, "relation": "<"})
    (-inf, 0.001)
    """
    relation = row["relation"]
    if relation == "<":
        return -math.inf, float(row["value"])
    if relation == ">":
        return float(row["value"]), math.inf
    return rounding_interval(float(row["value"]), int(row["decimals"]))
