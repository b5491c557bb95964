"""Research question 2: job productivity, IPS versus usual care.

The trial paper's "additional indicators of success in employment" (Sveinsdottir et
al. 2022, Results), recomputed:

- total hours worked during the 12-month follow-up, compared by an independent-samples
  t-test (:func:`hours_summary`, :func:`hours_ttest`), with the check of which t-test
  the printed p belongs to (:func:`published_hours_ttests`) and a sensitivity analysis
  suited to a mostly-zero outcome (:func:`hours_sensitivity`, :func:`hours_histogram`);
- the share who ever worked 20 hours or more in a week, by the paper's rule (Fisher's
  exact test when an expected count is below 5, as on the paper's counts, otherwise
  Pearson's chi-squared) with an odds ratio (:func:`worked_20h_table`);
- the types of jobs IPS participants took, printed only as rounded percentages, and
  the numbers of jobs those percentages allow (:func:`job_types`,
  :func:`implied_job_totals`).

Participant-level inputs are the data contract's ``group``, ``hours_12m`` (>= 0,
empty = missing) and ``worked_20h_week_12m`` (0/1); outputs are aggregates only.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from ipsrep.analyses.employment import (
    P_COLUMNS,
    binary_alternatives,
    binary_outcome,
    check_group_and_column,
    inestimable_two_by_two,
    no_answers_reason,
    which_test,
)
from ipsrep.analyses.paper import compare
from ipsrep.inputs.measures import GROUPS
from ipsrep.inputs.published import load_published
from ipsrep.methods import proportions, ttests
from ipsrep.methods.formatting import p_statement
from ipsrep.methods.rounding import rounding_window, rounds_to

__all__ = [
    "HOURS",
    "TWENTY_HOURS",
    "JOB_CATEGORIES",
    "hours_by_group",
    "hours_summary",
    "hours_ttest",
    "published_hours_ttests",
    "worked_20h_table",
    "job_types",
    "implied_job_totals",
    "hours_display",
    "hours_tests_display",
    "hours_ledger",
    "twenty_hours_display",
    "twenty_hours_ledger",
    "jobs_ledger",
]

HOURS = "hours_12m"
"""Contract column: total hours worked during the 12-month follow-up."""
TWENTY_HOURS = "worked_20h_week_12m"
"""Contract column: 1 if the participant ever worked 20 hours or more in one week."""

JOB_CATEGORIES: dict[str, str] = {
    "health_social": "Health and social services",
    "childcare_school": "Child care and school",
    "assistant": "Assistant, various businesses",
    "retail": "Shop and retail",
}
"""Job sectors the paper names, keyed as in the ledger (``jobs.<key>_pct``)."""


# ------------------------------------------------------------------------- hours
def hours_by_group(trial: pd.DataFrame) -> dict[str, np.ndarray]:
    """Hours worked during 12 months per group, missing values dropped.

    Raises ``ValueError`` naming column and row when ``group`` or ``hours_12m`` is
    absent, a group is not IPS/TAU, or an hours value is not a number >= 0.
    """
    check_group_and_column(trial, HOURS)
    hours = pd.to_numeric(trial[HOURS], errors="coerce")
    bad = (hours.isna() & trial[HOURS].notna()) | (hours < 0) | np.isinf(hours)
    if bad.any():
        row = trial.index[bad][0]
        raise ValueError(f"trial data: column '{HOURS}', row {row}: '{trial.at[row, HOURS]}' is not "
                         f"allowed; allowed: a number >= 0 (fractions allowed) or empty (missing)")
    return {g: hours[trial["group"] == g].dropna().to_numpy(dtype=float) for g in GROUPS}


def hours_summary(trial: pd.DataFrame) -> pd.DataFrame:
    """Descriptive statistics of hours worked during 12 months, per group.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``hours_12m``).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, n, mean, sd`` (n - 1 denominator, as SPSS),
        ``median, min, max``, ``n_zero`` and ``pct_zero`` (who worked no hours), and
        ``mean_if_worked`` (mean among those with any hours).

    References
    ----------
    Sveinsdottir et al. 2022, Results, Additional Indicators of Success in Employment.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["IPS"] * 3 + ["TAU"] * 2, "hours_12m": [0, 0, 30, 10, None]})
    >>> hours_summary(t)[["group", "n", "mean", "n_zero"]].values.tolist()
    [['IPS', 3, 10.0, 2], ['TAU', 1, 10.0, 0]]
    """
    rows = []
    for group, h in hours_by_group(trial).items():
        worked = h[h > 0]
        rows.append({
            "group": group, "n": int(h.size),
            "mean": float(h.mean()) if h.size else math.nan,
            "sd": float(h.std(ddof=1)) if h.size > 1 else math.nan,
            "median": float(np.median(h)) if h.size else math.nan,
            "min": float(h.min()) if h.size else math.nan,
            "max": float(h.max()) if h.size else math.nan,
            "n_zero": int((h == 0).sum()),
            "pct_zero": 100.0 * float((h == 0).mean()) if h.size else math.nan,
            "mean_if_worked": float(worked.mean()) if worked.size else math.nan,
        })
    return pd.DataFrame(rows)


def hours_ttest(trial: pd.DataFrame, *, levene_alpha: float = 0.05, level: float = 0.95) -> pd.DataFrame:
    """The paper's t-test of hours worked, IPS versus TAU, as SPSS reports it.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``hours_12m``).
    levene_alpha : float, default 0.05
        Level at which Levene's test switches SPSS users to the Welch row.
    level : float, default 0.95
        Confidence level of the mean difference.

    Returns
    -------
    pandas.DataFrame
        The row of :func:`ipsrep.methods.ttests.spss_ttest` with IPS as ``x`` and TAU as ``y``:
        Levene's F and p, Student's and Welch's t, df and p, the rule's choice and
        ``p``, the mean difference and its interval.

    References
    ----------
    Sveinsdottir et al. 2022, Statistical Analyses (research question 2).
    """
    h = hours_by_group(trial)
    reason = no_answers_reason(HOURS, {g: v.size for g, v in h.items()}, minimum=2)
    if reason:
        row: dict[str, object] = dict.fromkeys(TTEST_NUMBERS, math.nan)
        row.update(n1=int(h["IPS"].size), n2=int(h["TAU"].size), test="", reason=reason)
        return pd.DataFrame([row])
    return ttests.spss_ttest(h["IPS"], h["TAU"], levene_alpha=levene_alpha, level=level).assign(reason="")


TTEST_NUMBERS = ("mean1", "sd1", "mean2", "sd2", "levene_F", "levene_p", "t_student", "df_student", "p_student",
                 "t_welch", "df_welch", "p_welch", "p", "diff", "ci_low", "ci_high")
"""Numbers of :func:`ipsrep.methods.ttests.spss_ttest`'s row, NaN when the test cannot be computed."""


