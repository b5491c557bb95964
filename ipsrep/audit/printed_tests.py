"""Recomputing one printed test result from the printed numbers it depends on, over their
rounding windows: a t test's p (means, SDs, group sizes), a 2x2 table's p, odds ratio or
interval (counts), a z and its p (estimate and SE).

Each ``check_*`` function returns one record with the columns of
:data:`ipsrep.audit.verdicts.CHECK_COLUMNS`; the method is described in
:mod:`ipsrep.audit.recompute`.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.audit.verdicts import (
    EPS,
    VARIANTS,
    check_row,
    format_interval,
    intervals_text,
    judge,
    overlaps,
    p_window,
    truncation_window,
    variant_note,
    window,
)
from ipsrep.methods import proportions
from ipsrep.methods.rounding import rounding_window

__all__ = ["t_test_p_ranges", "t_test_p_range", "admitted_sample_sizes", "check_t_test", "check_two_by_two",
           "z_ratio_range", "p_from_z_range", "z_from_p_range", "check_ratio_z", "check_p_from_z"]


# --------------------------------------------------------------------------- t-tests
def _grid(printed: str, points: int) -> np.ndarray:
    low, high = rounding_window(str(printed))
    return np.linspace(low, high, max(int(points), 2))


def t_test_p_ranges(m1: str, s1: str, m2: str, s2: str, n1, n2, *, equal_var: bool,
                    grid_points: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest two-sided t-test p admitted by rounded summaries, per n pair.

    Parameters
    ----------
    m1, s1, m2, s2 : str
        Means and SDs of the two groups as printed (their rounding windows are
        searched).
    n1, n2 : int or 1-d array of int
        Group sizes (exact); arrays of equal length give one interval per pair.
    equal_var : bool
        True for Student's pooled-variance test, False for Welch's.
    grid_points : int, default 5
        Values per input window (ends included), so ``grid_points**4`` points per pair.

    Returns
    -------
    low, high : numpy.ndarray
        One entry per n pair.

    Notes
    -----
    :func:`scipy.stats.ttest_ind_from_stats`, evaluated at once on every grid point and
    n pair. When the two mean windows overlap, a zero difference is possible and the
    largest p is 1.
    """
    n1 = np.atleast_1d(np.asarray(n1, dtype=float))[:, None]
    n2 = np.atleast_1d(np.asarray(n2, dtype=float))[:, None]
    axes = [_grid(x, grid_points) for x in (m1, s1, m2, s2)]
    M1, S1, M2, S2 = (a.ravel()[None, :] for a in np.meshgrid(*axes, indexing="ij"))
    with np.errstate(divide="ignore", invalid="ignore"):
        _, p = sps.ttest_ind_from_stats(M1, S1, n1, M2, S2, n2, equal_var=equal_var)
    p = np.asarray(p)
    low, high = np.nanmin(p, axis=1), np.nanmax(p, axis=1)
    if overlaps(rounding_window(str(m1)), rounding_window(str(m2))):
        high = np.ones_like(high)
    return low, high


def t_test_p_range(m1: str, s1: str, n1: int, m2: str, s2: str, n2: int, *, equal_var: bool,
                   grid_points: int = 5) -> tuple[float, float]:
    """Interval of the two-sided t-test p that rounded means and SDs admit, n exact.

    >>> lo, hi = t_test_p_range("216.53", "447.25", 35, "122.94", "255.20", 17, equal_var=True)
    >>> round(lo, 4), round(hi, 4)
    (0.4278, 0.4279)
    """
    low, high = t_test_p_ranges(m1, s1, m2, s2, [n1], [n2], equal_var=equal_var, grid_points=grid_points)
    return float(low[0]), float(high[0])


