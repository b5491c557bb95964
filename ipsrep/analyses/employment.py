"""Research question 1: competitive employment, IPS versus usual care.

What the trial paper reports for its primary outcome (Sveinsdottir et al. 2022, Pain
Medicine 23:1757-66), recomputed here:

- Table 2: per group and follow-up (6, 12, 24 months), the share who had held a job
  at any time after enrolment, compared by the paper's rule (Pearson chi-squared, or
  Fisher's exact test when an expected count is below 5) with an odds ratio and its
  Woolf interval (:func:`employment_table`);
- Figure 2: the same rates over time, here with confidence intervals the paper does
  not draw (:func:`employment_rates`);
- the ancillary comparison with historical controls from the Oslo University Hospital
  Pain Registry, which exists only as published counts (:func:`historical_control_comparison`);
- the sample-size paragraph, 31 per group for 61% versus 23% (:func:`sample_size_table`).

Every function reads the participant table of the data contract (one row per
participant, columns ``group`` and ``employed_6m``, ``employed_12m``,
``employed_24m``; empty = missing) and returns aggregates only. The statistics
themselves live in :mod:`ipsrep.methods` (:mod:`ipsrep.methods.proportions`, :mod:`ipsrep.methods.power`).
"""
from __future__ import annotations

import math

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ipsrep.analyses.paper import compare
from ipsrep.inputs.measures import FOLLOW_UPS, GROUPS
from ipsrep.inputs.published import load_published
from ipsrep.methods import proportions
from ipsrep.methods.formatting import format_p

__all__ = [
    "INTERVAL_METHODS",
    "employment_column",
    "check_group_and_column",
    "binary_outcome",
    "employment_counts",
    "employment_table",
    "employment_rates",
    "interval_comparison",
    "P_COLUMNS",
    "TEST_NAMES",
    "which_test",
    "table2_display",
    "table2_ledger",
]

INTERVAL_METHODS: dict[str, str] = {
    "wilson": "wilson",
    "wald": "normal",
    "clopper_pearson": "beta",
    "agresti_coull": "agresti_coull",
    "jeffreys": "jeffreys",
}
"""Interval methods for a proportion: our name -> statsmodels ``proportion_confint`` name."""


# ---------------------------------------------------------------------- input checks
def employment_column(follow_up: str) -> str:
    """Contract column for employment since baseline at `follow_up` (``"6m"``, ``"12m"``, ``"24m"``).

    >>> employment_column("12m")
    'employed_12m'
    """
    if follow_up not in FOLLOW_UPS:
        raise ValueError(f"follow_up must be one of {', '.join(FOLLOW_UPS)}; got {follow_up!r}")
    return f"employed_{follow_up}"


def check_group_and_column(trial: pd.DataFrame, column: str) -> None:
    """Raise ``ValueError`` unless `trial` has `column` and a ``group`` of IPS/TAU only.

    The message names the missing column, or the column ``group``, the first offending
    row and the allowed groups.

    >>> check_group_and_column(pd.DataFrame({"group": ["IPS", "control"], "x": [1, 0]}), "x")
    Traceback (most recent call last):
    ...
    ValueError: trial data: column 'group', row 1: 'control' is not allowed; allowed: IPS or TAU
    """
    for needed in ("group", column):
        if needed not in trial.columns:
            raise ValueError(
                f"trial data: column '{needed}' is missing; the data contract (data/README.md) "
                f"requires it (one row per participant)"
            )
    bad_group = ~trial["group"].isin(GROUPS)
    if bad_group.any():
        row = trial.index[bad_group][0]
        raise ValueError(
            f"trial data: column 'group', row {row}: '{trial.at[row, 'group']}' is not allowed; "
            f"allowed: {' or '.join(GROUPS)}"
        )


def binary_outcome(trial: pd.DataFrame, column: str) -> pd.Series:
    """The 0/1 outcome `column` of the participant table as floats, missing kept as NaN.

    Raises ``ValueError`` naming the column and the first offending row when the
    column or ``group`` is missing or holds a value other than 0, 1 or empty, or a
    group other than IPS/TAU (:func:`check_group_and_column`).
    """
    check_group_and_column(trial, column)
    values = pd.to_numeric(trial[column], errors="coerce")
    bad = (values.notna() & ~values.isin([0, 1])) | (values.isna() & trial[column].notna())
    if bad.any():
        row = trial.index[bad][0]
        raise ValueError(
            f"trial data: column '{column}', row {row}: '{trial.at[row, column]}' is not allowed; "
            f"allowed: 0, 1 or empty (missing)"
        )
    return values