def hours_test_sentence(ttest: pd.DataFrame, identified: list[str], *, level: float = 0.95) -> str:
    """The t-test of hours in one paragraph: which line the printed p is (`identified`, from
    :func:`published_hours_ttests`), which line Levene's rule picks on the data in use, its
    p and the mean difference with its interval; or why it was not computed."""
    r = ttest.iloc[0]
    printed = f"From the printed summaries, the printed p is the **{', '.join(identified) or 'neither'}** line. "
    if r.get("reason"):
        return printed + f"On the data in use the t-test was {r['reason']}."
    return (printed + f"On the data in use Levene's {p_statement(r['levene_p'])}, so the rule picks the "
            f"**{r['test']}** line ({p_statement(r['p'])}); the mean difference is {r['diff']:.1f} hours "
            f"({100 * level:g}% CI {r['ci_low']:.1f} to {r['ci_high']:.1f}).")


def published_hours_ttests(*, level: float = 0.95) -> pd.DataFrame:
    """Which t-test the printed p for hours belongs to, from the printed summaries alone.

    Returns
    -------
    pandas.DataFrame
        Two rows (``test`` = ``"student"``, ``"welch"``): ``t, df, p`` recomputed
        from the printed means, SDs and ns (``rq2.hours.*`` in ``data/published/``),
        ``printed_p`` and ``matches_printed`` (True when ``p`` rounds to it).

    Notes
    -----
    :func:`ipsrep.methods.ttests.ttest_from_summary`. Levene's test needs the data, so this
    says which row the paper printed, not whether SPSS's rule would have chosen it.
    """
    pub = load_published()
    v = {k: float(pub.at[f"rq2.hours.{k}", "value"]) for k in
         ("ips_mean", "ips_sd", "ips_n", "tau_mean", "tau_sd", "tau_n")}
    printed = pub.at["rq2.hours.p", "printed"]
    r = ttests.ttest_from_summary(v["ips_mean"], v["ips_sd"], int(v["ips_n"]), v["tau_mean"], v["tau_sd"],
                                 int(v["tau_n"]), level=level).iloc[0]
    rows = []
    for test in ("student", "welch"):
        p = float(r[f"p_{test}"])
        rows.append({"test": test, "t": float(r[f"t_{test}"]), "df": float(r[f"df_{test}"]), "p": p,
                     "printed_p": printed, "matches_printed": rounds_to(p, printed)})
    return pd.DataFrame(rows)








