"""Rounding-aware recomputation of every test result printed in the trial paper.

This module runs the checks over the paper's tables (:func:`printed_statistic_checks`)
and gathers the public names of the two it builds on: judging against rounding windows
(:mod:`ipsrep.audit.verdicts`) and recomputing one printed test result
(:mod:`ipsrep.audit.printed_tests`).

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

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.audit.common import CONTINUOUS_ROWS, implied_denominators, table1_valid_n_range, whole_number_span
from ipsrep.audit.printed_tests import (
    admitted_sample_sizes,
    check_p_from_z,
    check_ratio_z,
    check_t_test,
    check_two_by_two,
    p_from_z_range,
    t_test_p_range,
    t_test_p_ranges,
    z_from_p_range,
    z_ratio_range,
)
from ipsrep.audit.verdicts import (
    CHECK_COLUMNS,
    VARIANTS,
    VERDICTS,
    check_row,
    intervals_text,
    judge,
    overlaps,
    p_window,
    truncation_window,
    window,
)
from ipsrep.inputs.measures import MEASURES
from ipsrep.inputs.published import load_published

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


def table1_t_test_checks(ips_n: Iterable[int], tau_n: Iterable[int], *, full_n: tuple[int, int] = (38, 20),
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
    ips_n, tau_n = list(ips_n), list(tau_n)
    rows = []
    for name in CONTINUOUS_ROWS:
        k = f"t1.{name}."
        args = [_printed(pub, k + s) for s in ("ips_mean", "ips_sd", "tau_mean", "tau_sd")]
        p = _printed(pub, k + "p")
        m1, s1, m2, s2 = args
        scan = admitted_sample_sizes(p, m1, s1, m2, s2, ips_n, tau_n, grid_points=grid_points)
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
                f"no group sizes in IPS {whole_number_span(ips_n)}, TAU {whole_number_span(tau_n)} "
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
                **check_row(
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
                    f"at n {full_n[0]}/{full_n[1]}: {intervals_text(full)}",
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
    row = check_row("fidelity.mean", _short_source(pub, "fidelity.mean"), "mean", _printed(pub, "fidelity.mean"),
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


def printed_statistic_checks(*, ips_n: Iterable[int] | None = None, tau_n: Iterable[int] | None = None,
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
    if ips_n is None or tau_n is None:
        span = table1_valid_n_range()
        ips_n = range(span["IPS"][0], span["IPS"][1] + 1) if ips_n is None else ips_n
        tau_n = range(span["TAU"][0], span["TAU"][1] + 1) if tau_n is None else tau_n
    parts = [
        table1_t_test_checks(ips_n, tau_n, grid_points=min(grid_points, 3))[CHECK_COLUMNS],
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