def admitted_sample_sizes(p: str, m1: str, s1: str, m2: str, s2: str, n1_values: Iterable[int],
                          n2_values: Iterable[int], *, grid_points: int = 3) -> pd.DataFrame:
    """Group sizes under which a printed t-test p is reproducible from rounded summaries.

    For tables that print means and SDs but not how many answered (the trial's Table
    1), every pair of candidate sizes is tried under both Student's and Welch's test.

    Parameters
    ----------
    p : str
        The printed p.
    m1, s1, m2, s2 : str
        Printed means and SDs.
    n1_values, n2_values : iterable of int
        Candidate sizes of each group (at least 2).
    grid_points : int, default 3
        Values per input window (corners and midpoints).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``n1, n2``, ``student_low, student_high, welch_low,
        welch_high`` (the p intervals), ``student, welch`` (bool: the printed p's window
        meets the interval).
    """
    pairs = np.array(list(itertools.product(list(n1_values), list(n2_values))), dtype=int)
    if pairs.size == 0 or pairs.min() < 2:
        raise ValueError("candidate group sizes must be whole numbers of at least 2")
    pw = p_window(p)
    out = pd.DataFrame({"n1": pairs[:, 0], "n2": pairs[:, 1]})
    for name, equal_var in (("student", True), ("welch", False)):
        low, high = t_test_p_ranges(m1, s1, m2, s2, pairs[:, 0], pairs[:, 1], equal_var=equal_var,
                                    grid_points=grid_points)
        out[f"{name}_low"], out[f"{name}_high"] = low, high
        out[name] = (low <= pw[1] + EPS) & (high >= pw[0] - EPS)
    return out


def check_t_test(key: str, p: str, m1: str, s1: str, n1: int, m2: str, s2: str, n2: int, *,
                 stated: str = "student", source: str = "", grid_points: int = 5) -> dict:
    """One check row: a printed t-test p against rounded means and SDs with exact n.

    Parameters
    ----------
    key : str
        Published key of the p checked.
    p, m1, s1, m2, s2 : str
        The printed p, and each group's mean and SD as printed (their rounding windows
        are searched).
    n1, n2 : int
        Group sizes (exact).
    stated : {"student", "welch"}, default "student"
        The test the paper names (its "independent-samples t tests").
    source : str
        Where the numbers are printed.
    grid_points : int, default 5
        Values per input window (see :func:`t_test_p_ranges`).

    Returns
    -------
    dict
        The columns of :data:`CHECK_COLUMNS`; ``value`` is the p at the printed inputs
        under the first matching variant (the stated one when none match).

    Notes
    -----
    The p interval under Student's and Welch's test comes from
    :func:`t_test_p_range` (:func:`scipy.stats.ttest_ind_from_stats` over the box of
    rounding windows) and is classified by :func:`judge`, as statcheck does with point
    values (Nuijten et al. 2016).

    >>> row = check_t_test("x", "0.298", "36.09", "9.71", 28, "40.96", "17.27", 17)
    >>> row["verdict"], row["matched"]
    ('consistent_other_variant', 'welch')
    """
    recomputed = {v: t_test_p_range(m1, s1, n1, m2, s2, n2, equal_var=(v == "student"), grid_points=grid_points)
                  for v in ("student", "welch")}
    pw = p_window(p)
    verdict, matched = judge(recomputed, pw, stated)
    shown = matched[0] if matched else stated
    point = float(sps.ttest_ind_from_stats(float(m1), float(s1), n1, float(m2), float(s2), n2,
                                           equal_var=(shown == "student")).pvalue)
    note = variant_note(f"p {p}", verdict, recomputed, matched, stated)
    return check_row(key, source, "p", p, f"means {m1} vs {m2}, SDs {s1} vs {s2}, n {n1} vs {n2}", stated,
                      recomputed[stated], point, matched, verdict, intervals_text(recomputed), note)


# ------------------------------------------------------------------------ 2x2 tables
_TWO_BY_TWO_FIELDS = {"pearson": "p_chi2", "yates": "p_yates", "fisher": "p_fisher"}