# ------------------------------------------------------------------ >= 20 h a week
def worked_20h_table(trial: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Who ever worked 20 hours or more in one week during 12 months, IPS versus TAU.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``worked_20h_week_12m``).
    level : float, default 0.95
        Confidence level of the odds-ratio interval.

    Returns
    -------
    pandas.DataFrame
        The row of :func:`ipsrep.methods.proportions.two_by_two` (IPS as group 1): counts, valid
        percentages, Pearson, Yates and Fisher p, the smallest expected count, the
        paper's rule (Fisher when an expected count is below 5) and its p, odds ratio
        with Woolf interval.

    References
    ----------
    Sveinsdottir et al. 2022, Statistical Analyses (research question 2) and Results.
    """
    values = binary_outcome(trial, TWENTY_HOURS)
    counts = {}
    for group in GROUPS:
        v = values[trial["group"] == group].dropna()
        counts[group] = (int(v.sum()), int(v.size))
    reason = no_answers_reason(TWENTY_HOURS, {g: n for g, (_, n) in counts.items()})
    if reason:
        return inestimable_two_by_two(*counts["IPS"], *counts["TAU"], reason)
    return proportions.two_by_two(*counts["IPS"], *counts["TAU"], level=level).assign(reason="")


# --------------------------------------------------------------------- job types
def job_types() -> pd.DataFrame:
    """Types of jobs IPS participants attained, as printed (rounded whole percentages).

    Returns
    -------
    pandas.DataFrame
        One row per named sector and one for the rest: ``category`` (ledger stem),
        ``label``, ``printed`` (text as printed; empty for the rest) and ``pct``
        (the rest is 100 minus the named sectors).

    References
    ----------
    Sveinsdottir et al. 2022, Results, Additional Indicators of Success in Employment.
    """
    pub = load_published()
    rows = [{"category": k, "label": label, "printed": pub.at[f"jobs.{k}_pct", "printed"],
             "pct": float(pub.at[f"jobs.{k}_pct", "value"])} for k, label in JOB_CATEGORIES.items()]
    rows.append({"category": "other", "label": "Other sectors (remainder)", "printed": "",
                 "pct": 100.0 - sum(r["pct"] for r in rows)})
    return pd.DataFrame(rows)


def implied_job_totals(printed: dict[str, str] | None = None, *, n_max: int = 100) -> pd.DataFrame:
    """Numbers of jobs for which every printed percentage is a rounded share of whole jobs.

    Parameters
    ----------
    printed : dict of str to str, optional
        Category -> percentage as printed (e.g. ``{"retail": "10"}``); by default the
        paper's four job sectors from ``data/published/``.
    n_max : int, default 100
        Largest total number of jobs tried.

    Returns
    -------
    pandas.DataFrame
        One row per consistent total ``n_jobs`` (ascending) and category:
        ``n_jobs, category, printed, jobs`` (the whole number of jobs whose share
        rounds to the printed percentage), ``pct`` (``100 jobs / n_jobs``), and
        ``named_jobs`` (jobs in all the given categories together, which must not
        exceed ``n_jobs``). A total is consistent when every category has such a
        count (of several, the closest to the printed value is kept; this happens
        only above 100 jobs); the first rows give the smallest.

    Notes
    -----
    A count *k* fits a printed percentage *P* when :math:`100k/n` lies in the
    rounding window of *P* (:func:`ipsrep.methods.rounding.rounding_window`, ties either way).
    The arithmetic is done in exact fractions.

    Examples
    --------
    >>> t = implied_job_totals({"a": "50", "b": "33"})
    >>> int(t["n_jobs"].min())  # 3 of 6 jobs and 2 of 6
    6
    """
    if printed is None:
        table = job_types().query("category != 'other'").set_index("category")["printed"]
        printed = {str(cat): str(text) for cat, text in table.items()}
    if not printed:
        raise ValueError("printed must name at least one category and its printed percentage")
    if not isinstance(n_max, (int, np.integer)) or n_max < 1:
        raise ValueError(f"n_max must be a whole number >= 1, got {n_max!r}")
    windows = {}
    for cat, text in printed.items():
        window = rounding_window(str(text))
        windows[cat] = (Fraction(str(window[0])), Fraction(str(window[1])), Fraction(str(text)))
    rows = []
    for n in range(1, int(n_max) + 1):
        fits = {}
        for cat, (low, high, target) in windows.items():
            ks = [k for k in range(n + 1) if low <= Fraction(100 * k, n) <= high]
            if not ks:
                break
            fits[cat] = min(ks, key=lambda k: abs(Fraction(100 * k, n) - target))
        else:
            named = sum(fits.values())
            if named > n:
                continue
            for cat, k in fits.items():
                rows.append({"n_jobs": n, "category": cat, "printed": str(printed[cat]), "jobs": k,
                             "pct": 100.0 * k / n, "named_jobs": named})
    return pd.DataFrame(rows, columns=["n_jobs", "category", "printed", "jobs", "pct", "named_jobs"])


# ------------------------------------------------------- side-by-side and ledger
def _printed(key: str) -> str:
    return load_published().at[key, "printed"]


def hours_display(summary: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Hours worked per group as printed beside as recomputed.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`hours_summary`.
    bundled : bool, default True
        Interleave the printed rows (only meaningful on the bundled reconstruction).

    Returns
    -------
    pandas.DataFrame
        Index (group, source), source "paper" or "recomputed"; text columns ``n``,
        ``mean (SD)`` and ``range``; also ``median`` and ``% with 0 h``, which the
        paper does not print.
    """
    rows = []
    for _, r in summary.iterrows():
        g = r["group"].lower()
        if bundled:
            k = lambda q, g=g: _printed(f"rq2.hours.{g}_{q}")  # noqa: E731
            rows.append({"group": r["group"], "source": "paper", "n": k("n"),
                         "mean (SD)": f"{k('mean')} ({k('sd')})", "range": f"{k('min')}-{k('max')}",
                         "median": "", "% with 0 h": ""})
        if not r["n"]:
            rows.append({"group": r["group"], "source": "recomputed", "n": "0", "mean (SD)": "no values",
                         "range": "", "median": "", "% with 0 h": ""})
            continue
        rows.append({"group": r["group"], "source": "recomputed", "n": str(r["n"]),
                     "mean (SD)": f"{r['mean']:.2f} ({r['sd']:.2f})", "range": f"{r['min']:g}-{r['max']:g}",
                     "median": f"{r['median']:g}", "% with 0 h": f"{r['pct_zero']:.0f}"})
    return pd.DataFrame(rows).set_index(["group", "source"])


