"""Granularity checks: can a printed mean (and SD) come from n values on a known grid?

When every observation is a multiple of a grid step (whole minutes, whole points, a 0/100
indicator behind a percentage), the total of n observations is a multiple of that step,
so only certain means are possible; the same holds for the sum of squares behind an SD.
These functions ask whether printed summaries are possible at all, which sample sizes
they imply, and which samples could have produced them.

- :func:`grim_consistent`, :func:`grim_totals`: the GRIM test of a mean (Brown and
  Heathers 2017).
- :func:`grimmer_consistent`: GRIMMER, the same idea for a mean with its SD (Anaya
  2016).
- :func:`consistent_sample_sizes`, :func:`denominators_for`: the sample sizes under
  which several printed percentages or means are all possible.
- :func:`possible_samples`: every sample of n grid values within a range that rounds
  to a printed mean and SD (a complete enumeration in the spirit of SPRITE, Heathers et
  al. 2018, for small n).

A printed value is taken to stand for the interval of true values that round to it;
ties (a true value exactly half a unit from two printed ones) count as consistent with
both neighbours: software may round half up or half to even, and in binary floating point
a decimal tie such as 1.65 is stored a hair above or below the half, so which way it went
cannot be known (the same lenient rule as :func:`ipsrep.methods.rounding.rounds_to`). No
maintained Python package implements these tests (the reference implementation is the R
package *scrutiny*), so they are written here from the papers, and checked in
``tests/test_granularity.py`` against brute-force
enumeration.

References
----------
Brown NJL, Heathers JAJ. The GRIM test: a simple technique detects numerous anomalies in
the reporting of results in psychology. Soc Psychol Personal Sci 2017;8(4):363-9.
doi:10.1177/1948550616673876

Anaya J. The GRIMMER test: a method for testing the validity of reported measures of
variability. PeerJ Preprints 2016;4:e2400v1. doi:10.7287/peerj.preprints.2400v1

Heathers JAJ, Anaya J, van der Zee T, Brown NJL. Recovering data from summary statistics:
Sample Parameter Reconstruction via Iterative TEchniques (SPRITE). PeerJ Preprints
2018;6:e26968v1.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd

from ipsrep.methods.rounding import rounding_interval

__all__ = [
    "grim_totals",
    "grim_consistent",
    "grimmer_consistent",
    "consistent_sample_sizes",
    "denominators_for",
    "possible_samples",
]

_EPS = 1e-9


def _check_n(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a positive whole number of observations, got {n!r}")
    return int(n)


def _check_step(step: float) -> float:
    if not step > 0:
        raise ValueError(f"step (the grid the observations lie on) must be positive, got {step!r}")
    return float(step)


def _check_decimals(decimals: int, name: str = "decimals") -> int:
    if isinstance(decimals, bool) or int(decimals) != decimals or decimals < 0:
        raise ValueError(f"{name} (digits printed after the point) must be a whole number >= 0, got {decimals!r}")
    return int(decimals)




def grim_totals(mean: float, n: int, decimals: int, step: float = 1) -> np.ndarray:
    """Totals (in units of `step`) whose mean over `n` observations prints as `mean`.

    Parameters
    ----------
    mean : float
        The printed mean.
    n : int
        Number of observations behind it.
    decimals : int
        Digits printed after the decimal point.
    step : float, default 1
        Grid of a single observation: 1 for whole numbers, 0.5 for half points, 100 for
        a 0/100 indicator whose mean is a percentage. For a scale scored as the mean of
        ``m`` whole-number items use ``1/m``.

    Returns
    -------
    numpy.ndarray of int
        Every integer k with ``k * step / n`` inside the rounding interval of `mean`
        (empty when the mean is impossible).

    >>> grim_totals(22, 8, 0).tolist()    # totals 172..180 minutes
    [172, 173, 174, 175, 176, 177, 178, 179, 180]
    """
    n, step = _check_n(n), _check_step(step)
    lo, hi = rounding_interval(mean, decimals)
    k_lo = math.ceil(lo * n / step - _EPS)
    k_hi = math.floor(hi * n / step + _EPS)
    return np.arange(k_lo, k_hi + 1, dtype=np.int64)


def grim_consistent(mean: float, n: int, decimals: int, step: float = 1) -> bool:
    """GRIM test: can `n` observations on a grid of `step` have a mean printed as `mean`?

    Parameters
    ----------
    mean : float
        The printed mean (or percentage, with ``step=100``).
    n : int
        Number of observations.
    decimals : int
        Digits printed after the decimal point.
    step : float, default 1
        Grid of one observation (see :func:`grim_totals`).

    Returns
    -------
    bool
        True when some total ``k * step`` (k a whole number) gives a mean that rounds
        to `mean`.

    Notes
    -----
    The mean of n values on a grid of `step` is ``k * step / n`` for a whole number k,
    so the possible means are spaced ``step / n`` apart; a printed mean is consistent
    when its rounding interval contains one of them (Brown and Heathers 2017). Once
    ``step / n`` is smaller than the printed precision every mean passes, so the test
    only has power for small samples or many printed digits.

    References
    ----------
    Brown NJL, Heathers JAJ (2017), Soc Psychol Personal Sci 8(4):363-9.

    Examples
    --------
    >>> grim_consistent(5.19, 28, 2)      # 145/28 = 5.18, 146/28 = 5.21
    False
    >>> grim_consistent(38, 8, 0, step=100)   # 3 of 8 = 37.5 %
    True
    """
    return grim_totals(mean, n, decimals, step).size > 0


def grimmer_consistent(
    mean: float, sd: float, n: int, decimals_mean: int, decimals_sd: int, step: float = 1
) -> bool:
    """GRIMMER test: can `n` grid values have both the printed mean and the printed SD?

    Parameters
    ----------
    mean, sd : float
        The printed mean and sample standard deviation (n - 1 in the denominator).
    n : int
        Number of observations (at least 2 for an SD).
    decimals_mean, decimals_sd : int
        Digits printed after the point for each.
    step : float, default 1
        Grid of one observation (see :func:`grim_totals`).

    Returns
    -------
    bool
        True when some whole-number total k and sum of squares Q (both in grid units)
        give a mean and an SD that round to the printed ones, with Q of the same parity
        as k.

    Notes
    -----
    With observations ``step * y`` (y whole), the SD satisfies
    ``(n - 1) * sd**2 / step**2 = Q - k**2 / n`` where ``k = sum(y)`` and
    ``Q = sum(y**2)``. For each total k that passes GRIM, the printed SD's rounding
    interval maps to an interval for Q; GRIMMER asks that it contain a whole number, and
    one with ``Q = k (mod 2)``, since ``y**2`` and ``y`` always share their parity
    (Anaya 2016). Passing is necessary, not sufficient, for a sample to exist; bounds
    on the values are checked by :func:`possible_samples`.

    References
    ----------
    Anaya J (2016), PeerJ Preprints 4:e2400v1.

    Examples
    --------
    >>> grimmer_consistent(2.0, 1.0, 3, 2, 2)     # {1, 2, 3}
    True
    >>> grimmer_consistent(2.0, 1.5, 3, 2, 2)
    False
    """
    n, step = _check_n(n), _check_step(step)
    if n < 2:
        raise ValueError("an SD needs n >= 2 observations")
    sd_lo, sd_hi = rounding_interval(sd, decimals_sd)
    sd_lo = max(sd_lo, 0.0)
    for k in grim_totals(mean, n, decimals_mean, step):
        base = float(k) ** 2 / n
        q_lo = math.ceil((n - 1) * sd_lo**2 / step**2 + base - _EPS)
        q_hi = math.floor((n - 1) * sd_hi**2 / step**2 + base + _EPS)
        if q_lo > q_hi:
            continue
        # a whole number in [q_lo, q_hi] with the parity of k
        first = q_lo if (q_lo - k) % 2 == 0 else q_lo + 1
        if first <= q_hi:
            return True
    return False


def consistent_sample_sizes(
    printed: Iterable[float], decimals: int | Sequence[int], n_range: Iterable[int], step: float = 1
) -> pd.DataFrame:
    """Sample sizes under which every printed mean (or percentage) passes GRIM.

    Use it to find the number of respondents that a set of percentages implies when
    each was computed on the same n: pass the percentages with ``step=100``.

    Parameters
    ----------
    printed : iterable of float
        The printed means or percentages.
    decimals : int or sequence of int
        Digits printed after the point (one for all, or one per value).
    n_range : iterable of int
        Candidate sample sizes, e.g. ``range(1, 39)``.
    step : float, default 1
        Grid of one observation (100 for percentages of people).

    Returns
    -------
    pandas.DataFrame
        One row per candidate n that is consistent with every value: ``n`` and
        ``totals`` (a tuple, the whole-number total for each printed value, in grid
        units; for percentages the count of people; when two totals fit, the smaller).

    Examples
    --------
    >>> consistent_sample_sizes([50, 33], 0, range(1, 13), step=100)["n"].tolist()
    [6, 12]
    """
    printed = list(printed)
    decs = [decimals] * len(printed) if isinstance(decimals, (int, np.integer)) else list(decimals)
    if len(decs) != len(printed):
        raise ValueError(f"decimals has {len(decs)} entries for {len(printed)} printed values")
    rows = []
    for n in n_range:
        totals = [grim_totals(v, n, d, step) for v, d in zip(printed, decs, strict=True)]
        if all(t.size for t in totals):
            rows.append({"n": int(n), "totals": tuple(int(t[0]) for t in totals)})
    return pd.DataFrame(rows, columns=["n", "totals"])


def denominators_for(count: int, pct: float, decimals: int, n_max: int | None = None) -> list[int]:
    """Denominators n for which ``100 * count / n`` prints as `pct`.

    Recovers a table's unprinted denominator from a count and its percentage.

    Parameters
    ----------
    count : int
        The printed count (numerator).
    pct : float
        The printed percentage.
    decimals : int
        Digits printed after the point in `pct`.
    n_max : int, optional
        Largest denominator considered (default: the largest that could print as
        `pct`).

    Returns
    -------
    list of int

    Examples
    --------
    >>> denominators_for(19, 52.8, 1)
    [36]
    """
    if count < 0 or int(count) != count:
        raise ValueError(f"count must be a whole number >= 0, got {count!r}")
    lo, hi = rounding_interval(pct, decimals)
    if lo <= 0:
        raise ValueError(f"a percentage of {pct} does not determine a denominator")
    n_hi = math.floor(100 * count / lo + _EPS)
    if n_max is not None:
        n_hi = min(n_hi, n_max)
    n_lo = max(int(count), 1)
    return [n for n in range(n_lo, n_hi + 1) if lo - _EPS <= 100 * count / n <= hi + _EPS]


def possible_samples(
    mean: float,
    sd: float,
    n: int,
    decimals_mean: int,
    decimals_sd: int,
    low: float,
    high: float,
    step: float = 1,
    *,
    extremes_observed: bool = True,
    max_candidates: int = 5_000_000,
) -> pd.DataFrame:
    """Every sample of `n` grid values in [low, high] that prints as `mean` and `sd`.

    A complete enumeration (rather than SPRITE's random search), practical for the
    small samples of a pilot study.

    Parameters
    ----------
    mean, sd : float
        Printed mean and sample SD (n - 1 denominator).
    n : int
        Sample size.
    decimals_mean, decimals_sd : int
        Digits printed after the point.
    low, high : float
        Smallest and largest possible values (multiples of `step`).
    step : float, default 1
        Grid of one observation.
    extremes_observed : bool, default True
        When `low` and `high` are a printed range (minimum and maximum), every sample
        must contain both; set False when they are only the scale's limits.
    max_candidates : int, default 5,000,000
        Refuse enumerations larger than this (the count of multisets is
        ``C(K + m - 1, m)`` for K grid points and m free values).

    Returns
    -------
    pandas.DataFrame
        One row per sample (a multiset: order does not matter), sorted: columns
        ``x1 .. xn`` (the values in ascending order), ``total``, ``mean``, ``sd``.
        Empty when no sample fits.

    Examples
    --------
    >>> possible_samples(2.0, 1.0, 3, 1, 1, 1, 3)[["x1", "x2", "x3"]].values.tolist()
    [[1, 2, 3]]
    """
    n, step = _check_n(n), _check_step(step)
    if n < 2:
        raise ValueError("an SD needs n >= 2 observations")
    k_low, k_high = low / step, high / step
    if abs(k_low - round(k_low)) > _EPS or abs(k_high - round(k_high)) > _EPS or k_high < k_low:
        raise ValueError(f"low={low} and high={high} must be multiples of step={step}, low <= high")
    grid = np.arange(round(k_low), round(k_high) + 1, dtype=np.int64)
    fixed = [grid[0], grid[-1]] if extremes_observed else []
    free = n - len(fixed)
    if free < 0:
        raise ValueError("n must be at least 2 when the range's extremes are observed")
    size = math.comb(len(grid) + free - 1, free)
    if size > max_candidates:
        raise ValueError(
            f"{size:,} candidate samples exceed max_candidates={max_candidates:,}; "
            "narrow the range, coarsen the step or raise the limit"
        )
    columns = [f"x{i + 1}" for i in range(n)]
    combos = np.array(list(combinations_with_replacement(grid, free)), dtype=np.int64).reshape(-1, free)
    units = np.sort(np.hstack([combos, np.tile(np.array(fixed, dtype=np.int64), (len(combos), 1))]), axis=1)
    values = units * step
    means = values.mean(axis=1)
    sds = values.std(axis=1, ddof=1)
    m_lo, m_hi = rounding_interval(mean, decimals_mean)
    s_lo, s_hi = rounding_interval(sd, decimals_sd)
    keep = (means >= m_lo - _EPS) & (means <= m_hi + _EPS) & (sds >= s_lo - _EPS) & (sds <= s_hi + _EPS)
    shown = units[keep] * int(step) if step.is_integer() else values[keep]
    out = pd.DataFrame(shown, columns=columns)
    out["total"] = values[keep].sum(axis=1)
    out["mean"] = means[keep]
    out["sd"] = sds[keep]
    return out.sort_values(columns, ignore_index=True)