# ----------------------------------------------------------- what cannot be computed
def no_answers_reason(column: str, answers: dict[str, int], minimum: int = 1) -> str:
    """Why a comparison of `column` between the groups cannot be computed, in words, or "".

    `answers` holds the number of non-missing values per group; a comparison needs at
    least `minimum` in each (1 for a 2x2 table, 2 for a t-test, which needs a standard
    deviation per group).

    >>> no_answers_reason("employed_12m", {"IPS": 0, "TAU": 0})
    'not computed: no participant has a value of employed_12m (IPS 0, TAU 0)'
    >>> no_answers_reason("hours_12m", {"IPS": 5, "TAU": 1}, minimum=2)
    'not computed: a t-test needs at least 2 values of hours_12m per group (IPS 5, TAU 1)'
    >>> no_answers_reason("employed_6m", {"IPS": 3, "TAU": 2})
    ''
    """
    if all(answers.get(g, 0) >= minimum for g in GROUPS):
        return ""
    counts = ", ".join(f"{g} {answers.get(g, 0)}" for g in GROUPS)
    if minimum <= 1 or not any(answers.values()):
        if not any(answers.values()):
            return f"not computed: no participant has a value of {column} ({counts})"
        return f"not computed: a group has no value of {column} ({counts})"
    return f"not computed: a t-test needs at least {minimum} values of {column} per group ({counts})"


TWO_BY_TWO_NUMBERS = ("pct1", "pct2", "chi2", "p_chi2", "chi2_yates", "p_yates", "p_fisher", "min_expected",
                      "p", "odds_ratio", "ci_low", "ci_high")
"""Columns of :func:`ipsrep.methods.stats.two_by_two` that a table without answers leaves empty."""


def inestimable_two_by_two(a: int, n1: int, b: int, n2: int, reason: str) -> pd.DataFrame:
    """A row shaped as :func:`ipsrep.methods.stats.two_by_two`'s for a table that cannot be
    tested: the counts kept, every statistic NaN, ``rule`` empty and ``reason`` saying why."""
    row = {"a": a, "n1": n1, "b": b, "n2": n2, "test": "", "haldane": False, "reason": reason}
    row.update(dict.fromkeys(TWO_BY_TWO_NUMBERS, math.nan))
    if n1:
        row["pct1"] = 100.0 * a / n1
    if n2:
        row["pct2"] = 100.0 * b / n2
    return pd.DataFrame([row])


# ------------------------------------------------------------------------ Table 2
def employment_counts(trial: pd.DataFrame, follow_up: str) -> pd.DataFrame:
    """Employed respondents per group at one follow-up, with valid percentages.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``employed_<follow_up>``).
    follow_up : {"6m", "12m", "24m"}
        Follow-up point; the outcome is *any* competitive job since baseline.

    Returns
    -------
    pandas.DataFrame
        One row per group (IPS, TAU): ``follow_up, group``, ``employed`` (count),
        ``n`` (respondents, missing excluded), ``pct`` (``100 employed / n``, the
        paper's "valid percent").

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["IPS", "IPS", "IPS", "TAU", "TAU"],
    ...                   "employed_6m": [1, 0, None, 0, 1]})
    >>> employment_counts(t, "6m")[["group", "employed", "n"]].values.tolist()
    [['IPS', 1, 2], ['TAU', 1, 2]]
    """
    column = employment_column(follow_up)
    values = binary_outcome(trial, column)
    rows = []
    for group in GROUPS:
        v = values[trial["group"] == group].dropna()
        n = int(v.size)
        employed = int(v.sum())
        rows.append({"follow_up": follow_up, "group": group, "employed": employed, "n": n,
                     "pct": 100.0 * employed / n if n else float("nan")})
    return pd.DataFrame(rows)