def check_two_by_two(key: str, statistic: str, printed: str, a: int, n1_values: Sequence[int], b: int,
                     n2_values: Sequence[int], *, stated: str = "pearson", relation: str = "=",
                     source: str = "", n_note: str = "") -> dict:
    """One check row for a statistic of a 2x2 table rebuilt from printed counts.

    Parameters
    ----------
    key : str
        Published key of the statistic checked.
    statistic : {"p", "chi2", "or", "ci_low", "ci_high"}
        What was printed: the test's p, the chi-squared statistic, the odds ratio or
        an end of its 95% interval.
    printed : str
        The printed text.
    a, b : int
        Printed counts with the event in group 1 (IPS) and group 2.
    n1_values, n2_values : sequence of int
        The denominators the printed percentages admit (usually one each; see
        :mod:`ipsrep.audit.denominators`). All pairs are tried.
    stated : str, default "pearson"
        The variant the paper says it used: ``pearson``, ``yates`` or ``fisher`` for
        p and chi2; odds ratios and intervals are always ``woolf``.
    relation : str, default "="
        ``"<"`` for a printed bound such as "P < 0.001".

    Notes
    -----
    Statistics from :func:`ipsrep.methods.proportions.two_by_two` (Pearson without and with Yates'
    correction, Fisher's exact two-sided p, the odds ratio and its Woolf interval).
    With exact counts the interval over the candidate denominators is usually a point.
    """
    n1_values, n2_values = list(n1_values), list(n2_values)
    if not n1_values or not n2_values:
        raise ValueError(f"{key}: no denominator is admitted by the printed percentages")
    tables = [proportions.two_by_two(a, n1, b, n2).iloc[0] for n1 in n1_values for n2 in n2_values]
    if statistic == "p":
        fields = _TWO_BY_TWO_FIELDS
    elif statistic == "chi2":
        fields = {"pearson": "chi2", "yates": "chi2_yates"}
    elif statistic in ("or", "ci_low", "ci_high"):
        fields = {"woolf": {"or": "odds_ratio", "ci_low": "ci_low", "ci_high": "ci_high"}[statistic]}
        stated = "woolf"
    else:
        raise ValueError(f"statistic must be p, chi2, or, ci_low or ci_high; got {statistic!r}")
    recomputed = {v: (min(float(t[f]) for t in tables), max(float(t[f]) for t in tables)) for v, f in fields.items()}
    pw = p_window(printed, relation) if statistic == "p" else window(printed, relation)
    verdict, matched = judge(recomputed, pw, stated)
    shown = matched[0] if matched else stated
    value = float(tables[0][fields[shown]])
    digits = 4 if statistic == "p" else 3
    note = variant_note(printed, verdict, recomputed, matched, stated, digits)
    if n_note:
        note = f"{note}; {n_note}" if note else n_note
    ns = f"{'/'.join(map(str, n1_values))} vs {'/'.join(map(str, n2_values))}"
    return check_row(key, source, statistic, (relation if relation != "=" else "") + printed,
                      f"counts {a} vs {b} of n {ns}", stated, recomputed[stated], value, matched, verdict,
                      intervals_text(recomputed, digits), note)


# --------------------------------------------------------------------- z statistics
def z_ratio_range(estimate: str, se: str) -> tuple[float, float]:
    """Interval of estimate / SE over the rounding windows of both (SE > 0).

    >>> [round(v, 3) for v in z_ratio_range("0.06", "0.24")]
    [0.224, 0.277]
    """
    e_lo, e_hi = rounding_window(str(estimate))
    s_lo, s_hi = rounding_window(str(se))
    if s_lo <= 0:
        raise ValueError(f"SE printed as {se} admits zero; estimate/SE is then unbounded")
    corners = [e / s for e in (e_lo, e_hi) for s in (s_lo, s_hi)]
    return min(corners), max(corners)


def p_from_z_range(z: tuple[float, float]) -> tuple[float, float]:
    """Two-sided normal p over an interval of z (p = 1 when the interval holds 0).

    >>> [round(v, 4) for v in p_from_z_range((1.595, 1.605))]
    [0.1085, 0.1107]
    """
    lo, hi = z
    if lo <= 0 <= hi:
        return float(2 * sps.norm.sf(max(abs(lo), abs(hi)))), 1.0
    a, b = sorted((abs(lo), abs(hi)))
    return float(2 * sps.norm.sf(b)), float(2 * sps.norm.sf(a))