def hours_tests_display(ttest: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Levene, Student and Welch for hours worked, with the SPSS rule's pick and the paper's row.

    Parameters
    ----------
    ttest : pandas.DataFrame
        Output of :func:`hours_ttest`.
    bundled : bool, default True
        Add the test statistics recomputed from the printed summaries and the
        printed p (:func:`published_hours_ttests`).

    Returns
    -------
    pandas.DataFrame
        One row per test (``Levene``, ``Student``, ``Welch``): ``statistic`` (F or t),
        ``df``, ``p`` on the data in use; ``SPSS rule picks`` (a mark on the row
        Levene's test selects); with published: ``p from printed summaries`` and
        ``paper printed`` (a mark on the row whose p rounds to the printed one).
    """
    r = ttest.iloc[0]
    if r.get("reason"):
        return pd.DataFrame({"test": ["Levene, Student and Welch"], "result": [r["reason"]]}).set_index("test")
    rows = [
        {"test": "Levene (equal variances)", "statistic": r["levene_F"], "df": f"1, {r['n1'] + r['n2'] - 2}",
         "p": r["levene_p"], "SPSS rule picks": ""},
        {"test": "Student (equal variances assumed)", "statistic": r["t_student"], "df": f"{r['df_student']:.0f}",
         "p": r["p_student"], "SPSS rule picks": "yes" if r["test"] == "student" else ""},
        {"test": "Welch (not assumed)", "statistic": r["t_welch"], "df": f"{r['df_welch']:.1f}",
         "p": r["p_welch"], "SPSS rule picks": "yes" if r["test"] == "welch" else ""},
    ]
    table = pd.DataFrame(rows)
    if bundled:
        pub = published_hours_ttests().set_index("test")
        table["p from printed summaries"] = [math.nan, pub.at["student", "p"], pub.at["welch", "p"]]
        table["paper printed"] = ["", "yes" if pub.at["student", "matches_printed"] else "",
                                  "yes" if pub.at["welch", "matches_printed"] else ""]
    return table.set_index("test")


def hours_ledger(summary: pd.DataFrame, ttest: pd.DataFrame, *, bundled: bool, t_test: str = "rule") -> pd.DataFrame:
    """Ledger rows ``rq2.hours.*``: per-group n, mean, SD, min, max and the t-test p.

    Parameters
    ----------
    summary, ttest : pandas.DataFrame
        Outputs of :func:`hours_summary` and :func:`hours_ttest`.
    bundled : bool
        Whether the data are the bundled reconstruction (else no comparison).
    t_test : {"rule", "student", "welch"}, default "rule"
        Which p goes under ``rq2.hours.p``: the row SPSS's Levene rule picks, or a
        fixed row. Our own keys ``p_student``, ``p_welch`` and ``levene_p`` carry all three.
    """
    if t_test not in ("rule", "student", "welch"):
        raise ValueError(f"t_test must be 'rule', 'student' or 'welch'; got {t_test!r}")
    t = ttest.iloc[0]
    values = {}
    for _, r in summary.iterrows():
        g = r["group"].lower()
        for q in ("mean", "sd", "n", "min", "max"):
            values[f"rq2.hours.{g}_{q}"] = r[q]
    chosen = (t["test"] or "student") if t_test == "rule" else t_test
    values["rq2.hours.p"] = t[f"p_{chosen}"] if not t.get("reason") else math.nan
    values.update({"rq2.hours.p_student": t["p_student"], "rq2.hours.p_welch": t["p_welch"],
                   "rq2.hours.levene_p": t["levene_p"]})
    printed_row = published_hours_ttests().query("matches_printed")["test"].tolist()
    notes = {
        "rq2.hours.p": (f"{chosen} row"
                        + (f" (SPSS rule: Levene {p_statement(t['levene_p'])})" if t_test == "rule" else "")
                        + (f"; the printed p is the {printed_row[0]} row of the printed summaries"
                           if printed_row else "")),
        "rq2.hours.p_student": "hours, Student t-test p (equal variances assumed)",
        "rq2.hours.p_welch": "hours, Welch t-test p (equal variances not assumed)",
        "rq2.hours.levene_p": "hours, Levene's test p (mean-centred, as SPSS)",
    }
    if t.get("reason"):
        notes["rq2.hours.p"] = f"hours: {t['reason']}"
    notes.update({f"rq2.hours.{g.lower()}_{q}": f"hours: no value of {HOURS} in the {g} group"
                  for g in GROUPS for q in ("mean", "sd", "min", "max")
                  if not int(summary.set_index("group").at[g, "n"])})
    return compare(values, bundled=bundled, notes=notes, alternatives={"rq2.hours.p": {
        "Student's t test": float(t["p_student"]), "Welch's t test": float(t["p_welch"])}})


def twenty_hours_display(row: pd.DataFrame, *, bundled: bool, binary_test: str = "rule") -> pd.DataFrame:
    """Ever >= 20 h in a week, as printed beside as recomputed (p, OR, CI).

    The recomputed P is the paper's rule by default (Fisher's exact p where an
    expected count is below 5, else Pearson's; `binary_test` overrides it, see
    :data:`ipsrep.analyses.employment.P_COLUMNS`); column ``test`` names the test and
    why. The paper printed Fisher's p, which its rule gives on its counts.
    """
    r = row.iloc[0]
    column = P_COLUMNS[binary_test] if binary_test in P_COLUMNS else which_test(r, binary_test)
    rows = []
    if bundled:
        k = lambda q: _printed(f"rq2.20h.{q}")  # noqa: E731
        rows.append({"source": "paper", "IPS n (%)": f"{k('ips_count')} ({k('ips_pct')})",
                     "TAU n (%)": f"{k('tau_count')} ({k('tau_pct')})", "P": k("p"),
                     "OR (95% CI)": f"{k('or')} ({k('or_lo')}-{k('or_hi')})", "test": "Fisher's exact (as printed)"})
    computed = not r.get("reason")
    rows.append({"source": "recomputed",
                 "IPS n (%)": f"{r['a']}/{r['n1']} ({r['pct1']:.2f})" if r["n1"] else "no answers",
                 "TAU n (%)": f"{r['b']}/{r['n2']} ({r['pct2']:.2f})" if r["n2"] else "no answers",
                 "P": f"{r[column]:.3f}" if computed else "not computed",
                 "OR (95% CI)": f"{r['odds_ratio']:.2f} ({r['ci_low']:.2f}-{r['ci_high']:.2f})" if computed
                 else "not computed",
                 "test": which_test(r, binary_test)})
    return pd.DataFrame(rows).set_index("source")


def twenty_hours_ledger(row: pd.DataFrame, *, bundled: bool, binary_test: str = "rule") -> pd.DataFrame:
    """Ledger rows ``rq2.20h.*`` for :func:`worked_20h_table`, plus our own
    ``p_fisher``, ``p_pearson``, ``p_yates`` and ``min_expected``.

    ``rq2.20h.p`` is the p the paper's rule gives on the data in use (Fisher's exact p
    when an expected count is below 5, else Pearson's; the note names the test and the
    smallest expected count), or the test `binary_test` names as an override. On the
    paper's counts the rule gives Fisher's p, which is what it printed.
    """
    r = row.iloc[0]
    column = P_COLUMNS[binary_test] if binary_test in P_COLUMNS else which_test(r, binary_test)
    values = {"rq2.20h.ips_count": r["a"], "rq2.20h.ips_pct": r["pct1"], "rq2.20h.tau_count": r["b"],
              "rq2.20h.tau_pct": r["pct2"], "rq2.20h.p": r[column], "rq2.20h.or": r["odds_ratio"],
              "rq2.20h.or_lo": r["ci_low"], "rq2.20h.or_hi": r["ci_high"],
              "rq2.20h.p_fisher": r["p_fisher"], "rq2.20h.p_pearson": r["p_chi2"], "rq2.20h.p_yates": r["p_yates"],
              "rq2.20h.min_expected": r["min_expected"]}
    notes = {"rq2.20h.p": f"≥ 20 h: {which_test(r, binary_test)}",
             "rq2.20h.p_fisher": "≥ 20 h: Fisher's exact p, two-sided (not printed unless the rule picks it)",
             "rq2.20h.p_pearson": "≥ 20 h: Pearson chi-squared p (not printed)",
             "rq2.20h.p_yates": "≥ 20 h: chi-squared p with Yates' correction (not printed)",
             "rq2.20h.min_expected": "≥ 20 h: smallest expected cell count (the paper's rule uses Fisher below 5)"}
    if r.get("reason"):
        notes.update({k: f"≥ 20 h: {r['reason']}" for k in values
                      if k not in ("rq2.20h.ips_count", "rq2.20h.tau_count", "rq2.20h.p_fisher",
                                   "rq2.20h.p_pearson", "rq2.20h.p_yates", "rq2.20h.min_expected")})
    return compare(values, bundled=bundled, notes=notes, alternatives={"rq2.20h.p": binary_alternatives(r)},
                   counts={"rq2.20h.ips_pct": (r["a"], r["n1"]), "rq2.20h.tau_pct": (r["b"], r["n2"])})


def jobs_sentence(smallest: int, low: int, high: int) -> str:
    """The smallest number of jobs the printed job-type percentages allow (`smallest`, from
    :func:`implied_job_totals`) set against the `low` (12 months) to `high` (24 months) IPS
    participants employed in the data in use, in words.

    >>> jobs_sentence(28, 19, 21)
    'The smallest total consistent with all four printed percentages is **28 jobs**. No total from 19 to 21 fits, \
so the percentages are not shares of the 19-21 IPS participants employed by 12 or 24 months in the data in use; \
28 jobs for 19-21 employed participants is 1.3-1.5 jobs per employed participant.'
    >>> jobs_sentence(28, 0, 0)[-95:]
    'no IPS participant is recorded as employed by 12 or 24 months, so there is no ratio to compute.'
    """
    text = f"The smallest total consistent with all four printed percentages is **{smallest} jobs**. "
    if high and smallest > high:
        text += (f"No total from {low} to {high} fits, so the percentages are not shares of the {low}-{high} IPS "
                 f"participants employed by 12 or 24 months in the data in use; ")
    if not low or not high:
        return text + ("In the data in use no IPS participant is recorded as employed by 12 or 24 months, so "
                       "there is no ratio to compute." if not high else
                       f"In the data in use no IPS participant is recorded as employed by 12 months "
                       f"({high} by 24 months): {smallest / high:.1f} jobs per participant employed by 24 months.")
    return text + (f"{smallest} jobs for {low}-{high} employed participants is {smallest / high:.1f}-"
                   f"{smallest / low:.1f} jobs per employed participant.")


def jobs_ledger(implied: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows ``jobs.*_pct`` from the smallest consistent number of jobs, and our own
    ``jobs.n_jobs_implied``.

    Parameters
    ----------
    implied : pandas.DataFrame
        Output of :func:`implied_job_totals`; its smallest ``n_jobs`` is used.
    bundled : bool, default True
        Whether the bundled reconstruction is in use (pass ``ctx.bundled``); on other
        data the printed number and status are left empty, as in every ledger row.

    Notes
    -----
    The job types are not in the participant data; the rows check that whole numbers
    of jobs give the printed percentages, the same whatever data are in use, so their
    status is ``consistent`` or ``inconsistent`` (never ``reproduced``).
    """
    if implied.empty:
        raise ValueError("no number of jobs reproduces the printed percentages; raise n_max")
    n = int(implied["n_jobs"].min())
    first = implied[implied["n_jobs"] == n]
    values = {f"jobs.{r['category']}_pct": r["pct"] for _, r in first.iterrows()}
    notes = {f"jobs.{r['category']}_pct": f"{r['jobs']} of {n} jobs" for _, r in first.iterrows()}
    values["jobs.n_jobs_implied"] = n
    notes["jobs.n_jobs_implied"] = "smallest number of jobs for which all printed job-type percentages round correctly"
    return compare(values, bundled=bundled, notes=notes, check=True)
