"""Rounding-aware recomputation of every test result printed in the trial paper.

A printed statistic is recomputed from the other printed numbers it depends on (means,
SDs and group sizes for a t-test p; counts for a chi-squared p, an odds ratio or its
interval; estimate and SE for a z). Printed inputs are rounded, so each stands for the
interval of values that round to it (its *rounding window*, ends included); the
recomputed statistic is therefore an interval too: its smallest and largest value over
the box formed by the input windows. Counts are exact.

A printed statistic is then classified, in the spirit of statcheck (Nuijten et al.
2016) but with intervals instead of point values:

- ``consistent``: its own rounding window meets the interval recomputed with the test
  the paper says it used;
- ``consistent_other_variant``: it meets only the interval of a neighbouring variant
  (Welch instead of Student t; Fisher's exact or Yates-corrected instead of Pearson
  chi-squared; a truncated instead of a rounded input);
- ``inconsistent``: no variant reproduces it.

The test each printed row is checked against is fixed by what the paper names for that
row (Table 1's footnote for the HSCL cutoff row, Fisher's exact p for the 20-hour
indicator, Pearson elsewhere), not chosen by the 2x2 rule: these checks see only the
printed numbers and ask whether they agree with each other, never participant data.
In the ledger their verdicts become ``consistent`` or ``inconsistent``
(:mod:`ipsrep.audit.ledger_rows`).

Searching the box: every statistic here is monotone in each rounded input over boxes
this small (a t statistic falls as either SD grows and rises with the mean difference;
z = estimate/SE is monotone in each), so the extremes sit on the box's corners. Each
input window is nevertheless sampled at ``grid_points`` evenly spaced values, corners
included, because Welch's degrees of freedom move with the SDs and the corner argument
is then only approximate; and when a mean-difference window contains zero the largest
p is 1.

References
----------
Nuijten MB, Hartgerink CHJ, van Assen MALM, Epskamp S, Wicherts JM. The prevalence of
statistical reporting errors in psychology (1985-2013). Behav Res Methods
2016;48:1205-26. Sveinsdottir et al. Pain Med 2022;23:1757-66 (Tables 1-4, Results).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.audit.common import CONTINUOUS_ROWS, implied_denominators, table1_valid_n_range, whole_number_span
from ipsrep.inputs.measures import MEASURES
from ipsrep.inputs.published import load_published
from ipsrep.methods import proportions
from ipsrep.methods.rounding import rounding_window

__all__ = [
    "VERDICTS",
    "VARIANTS",
    "window",
    "p_window",
    "truncation_window",
    "overlaps",
    "judge",
    "t_test_p_ranges",
    "t_test_p_range",
    "admitted_sample_sizes",
    "z_ratio_range",
    "p_from_z_range",
    "z_from_p_range",
    "check_t_test",
    "check_two_by_two",
    "check_ratio_z",
    "check_p_from_z",
    "table1_t_test_checks",
    "table3_checks",
    "hours_check",
    "two_by_two_checks",
    "table4_checks",
    "fidelity_check",
    "fidelity_reviews",
    "printed_statistic_checks",
    "t_test_variant_table",
    "CHECK_COLUMNS",
]

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

_EPS = 1e-12


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
    return a[0] <= b[1] + _EPS and b[0] <= a[1] + _EPS


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


def _fmt_interval(iv: tuple[float, float], digits: int = 4) -> str:
    return f"[{iv[0]:.{digits}f}, {iv[1]:.{digits}f}]"


def _intervals_text(recomputed: Mapping[str, tuple[float, float]], digits: int = 4) -> str:
    return "; ".join(f"{v} {_fmt_interval(iv, digits)}" for v, iv in recomputed.items())


def _variant_note(subject: str, verdict: str, recomputed: Mapping[str, tuple[float, float]], matched: Sequence[str],
                  stated: str, digits: int = 4) -> str:
    """Why a check is not plainly consistent: the variant that reproduces `subject`, or that none does."""
    if verdict == "consistent_other_variant":
        return (f"{subject} is reproduced by {VARIANTS[matched[0]]} {_fmt_interval(recomputed[matched[0]], digits)}, "
                f"not by the stated {VARIANTS[stated]} {_fmt_interval(recomputed[stated], digits)}")
    if verdict == "inconsistent":
        return f"{subject} is outside every recomputed interval: {_intervals_text(recomputed, digits)}"
    return ""


def _check_row(key: str, source: str, statistic: str, printed: str, inputs: str, stated: str,
               interval: tuple[float, float], value: float, matched: Sequence[str], verdict: str,
               intervals: str, note: str) -> dict:
    """One record with the columns of :data:`CHECK_COLUMNS`; ``low, high`` is `interval`."""
    return {"key": key, "source": source, "statistic": statistic, "printed": printed, "inputs": inputs,
            "stated": stated, "low": interval[0], "high": interval[1], "value": value,
            "matched": ", ".join(matched), "verdict": verdict, "intervals": intervals, "note": note}


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
        out[name] = (low <= pw[1] + _EPS) & (high >= pw[0] - _EPS)
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
    note = _variant_note(f"p {p}", verdict, recomputed, matched, stated)
    return _check_row(key, source, "p", p, f"means {m1} vs {m2}, SDs {s1} vs {s2}, n {n1} vs {n2}", stated,
                      recomputed[stated], point, matched, verdict, _intervals_text(recomputed), note)


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
    note = _variant_note(printed, verdict, recomputed, matched, stated, digits)
    if n_note:
        note = f"{note}; {n_note}" if note else n_note
    ns = f"{'/'.join(map(str, n1_values))} vs {'/'.join(map(str, n2_values))}"
    return _check_row(key, source, statistic, (relation if relation != "=" else "") + printed,
                      f"counts {a} vs {b} of n {ns}", stated, recomputed[stated], value, matched, verdict,
                      _intervals_text(recomputed, digits), note)


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
        note = (f"z {z} fits {estimate}/{se} {_fmt_interval(recomputed['ratio'], 3)} only if its last digit "
                f"was cut off rather than rounded")
    elif verdict == "inconsistent":
        note = f"{estimate}/{se} admits z in {_fmt_interval(recomputed['ratio'], 3)}, not {z}"
    return _check_row(key, source, "z", z, f"estimate {estimate}, SE {se}", "ratio", recomputed["ratio"], value,
                      matched, verdict, f"ratio {_fmt_interval(recomputed['ratio'], 3)}", note)


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
        note = (f"P {p} needs |z| in {_fmt_interval(zneed, 4)}, which does not round to {z}; it fits "
                + " and ".join(VARIANTS[m] for m in matched))
    elif verdict == "inconsistent":
        zneed = z_from_p_range(pw)
        note = (f"P {p} needs |z| in {_fmt_interval(zneed, 3)}; the printed z {z} gives P "
                f"{_fmt_interval(recomputed['normal'], 4)} and {estimate}/{se} gives P "
                f"{_fmt_interval(recomputed['from_ratio'], 4)}")
    return _check_row(key, source, "p", p, f"z {z} (estimate {estimate}, SE {se})", "normal", recomputed["normal"],
                      value, matched, verdict, _intervals_text(recomputed), note)


# ------------------------------------------------------------- the paper's tables
def _pub() -> pd.DataFrame:
    return load_published()


def _printed(pub: pd.DataFrame, key: str) -> str:
    return str(pub.at[key, "printed"])


def _short_source(pub: pd.DataFrame, key: str) -> str:
    return str(pub.at[key, "source"]).replace("Sveinsdottir et al. 2022, ", "")


def _denominators(pub: pd.DataFrame, count_key: str, pct_key: str, n_max: int) -> tuple[list[int], str]:
    """Denominators of a printed count and percentage: rounded, else truncated."""
    row = implied_denominators(int(pub.at[count_key, "value"]), _printed(pub, pct_key), n_max=n_max)
    if row["rounded"]:
        return row["rounded"], ""
    if row["truncated"]:
        return row["truncated"], (f"n taken from the truncated reading of {_printed(pub, pct_key)}% "
                                  f"(no denominator rounds to it)")
    return [], ""


def table1_t_test_checks(n_ips: Iterable[int], n_tau: Iterable[int], *, full_n: tuple[int, int] = (38, 20),
                         grid_points: int = 3) -> pd.DataFrame:
    """Table 1's t-test p-values, checked over the sizes the table leaves open.

    Table 1 prints no n for its continuous rows, so each p is recomputed for every pair
    of group sizes in ``n_ips x n_tau`` (for the paper: the range the table's own
    valid percentages imply, see
    :func:`ipsrep.audit.denominators.table1_valid_n_range`). A row is ``consistent``
    when some pair reproduces its p under Student's test (the paper's "independent-
    samples t tests"), ``consistent_other_variant`` when only Welch's does.

    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS` plus ``n_ips_admitted, n_tau_admitted`` (the sizes that
        appear in an admitted pair under the matched variant, as text) and
        ``full_n_admitted`` (whether `full_n`, every randomised participant, is
        admitted). ``low, high`` are the p interval at `full_n` under Student's test.
    """
    pub = _pub()
    n_ips, n_tau = list(n_ips), list(n_tau)
    rows = []
    for name in CONTINUOUS_ROWS:
        k = f"t1.{name}."
        args = [_printed(pub, k + s) for s in ("ips_mean", "ips_sd", "tau_mean", "tau_sd")]
        p = _printed(pub, k + "p")
        m1, s1, m2, s2 = args
        scan = admitted_sample_sizes(p, m1, s1, m2, s2, n_ips, n_tau, grid_points=grid_points)
        matched = [v for v in ("student", "welch") if scan[v].any()]
        verdict = "consistent" if "student" in matched else ("consistent_other_variant" if matched else "inconsistent")
        shown = matched[0] if matched else "student"
        ok = scan[scan[shown]]
        full = {v: t_test_p_range(args[0], args[1], full_n[0], args[2], args[3], full_n[1],
                                  equal_var=(v == "student"), grid_points=grid_points) for v in ("student", "welch")}
        full_ok = bool(((scan["n1"] == full_n[0]) & (scan["n2"] == full_n[1]) & scan[shown]).any())
        note = ""
        if verdict == "consistent_other_variant":
            note = f"only Welch's test reproduces p {p} for some group sizes in the range"
        elif verdict == "inconsistent":
            note = (
                f"no group sizes in IPS {whole_number_span(n_ips)}, TAU {whole_number_span(n_tau)} "
                f"reproduce p {p} under either test"
            )
        if matched and not full_ok:
            extra = (
                f"not reproducible with all {full_n[0]} and {full_n[1]} participants, "
                "so some baseline answers were missing"
            )
            note = f"{note}; {extra}" if note else extra
        value = float(sps.ttest_ind_from_stats(float(args[0]), float(args[1]), full_n[0], float(args[2]),
                                               float(args[3]), full_n[1], equal_var=(shown == "student")).pvalue)
        rows.append(
            {
                **_check_row(
                    k + "p",
                    _short_source(pub, k + "p"),
                    "p",
                    p,
                    f"means {args[0]} vs {args[2]}, SDs {args[1]} vs {args[3]}, n unknown",
                    "student",
                    full["student"],
                    value,
                    matched,
                    verdict,
                    f"at n {full_n[0]}/{full_n[1]}: {_intervals_text(full)}",
                    note,
                ),
                "n_ips_admitted": whole_number_span(sorted(set(ok["n1"]))),
                "n_tau_admitted": whole_number_span(sorted(set(ok["n2"]))),
                "full_n_admitted": full_ok,
            }
        )
    return pd.DataFrame(rows, columns=CHECK_COLUMNS + ["n_ips_admitted", "n_tau_admitted", "full_n_admitted"])


def table3_checks(*, grid_points: int = 5) -> pd.DataFrame:
    """Table 3's unadjusted t-test p-values against its printed n, means and SDs.

    Returns :data:`CHECK_COLUMNS`, one row per measure and follow-up; ``matched``
    tells which rows the paper printed from Welch's test.
    """
    pub = _pub()
    rows = []
    for m in MEASURES:
        for visit in ("6m", "12m"):
            k = f"t3.{m.name}.{visit}."
            g = {s: _printed(pub, k + s) for s in ("ips_mean", "ips_sd", "tau_mean", "tau_sd", "p")}
            n1, n2 = int(pub.at[k + "ips_n", "value"]), int(pub.at[k + "tau_n", "value"])
            rows.append(check_t_test(k + "p", g["p"], g["ips_mean"], g["ips_sd"], n1, g["tau_mean"], g["tau_sd"], n2,
                                     source=_short_source(pub, k + "p"), grid_points=grid_points))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def hours_check(*, grid_points: int = 5) -> pd.DataFrame:
    """The hours-worked t-test (Results): p against printed means, SDs and n."""
    pub = _pub()
    k = "rq2.hours."
    g = {s: _printed(pub, k + s) for s in ("ips_mean", "ips_sd", "tau_mean", "tau_sd", "p")}
    n1, n2 = int(pub.at[k + "ips_n", "value"]), int(pub.at[k + "tau_n", "value"])
    row = check_t_test(k + "p", g["p"], g["ips_mean"], g["ips_sd"], n1, g["tau_mean"], g["tau_sd"], n2,
                       source=_short_source(pub, k + "p"), grid_points=grid_points)
    return pd.DataFrame([row], columns=CHECK_COLUMNS)


TABLE1_BINARY_ROWS: dict[str, str] = {
    "female": "pearson",
    "higher_education": "pearson",
    "married": "pearson",
    "has_children": "pearson",
    "hscl_above_cutoff": "fisher",
}
"""Table 1 yes/no rows with a printed p, and the test the paper used (its footnote
marks the HSCL cutoff row as Fisher's exact test)."""


def two_by_two_checks(*, n_ips_max: int = 38, n_tau_max: int = 20) -> pd.DataFrame:
    """Every printed statistic of a 2x2 comparison, recomputed from the printed counts.

    Covers Table 1's yes/no p-values, Table 2 (p, OR and interval at 6, 12 and 24
    months), the >= 20 hours comparison (Fisher's p, OR, interval) and the ancillary
    comparison with historical controls (chi-squared, p, OR, interval). Denominators
    come from the printed valid percentages (:mod:`ipsrep.audit.denominators`);
    historical controls use the printed n of 315.

    Returns :data:`CHECK_COLUMNS`, one row per printed statistic.
    """
    pub = _pub()
    rows = []

    def ns(prefix: str, group: str, n_max: int) -> tuple[list[int], str]:
        return _denominators(pub, f"{prefix}{group}_count", f"{prefix}{group}_pct", n_max)

    for name, test in TABLE1_BINARY_ROWS.items():
        k = f"t1.{name}."
        (n1, note1), (n2, note2) = ns(k, "ips", n_ips_max), ns(k, "tau", n_tau_max)
        a, b = int(pub.at[k + "ips_count", "value"]), int(pub.at[k + "tau_count", "value"])
        rows.append(
            check_two_by_two(
                k + "p",
                "p",
                _printed(pub, k + "p"),
                a,
                n1,
                b,
                n2,
                stated=test,
                source=_short_source(pub, k + "p"),
                n_note="; ".join(x for x in (note1, note2) if x),
            )
        )
    for visit in ("6m", "12m", "24m"):
        k = f"t2.{visit}."
        (n1, _), (n2, _) = ns(k, "ips", n_ips_max), ns(k, "tau", n_tau_max)
        a, b = int(pub.at[k + "ips_count", "value"]), int(pub.at[k + "tau_count", "value"])
        for stat, suffix in (("p", "p"), ("or", "or"), ("ci_low", "or_lo"), ("ci_high", "or_hi")):
            rows.append(check_two_by_two(k + suffix, stat, _printed(pub, k + suffix), a, n1, b, n2,
                                         source=_short_source(pub, k + suffix)))
    k = "rq2.20h."
    (n1, _), (n2, _) = ns(k, "ips", n_ips_max), ns(k, "tau", n_tau_max)
    a, b = int(pub.at[k + "ips_count", "value"]), int(pub.at[k + "tau_count", "value"])
    for stat, suffix in (("p", "p"), ("or", "or"), ("ci_low", "or_lo"), ("ci_high", "or_hi")):
        rows.append(check_two_by_two(k + suffix, stat, _printed(pub, k + suffix), a, n1, b, n2, stated="fisher",
                                     source=_short_source(pub, k + suffix)))
    k = "hist."
    a, b = int(pub.at[k + "ips_count", "value"]), int(pub.at[k + "hc_count", "value"])
    n1, _ = _denominators(pub, k + "ips_count", k + "ips_pct", n_ips_max)
    n2 = [int(pub.at[k + "hc_n", "value"])]
    for stat, suffix in (("chi2", "chi2"), ("p", "p"), ("or", "or"), ("ci_low", "or_lo"), ("ci_high", "or_hi")):
        rows.append(check_two_by_two(k + suffix, stat, _printed(pub, k + suffix), a, n1, b, n2,
                                     relation=str(pub.at[k + suffix, "relation"]),
                                     source=_short_source(pub, k + suffix)))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


TABLE4_TERMS: tuple[str, ...] = ("group", "time", "interaction", "intercept")
"""The four model terms printed per outcome in Table 4."""


def table4_checks() -> pd.DataFrame:
    """Table 4: each printed z ("F Score") against estimate/SE, and each P against z.

    Table 4 heads its ratio column "F Score", but the column is estimate / SE, the z
    of Stata's ``mixed`` output, and its P the two-sided normal p of that z.

    Returns :data:`CHECK_COLUMNS`, two rows per outcome and term (``...z`` and
    ``...p``).
    """
    pub = _pub()
    rows = []
    for m in MEASURES:
        for term in TABLE4_TERMS:
            k = f"t4.{m.name}.{term}."
            e, s, z, p = (_printed(pub, k + x) for x in ("estimate", "se", "z", "p"))
            src = _short_source(pub, k + "z")
            rows.append(check_ratio_z(k + "z", e, s, z, source=src))
            rows.append(check_p_from_z(k + "p", p, z, e, s, source=src))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


FIDELITY_SCORES: tuple[str, ...] = ("fidelity.min", "fidelity.min", "fidelity.later_1", "fidelity.later_2")
"""The four fidelity reviews as the Methods describe them: the lowest score (71) at the
first two reviews, then the two later scores."""


def fidelity_check() -> pd.DataFrame:
    """The mean fidelity score (Methods, Interventions) from the four printed scores.

    The Methods give 71 for the first two reviews, then 86 and 89, and a mean of 79.
    """
    pub = _pub()
    scores = [int(pub.at[k, "value"]) for k in FIDELITY_SCORES]
    mean = float(np.mean(scores))
    verdict, matched = judge({"mean": (mean, mean)}, window(_printed(pub, "fidelity.mean")), "mean")
    note = "" if verdict == "consistent" else f"the four scores average {mean:.2f}"
    row = _check_row("fidelity.mean", _short_source(pub, "fidelity.mean"), "mean", _printed(pub, "fidelity.mean"),
                     "scores " + ", ".join(map(str, scores)), "mean", (mean, mean), mean, matched, verdict,
                     f"mean [{mean:.2f}, {mean:.2f}]", note)
    return pd.DataFrame([row], columns=CHECK_COLUMNS)


def fidelity_reviews() -> pd.DataFrame:
    """The IPS fidelity reviews as the Methods print them, one row per review.

    Returns
    -------
    pandas.DataFrame
        ``review`` (1-4, in time order), ``key`` (the published key of its score),
        ``score`` and ``below_threshold``: True for the reviews at the lowest printed
        score, which the Methods call below the accepted IPS threshold (the first two;
        the threshold itself is not printed). Source: Sveinsdottir et al. 2022, Methods,
        Interventions.
    """
    pub = _pub()
    scores = [int(pub.at[k, "value"]) for k in FIDELITY_SCORES]
    lowest = int(pub.at["fidelity.min", "value"])
    return pd.DataFrame({"review": range(1, len(scores) + 1), "key": list(FIDELITY_SCORES), "score": scores,
                         "below_threshold": [s == lowest for s in scores]})


def printed_statistic_checks(*, n_ips: Iterable[int] | None = None, n_tau: Iterable[int] | None = None,
                             grid_points: int = 5) -> pd.DataFrame:
    """Every printed test result of the trial paper, recomputed with rounding windows.

    Parameters
    ----------
    n_ips, n_tau : iterable of int, optional
        Candidate sizes for Table 1's continuous rows (default: the range implied by
        Table 1's own valid percentages, up to the group sizes).
    grid_points : int, default 5
        Values per rounded input window (see the module notes).

    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS`, one row per printed statistic: ``key`` (published key),
        ``source``, ``statistic``, ``printed``, ``inputs`` (what it was recomputed
        from), ``stated`` (the variant the paper names), ``low, high`` (recomputed
        interval under it), ``value`` (recomputed at the printed inputs with the first
        matching variant), ``matched`` (variants that reproduce it), ``verdict``,
        ``intervals`` (every variant's interval, as text) and ``note`` (the reason,
        for anything not plainly consistent).
    """
    if n_ips is None or n_tau is None:
        span = table1_valid_n_range()
        n_ips = range(span["IPS"][0], span["IPS"][1] + 1) if n_ips is None else n_ips
        n_tau = range(span["TAU"][0], span["TAU"][1] + 1) if n_tau is None else n_tau
    parts = [
        table1_t_test_checks(n_ips, n_tau, grid_points=min(grid_points, 3))[CHECK_COLUMNS],
        two_by_two_checks(),
        hours_check(grid_points=grid_points),
        table3_checks(grid_points=grid_points),
        table4_checks(),
        fidelity_check(),
    ]
    return pd.concat(parts, ignore_index=True)


def t_test_variant_table(checks: pd.DataFrame) -> pd.DataFrame:
    """Which t-test each printed p fits, from a check table with t-test rows.

    Returns
    -------
    pandas.DataFrame
        One row per t-test p: ``key, printed``, ``sd_ratio`` (larger over smaller
        printed SD), ``student`` and ``welch`` (the recomputed intervals as text, from
        ``intervals``), ``reported_as`` (``Student``, ``Welch``, ``either`` or
        ``neither``).
    """
    pub = _pub()
    t = checks[checks["stated"].eq("student")].copy()

    def sd_ratio(key: str) -> float:
        stem = key[: -len("p")]
        sds = [float(pub.at[stem + g, "value"]) for g in ("ips_sd", "tau_sd")]
        return max(sds) / min(sds)

    t["sd_ratio"] = t["key"].map(sd_ratio)

    def reported(matched: str) -> str:
        got = {m.strip() for m in matched.split(",") if m.strip()}
        if got == {"student", "welch"}:
            return "either"
        return {frozenset({"student"}): "Student", frozenset({"welch"}): "Welch"}.get(frozenset(got), "neither")

    def part(text: str, name: str) -> str:
        for piece in text.split(";"):
            piece = piece.split(":")[-1].strip()
            if piece.startswith(name):
                return piece[len(name):].strip()
        return ""

    t["student"] = t["intervals"].map(lambda s: part(s, "student"))
    t["welch"] = t["intervals"].map(lambda s: part(s, "welch"))
    t["reported_as"] = t["matched"].map(reported)
    return t[["key", "printed", "sd_ratio", "student", "welch", "reported_as"]].reset_index(drop=True)