def z_from_p_range(p: tuple[float, float]) -> tuple[float, float]:
    """The |z| interval whose two-sided normal p lies in the window `p`.

    >>> [round(v, 3) for v in z_from_p_range((0.0895, 0.0905))]
    [1.693, 1.698]
    """
    lo, hi = max(p[0], 1e-300), min(p[1], 1.0)
    return float(sps.norm.isf(hi / 2)), float(sps.norm.isf(lo / 2))


def check_ratio_z(key: str, estimate: str, se: str, z: str, *, source: str = "") -> dict:
    """One check row: a printed z (Table 4's "F Score") against estimate / SE.

    Variants: ``ratio`` (stated, the rounded z) and, as the other variant, the printed
    z read as truncated rather than rounded (:func:`truncation_window`). The ratio's
    interval is the range of estimate / SE over both rounding windows
    (:func:`z_ratio_range`). Stata's ``mixed`` prints this z beside each coefficient;
    Table 4 heads the column "F Score".

    Returns a dict with the columns of :data:`CHECK_COLUMNS`.

    >>> check_ratio_z("x", "0.06", "0.24", "1.60")["verdict"]
    'inconsistent'
    """
    recomputed = {"ratio": z_ratio_range(estimate, se)}
    recomputed["truncated"] = recomputed["ratio"]
    windows = {"ratio": window(z), "truncated": truncation_window(z)}
    verdict, matched = judge(recomputed, windows, "ratio")
    value = float(estimate) / float(se)
    note = ""
    if verdict == "consistent_other_variant":
        note = (f"z {z} fits {estimate}/{se} {format_interval(recomputed['ratio'], 3)} only if its last digit "
                f"was cut off rather than rounded")
    elif verdict == "inconsistent":
        note = f"{estimate}/{se} admits z in {format_interval(recomputed['ratio'], 3)}, not {z}"
    return check_row(key, source, "z", z, f"estimate {estimate}, SE {se}", "ratio", recomputed["ratio"], value,
                      matched, verdict, f"ratio {format_interval(recomputed['ratio'], 3)}", note)


def check_p_from_z(key: str, p: str, z: str, estimate: str, se: str, *, source: str = "") -> dict:
    """One check row: a printed P against the printed z (two-sided normal, as Stata).

    Variants: ``normal`` (stated: p of the printed z's rounding window),
    ``normal_truncated`` (the printed z read as truncated) and ``from_ratio`` (p of
    estimate / SE, for when the z column is the odd one out); each p is
    :math:`2(1 - \\Phi(|z|))` over the z interval (:func:`p_from_z_range`).

    Returns a dict with the columns of :data:`CHECK_COLUMNS`.

    >>> check_p_from_z("x", "0.090", "1.60", "0.06", "0.24")["verdict"]
    'inconsistent'
    """
    recomputed = {
        "normal": p_from_z_range(window(z)),
        "normal_truncated": p_from_z_range(truncation_window(z)),
        "from_ratio": p_from_z_range(z_ratio_range(estimate, se)),
    }
    pw = p_window(p)
    verdict, matched = judge(recomputed, pw, "normal")
    value = float(2 * sps.norm.sf(abs(float(z))))
    note = ""
    if verdict == "consistent_other_variant":
        zneed = z_from_p_range(pw)
        note = (f"P {p} needs |z| in {format_interval(zneed, 4)}, which does not round to {z}; it fits "
                + " and ".join(VARIANTS[m] for m in matched))
    elif verdict == "inconsistent":
        zneed = z_from_p_range(pw)
        note = (f"P {p} needs |z| in {format_interval(zneed, 3)}; the printed z {z} gives P "
                f"{format_interval(recomputed['normal'], 4)} and {estimate}/{se} gives P "
                f"{format_interval(recomputed['from_ratio'], 4)}")
    return check_row(key, source, "p", p, f"z {z} (estimate {estimate}, SE {se})", "normal", recomputed["normal"],
                      value, matched, verdict, intervals_text(recomputed), note)