def employment_table(trial: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Table 2 of the trial paper: employment since baseline by group at 6, 12 and 24 months.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``employed_6m``,
        ``employed_12m``, ``employed_24m``).
    level : float, default 0.95
        Confidence level of the odds-ratio interval (``1 - alpha``).

    Returns
    -------
    pandas.DataFrame
        One row per follow-up: ``follow_up, months``, then the columns of
        :func:`ipsrep.methods.proportions.two_by_two` with IPS as group 1 and TAU as group 2:
        ``a, n1, pct1`` (IPS employed, respondents, valid %), ``b, n2, pct2`` (TAU),
        ``chi2, p_chi2`` (Pearson, no continuity correction: the paper's P column),
        ``chi2_yates, p_yates``, ``p_fisher``, ``min_expected``, ``p, test``
        (the paper's rule: Fisher when an expected count is below 5),
        ``odds_ratio, ci_low, ci_high`` (Woolf), ``haldane``.

    Notes
    -----
    The outcome is cumulative (the contract's ``employed_*`` are 1 once a participant
    has had a competitive job since baseline); each follow-up is analysed among those
    who answered at that follow-up, as the paper's valid percentages are.

    References
    ----------
    Sveinsdottir et al. 2022, Statistical Analyses (research question 1) and Table 2.
    """
    rows = []
    for follow_up in FOLLOW_UPS:
        counts = employment_counts(trial, follow_up).set_index("group")
        ips, tau = counts.loc["IPS"], counts.loc["TAU"]
        reason = no_answers_reason(employment_column(follow_up), {g: int(counts.at[g, "n"]) for g in GROUPS})
        if reason:
            test = inestimable_two_by_two(int(ips["employed"]), int(ips["n"]), int(tau["employed"]),
                                          int(tau["n"]), reason)
        else:
            test = proportions.two_by_two(int(ips["employed"]), int(ips["n"]), int(tau["employed"]),
                                    int(tau["n"]), level=level)
            test["reason"] = ""
        test.insert(0, "months", int(follow_up.rstrip("m")))
        test.insert(0, "follow_up", follow_up)
        rows.append(test)
    return pd.concat(rows, ignore_index=True)


# ------------------------------------------------------------------------ Figure 2
def employment_rates(trial: pd.DataFrame, *, level: float = 0.95, method: str = "wilson") -> pd.DataFrame:
    """Employment rate per group and follow-up with a confidence interval (Figure 2's data).

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract.
    level : float, default 0.95
        Confidence level.
    method : {"wilson", "wald", "clopper_pearson", "agresti_coull", "jeffreys"}
        Interval for a binomial proportion (see Notes).

    Returns
    -------
    pandas.DataFrame
        One row per group and follow-up: ``follow_up, months, group, employed, n``,
        ``rate`` (0-1), ``ci_low, ci_high`` (0-1), ``method``, ``level``.

    Notes
    -----
    The paper's Figure 2 shows the rates without intervals. Wilson's score interval
    (Wilson 1927) is the default because it keeps close to the nominal coverage in
    groups as small as 17-37 and never leaves [0, 1]; the Wald interval
    :math:`\\hat p \\pm z\\sqrt{\\hat p(1-\\hat p)/n}` is offered to show how it
    differs (Brown, Cai and DasGupta 2001). All intervals come from statsmodels
    ``proportion_confint``.

    References
    ----------
    Wilson EB. J Am Stat Assoc 1927;22:209-12. Brown LD, Cai TT, DasGupta A. Interval
    estimation for a binomial proportion. Stat Sci 2001;16:101-33.
    """
    if method not in INTERVAL_METHODS:
        raise ValueError(f"method must be one of {', '.join(INTERVAL_METHODS)}; got {method!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    rows = []
    for follow_up in FOLLOW_UPS:
        for _, r in employment_counts(trial, follow_up).iterrows():
            if r["n"] == 0:
                low = high = rate = float("nan")
            else:
                rate = r["employed"] / r["n"]
                low, high = proportion_confint(r["employed"], r["n"], alpha=1 - level,
                                               method=INTERVAL_METHODS[method])
            rows.append({"follow_up": follow_up, "months": int(follow_up.rstrip("m")),
                         "group": r["group"], "employed": int(r["employed"]), "n": int(r["n"]),
                         "rate": float(rate), "ci_low": float(low), "ci_high": float(high),
                         "method": method, "level": level})
    return pd.DataFrame(rows)


def interval_comparison(trial: pd.DataFrame, *, level: float = 0.95,
                        methods: tuple[str, ...] = ("wald", "wilson", "clopper_pearson")) -> pd.DataFrame:
    """The employment rates' intervals by several methods, side by side, in percent.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract.
    level : float, default 0.95
        Confidence level.
    methods : tuple of str
        Interval methods (keys of :data:`INTERVAL_METHODS`).

    Returns
    -------
    pandas.DataFrame
        Index (follow-up, group); columns ``employed/n``, ``rate %`` and, per
        method, the interval as text ``low-high`` (percent, one decimal) and its
        width in percentage points (``<method> width``).

    Notes
    -----
    Each method's intervals come from :func:`employment_rates`; the comparison shows
    how the Wald interval differs from the score and exact ones in small groups.

    References
    ----------
    Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. Stat
    Sci 2001;16:101-33.
    """
    frames = [employment_rates(trial, level=level, method=m) for m in methods]
    base = frames[0].set_index(["follow_up", "group"])
    out = pd.DataFrame({"employed/n": base["employed"].astype(str) + "/" + base["n"].astype(str),
                        "rate %": (100 * base["rate"]).round(1)})
    for m, f in zip(methods, frames, strict=True):
        f = f.set_index(["follow_up", "group"])
        out[m] = [f"{100 * lo:.1f}-{100 * hi:.1f}" for lo, hi in zip(f["ci_low"], f["ci_high"], strict=True)]
        out[f"{m} width"] = (100 * (f["ci_high"] - f["ci_low"])).round(1)
    return out


# ------------------------------------------------------------ historical controls














# ------------------------------------------------------------------- sample size








# ------------------------------------------------------- side-by-side and ledger
P_COLUMNS: dict[str, str] = {"rule": "p", "pearson": "p_chi2", "yates": "p_yates", "fisher": "p_fisher"}
"""Which p of a 2x2 table (:func:`ipsrep.methods.proportions.two_by_two`) a display or ledger
uses: the paper's rule (Pearson without continuity correction, Fisher's exact p when an
expected count is below 5; Statistical Analyses, key ``design.fisher_expected_threshold``),
or, as a reader's override for teaching, Pearson, Yates-corrected or Fisher's p
whatever the expected counts."""

TEST_NAMES: dict[str, str] = {"pearson": "Pearson", "fisher": "Fisher's exact", "yates": "Yates-corrected"}
"""Display names of the 2x2 tests."""


def which_test(row: pd.Series, binary_test: str = "rule") -> str:
    """The 2x2 test behind the p that `binary_test` selects, in words, with the reason.

    `row` is a row of :func:`ipsrep.methods.proportions.two_by_two` output (``rule``,
    ``min_expected``).

    >>> r = proportions.two_by_two(6, 34, 2, 17).iloc[0]
    >>> which_test(r)
    "Fisher's exact (rule: smallest expected count 2.67 < 5)"
    >>> which_test(r, "pearson")
    "Pearson (override; the rule gives Fisher's exact)"
    """
    _p_column(binary_test)
    if row.get("reason"):
        return str(row["reason"])
    ruled = TEST_NAMES[row["test"]]
    if binary_test == "rule":
        sign = "<" if row["test"] == "fisher" else "≥"
        return f"{ruled} (rule: smallest expected count {row['min_expected']:.2f} {sign} 5)"
    return f"{TEST_NAMES[binary_test]} (override; the rule gives {ruled})"


def _p_column(binary_test: str) -> str:
    if binary_test not in P_COLUMNS:
        raise ValueError(f"binary_test must be one of {', '.join(P_COLUMNS)}; got {binary_test!r}")
    return P_COLUMNS[binary_test]


def table2_display(table: pd.DataFrame, *, binary_test: str = "rule", bundled: bool) -> pd.DataFrame:
    """Table 2 as printed beside Table 2 as recomputed, in the paper's layout.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`employment_table`.
    binary_test : {"rule", "pearson", "yates", "fisher"}, default "rule"
        Which recomputed p fills the P column: by default the paper's rule (Pearson,
        Fisher's exact p where an expected count is below 5), which on the paper's
        counts gives Pearson at every follow-up; the others override the rule.
    bundled : bool, default True
        Interleave the printed rows (only meaningful on the bundled reconstruction).

    Returns
    -------
    pandas.DataFrame
        Index (follow-up, source), source "paper" or "recomputed"; columns
        ``IPS n (%)``, ``TAU n (%)``, ``P``, ``OR (95% CI)`` as text, with the
        paper's number of decimals, and ``test`` (which test gave the recomputed P,
        and why). The printed rows come from ``data/published/``.
    """
    column = _p_column(binary_test)
    pub = load_published()
    rows = []
    for _, r in table.iterrows():
        fu = r["follow_up"]
        if bundled:
            k = lambda q, fu=fu: pub.at[f"t2.{fu}.{q}", "printed"]  # noqa: E731
            rows.append({"follow-up": fu, "source": "paper",
                         "IPS n (%)": f"{k('ips_count')} ({k('ips_pct')})",
                         "TAU n (%)": f"{k('tau_count')} ({k('tau_pct')})",
                         "P": k("p"), "OR (95% CI)": f"{k('or')} ({k('or_lo')}-{k('or_hi')})", "test": ""})
        computed = not r.get("reason")
        rows.append({"follow-up": fu, "source": "recomputed",
                     "IPS n (%)": _count_pct(r["a"], r["n1"], r["pct1"]),
                     "TAU n (%)": _count_pct(r["b"], r["n2"], r["pct2"]),
                     "P": format_p(r[column]) if computed else "not computed",
                     "OR (95% CI)": f"{r['odds_ratio']:.2f} ({r['ci_low']:.2f}-{r['ci_high']:.2f})" if computed
                     else "not computed",
                     "test": which_test(r, binary_test)})
    return pd.DataFrame(rows).set_index(["follow-up", "source"])


def _count_pct(count, n, pct) -> str:
    """``count (pct)`` with one decimal, or ``no answers`` when nobody answered."""
    return f"{count} ({pct:.1f})" if n else "no answers"


def table2_ledger(table: pd.DataFrame, *, bundled: bool, binary_test: str = "rule") -> pd.DataFrame:
    """Ledger rows ``t2.<follow-up>.*`` for :func:`employment_table` output.

    Published keys: ``ips_count, ips_pct, tau_count, tau_pct, p, or, or_lo, or_hi``
    (``p`` from the test `binary_test` selects; by default the paper's rule, the note
    naming the test and the smallest expected count). Our own keys, with no printed
    counterpart: ``p_yates`` and ``p_fisher``.
    """
    column = _p_column(binary_test)
    values, notes, quantities, alternatives, counts = {}, {}, {}, {}, {}
    for _, r in table.iterrows():
        k = f"t2.{r['follow_up']}."
        values.update({k + "ips_count": r["a"], k + "ips_pct": r["pct1"], k + "tau_count": r["b"],
                       k + "tau_pct": r["pct2"], k + "p": r[column], k + "or": r["odds_ratio"],
                       k + "or_lo": r["ci_low"], k + "or_hi": r["ci_high"],
                       k + "p_yates": r["p_yates"], k + "p_fisher": r["p_fisher"]})
        quantities[k + "p_yates"] = f"{r['follow_up']}: chi-squared p with Yates' continuity correction (not printed)"
        quantities[k + "p_fisher"] = f"{r['follow_up']}: Fisher's exact p, two-sided (not printed)"
        notes[k + "p"] = f"{r['follow_up']}: {which_test(r, binary_test)}"
        if r.get("reason"):
            for q in ("ips_pct", "tau_pct", "p", "or", "or_lo", "or_hi", "p_yates", "p_fisher"):
                notes[k + q] = f"{r['follow_up']}: {r['reason']}"
        alternatives[k + "p"] = binary_alternatives(r)
        counts.update({k + "ips_pct": (r["a"], r["n1"]), k + "tau_pct": (r["b"], r["n2"])})
    return compare(values, bundled=bundled, notes=notes, quantities=quantities, alternatives=alternatives,
                   counts=counts)


def binary_alternatives(row) -> dict[str, float]:
    """The p-values of every test of a 2x2 table (a row of :func:`employment_table` or
    :func:`ipsrep.analyses.productivity.worked_20h_table`), labelled for a discrepant
    ledger row's note (:func:`ipsrep.methods.comparison.explain_discrepancy`)."""
    return {"Pearson's chi-squared test": float(row["p_chi2"]), "Fisher's exact test": float(row["p_fisher"]),
            "the chi-squared test with Yates' correction": float(row["p_yates"])}


def rates_ledger(rates: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows ``rq1.rate.<follow-up>.<group>.ci_low|ci_high`` for Figure 2's intervals.

    Our own keys (the paper's Figure 2 draws no intervals): the bounds, in percent, of
    the interval :func:`employment_rates` computed with its `method` and `level`, named in
    each row's quantity, so that a build with another ``interval_method`` shows in the
    ledger (and in ``ipsrep compare``) what the parameter changed.
    """
    values, quantities = {}, {}
    for _, r in rates.iterrows():
        stem = f"rq1.rate.{r['follow_up']}.{str(r['group']).lower()}."
        label = (f"{r['group']} employed by {r['follow_up']}: {r['level']:.0%} {r['method'].replace('_', '-')} "
                 f"interval of the percentage")
        for bound in ("ci_low", "ci_high"):
            values[stem + bound] = 100.0 * float(r[bound])
            quantities[stem + bound] = f"{label}, {'lower' if bound == 'ci_low' else 'upper'} bound (not printed)"
    return compare(values, bundled=bundled, quantities=quantities)




