"""Table 1: baseline characteristics of the two groups, computed from participant data.

Reproduces Table 1 of Sveinsdottir et al. (2022): for each yes/no characteristic the
count and the valid percent of each group (the denominator is the group's respondents
to that item, the table's footnote), for each continuous one the number of respondents,
mean and standard deviation; and the p-value of the baseline comparison, with the test
that produced it and why that test was chosen.

Tests follow the paper's Statistical Analyses and Table 1 footnote (the paper ran its
analyses in SPSS 25 and Stata 16 without saying which ran these tests):

- yes/no rows: Pearson chi-squared without continuity correction, replaced by Fisher's
  exact test (two-sided) when a 2x2 table has an expected count below 5 (the HSCL
  cutoff row, whose footnote says two cells did). This is the paper's stated rule and
  is applied to the data in use;
- continuous rows: the independent-samples t test. SPSS prints two lines, "equal
  variances assumed" (Student) and "not assumed" (Welch), beside Levene's test; the
  customary reading, used here as *our reading* (the paper does not state it), takes
  the Welch line when Levene's p is below ``levene_alpha`` (0.05). The paper does not
  say which line it reported; both p-values are kept.

The option value ``"rule"`` selects these rules; ``"paper"`` is accepted as its former
name.

The computations themselves are in :mod:`ipsrep.methods` (``proportions.two_by_two`` and
``ttests.spss_ttest``); this module decides what enters each row.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats.contingency import expected_freq

from ipsrep.analyses.flow import require_columns
from ipsrep.inputs.measures import GROUPS, HSCL_CUTOFF
from ipsrep.inputs.published import load_published
from ipsrep.methods import proportions, ttests
from ipsrep.methods.formatting import format_p, half_up, mean_sd, p_statement
from ipsrep.methods.rounding import rounds_to

BENEFIT_CODES: dict[str, str] = {
    "benefit_waa": "work_assessment_allowance",
    "benefit_disability": "disability",
    "benefit_other": "other",
}
"""Table 1 benefit rows and the ``benefits`` code each counts."""

MIN_EXPECTED = 5.0
"""Expected count below which the paper reports Fisher's exact p (Table 1 footnote); the
same threshold as the rule of ``ipsrep.methods.proportions.two_by_two``, used here to count and
describe the small cells."""

LEVENE_ALPHA = 0.05
"""Levene p below which our reading of SPSS's output takes the Welch t test line (the
paper does not state a rule)."""

BINARY_TESTS: tuple[str, ...] = ("rule", "pearson", "fisher", "yates")
"""Choices for yes/no rows: the paper's stated rule (exact p when an expected count is
below 5, key ``design.fisher_expected_threshold``), always Pearson chi-squared, always
Fisher's exact test. ``"paper"`` is accepted as the former name of ``"rule"``."""

T_TESTS: tuple[str, ...] = ("rule", "student", "welch")
"""Choices for continuous rows: our reading of SPSS's output (Welch when Levene's p is
below ``levene_alpha``), always Student's pooled t, always Welch's t. ``"paper"`` is
accepted as the former name of ``"rule"``."""


@dataclass(frozen=True)
class Characteristic:
    """One row of Table 1.

    ``key`` is the row's ledger stem (``t1.<key>.*``), ``column`` the contract column it
    is computed from, ``base`` who forms the denominator of a yes/no row.
    """

    key: str
    label: str
    kind: str
    column: str
    base: str = "respondents"


CHARACTERISTICS: tuple[Characteristic, ...] = (
    Characteristic("female", "Female", "binary", "female"),
    Characteristic("age", "Age, years", "continuous", "age"),
    Characteristic("higher_education", "Higher education", "binary", "higher_education"),
    Characteristic("married", "Married / living with partner", "binary", "married"),
    Characteristic("has_children", "Has children", "binary", "has_children"),
    Characteristic("benefit_recipient", "Receives a benefit", "binary", "benefits"),
    Characteristic("benefit_waa", "  Work assessment allowance", "binary", "benefits", "benefit recipients"),
    Characteristic("benefit_disability", "  Disability benefit", "binary", "benefits", "benefit recipients"),
    Characteristic("benefit_other", "  Other benefit", "binary", "benefits", "benefit recipients"),
    Characteristic("out_of_work_over_2y", "Out of working life > 2 years", "binary", "out_of_work_over_2y"),
    Characteristic("odi", "Pain-related disability, ODI (0-100)", "continuous", "odi_0m"),
    Characteristic("eqvas", "Health-related QoL, EQ-VAS (0-100)", "continuous", "eqvas_0m"),
    Characteristic("hscl", "Psychological distress, HSCL-25 (1-4)", "continuous", "hscl_0m"),
    Characteristic("hscl_above_cutoff", f"  HSCL-25 ≥ {HSCL_CUTOFF}", "binary", "hscl_0m"),
    Characteristic("anxiety", "Anxiety (1-4)", "continuous", "anxiety_0m"),
    Characteristic("depression", "Depression (1-4)", "continuous", "depression_0m"),
    Characteristic("bpi_current", "Pain now, BPI (0-10)", "continuous", "bpi_current_0m"),
    Characteristic("bpi_worst", "Worst pain, BPI (0-10)", "continuous", "bpi_worst_0m"),
    Characteristic("bpi_average", "Average pain, BPI (0-10)", "continuous", "bpi_average_0m"),
    Characteristic("bpi_least", "Least pain, BPI (0-10)", "continuous", "bpi_least_0m"),
)
"""Table 1's rows in the paper's order."""

CHARACTERISTIC_BY_KEY: dict[str, Characteristic] = {c.key: c for c in CHARACTERISTICS}

TABLE1_COLUMNS = [
    "key", "label", "kind", "base",
    "ips_n", "ips_count", "ips_pct", "ips_mean", "ips_sd",
    "tau_n", "tau_count", "tau_pct", "tau_mean", "tau_sd",
    "test", "p", "why",
    "chi2", "p_chi2", "p_fisher", "min_expected", "cells_below_min",
    "levene_F", "levene_p", "t_student", "p_student", "t_welch", "p_welch",
]  # fmt: skip


# --------------------------------------------------------------------------- indicators


def _benefit_indicator(code: str) -> Callable[[pd.DataFrame], pd.Series]:
    def indicator(trial: pd.DataFrame) -> pd.Series:
        benefits = trial["benefits"]
        recipient = benefits.notna() & (benefits != "none")
        return (benefits == code).astype(float).where(recipient)

    return indicator


def _recipient(trial: pd.DataFrame) -> pd.Series:
    benefits = trial["benefits"]
    return (benefits != "none").astype(float).where(benefits.notna())


def _hscl_above_cutoff(trial: pd.DataFrame) -> pd.Series:
    score = pd.to_numeric(trial["hscl_0m"], errors="coerce")
    return (score >= HSCL_CUTOFF).astype(float).where(score.notna())


_DERIVED: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "benefit_recipient": _recipient,
    **{key: _benefit_indicator(code) for key, code in BENEFIT_CODES.items()},
    "hscl_above_cutoff": _hscl_above_cutoff,
}


def indicator(trial: pd.DataFrame, key: str) -> pd.Series:
    """0/1 indicator of a yes/no Table 1 row, NaN where the row does not apply or is missing.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table following the data contract.
    key : str
        A binary row of :data:`CHARACTERISTICS`. Besides the contract's own 0/1 columns:
        ``benefit_recipient`` is any benefit (``benefits`` not ``none``);
        ``benefit_waa``, ``benefit_disability``, ``benefit_other`` are defined among
        recipients only (the paper gives them as % of recipients: 21 of 32 is its
        65.6%), NaN for non-recipients; ``hscl_above_cutoff`` is ``hscl_0m >= 1.75``
        (``ipsrep.inputs.measures.HSCL_CUTOFF``, Strand et al. 2003).

    Returns
    -------
    Series of float (1.0, 0.0 or NaN), aligned with `trial`.
    """
    spec = _characteristic(key, "binary")
    require_columns(trial, ["group", spec.column])
    if key in _DERIVED:
        return _DERIVED[key](trial)
    return pd.to_numeric(trial[spec.column], errors="coerce").astype(float)


def _characteristic(key: str, kind: str | None = None) -> Characteristic:
    try:
        spec = CHARACTERISTIC_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown Table 1 row {key!r}; known: {', '.join(CHARACTERISTIC_BY_KEY)}") from None
    if kind is not None and spec.kind != kind:
        raise ValueError(f"Table 1 row {key!r} is {spec.kind}, not {kind}")
    return spec


# --------------------------------------------------------------------------- rows


def _record(result: pd.DataFrame) -> dict:
    """The single row of an :mod:`ipsrep.methods.stats` result as a plain dict."""
    return result.iloc[0].to_dict()


def cells_below(a: int, n1: int, b: int, n2: int, threshold: float = MIN_EXPECTED) -> int:
    """Number of the 2x2 table's four expected counts (under independence) below `threshold`.

    SPSS prints this count under its chi-squared table; the paper's footnote to the
    HSCL cutoff row quotes it ("two cells").

    >>> cells_below(32, 33, 16, 18)
    2
    """
    table = np.array([[a, n1 - a], [b, n2 - b]], dtype=float)
    if table.sum() == 0 or (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return 0
    return int((expected_freq(table) < threshold).sum())


def _group_values(trial: pd.DataFrame, values: pd.Series) -> dict[str, np.ndarray]:
    """Each group's non-missing `values` (a Series aligned with `trial`), in ``GROUPS`` order."""
    return {g: values[trial["group"] == g].dropna().to_numpy() for g in GROUPS}


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def binary_row(trial: pd.DataFrame, key: str, *, binary_test: str = "rule") -> dict:
    """Counts, valid percents and the baseline test for one yes/no row of Table 1.

    The valid percent is ``100 * count / n`` with ``n`` the group's non-missing answers
    to the item (among benefit recipients for the benefit types). The test is
    ``ipsrep.methods.proportions.two_by_two``; with ``binary_test="rule"`` (default) the paper's rule:
    Pearson chi-squared without continuity correction, or Fisher's exact p when an
    expected count is below :data:`MIN_EXPECTED`. ``"pearson"``, ``"fisher"`` or
    ``"yates"`` (chi-squared with Yates' continuity correction) force one test (for
    comparison; see :data:`BINARY_TESTS`), as on the employment pages.

    Returns
    -------
    dict
        The :data:`TABLE1_COLUMNS` entries of a binary row (continuous-only entries NaN).
    """
    binary_test = "rule" if binary_test == "paper" else binary_test
    _check_choice("binary_test", binary_test, BINARY_TESTS)
    spec = _characteristic(key, "binary")
    values = indicator(trial, key)
    row = _empty_row(spec)
    counts = {}
    for g, x in _group_values(trial, values).items():
        n, k = int(x.size), int(x.sum())
        counts[g] = (k, n)
        row.update({f"{g.lower()}_n": n, f"{g.lower()}_count": k, f"{g.lower()}_pct": 100.0 * k / n if n else np.nan})
    (a, n1), (b, n2) = counts["IPS"], counts["TAU"]
    row["cells_below_min"] = cells_below(a, n1, b, n2)
    if n1 == 0 or n2 == 0 or a + b in (0, n1 + n2):
        row["test"] = "none"
        row["why"] = "not testable: a group has no answers or every answer is the same"
        return row
    res = _record(proportions.two_by_two(a, n1, b, n2))
    row.update({k: res[k] for k in ("chi2", "p_chi2", "p_fisher", "min_expected")})
    fisher = res["test"] == "fisher" if binary_test == "rule" else binary_test == "fisher"
    yates = binary_test == "yates"
    row["test"] = "Fisher's exact" if fisher else "chi-squared, Yates" if yates else "Pearson chi-squared"
    row["p"] = res["p_fisher"] if fisher else res["p_yates"] if yates else res["p_chi2"]
    if binary_test != "rule":
        chosen = "exact" if fisher else "Yates-corrected chi-squared" if yates else "chi-squared"
        row["why"] = f"{chosen} test chosen by the reader (smallest expected count {res['min_expected']:.2f})"
    elif fisher:
        row["why"] = (
            f"{row['cells_below_min']} of 4 expected counts below {MIN_EXPECTED:g} "
            f"(smallest {res['min_expected']:.2f}): exact p"
        )
    else:
        row["why"] = (
            f"all expected counts at least {MIN_EXPECTED:g} (smallest {res['min_expected']:.2f}): "
            "chi-squared without continuity correction"
        )
    return row


def continuous_row(
    trial: pd.DataFrame, key: str, *, levene_alpha: float = LEVENE_ALPHA, t_test: str = "rule"
) -> dict:
    """Respondents, mean, SD and the baseline t test for one continuous row of Table 1.

    Mean and SD (ddof = 1) over each group's non-missing values. The test is
    ``ipsrep.methods.ttests.spss_ttest``: Levene's test (centred at the mean, as SPSS) and
    both t tests. With ``t_test="rule"`` (default) ``p`` is the Welch p when Levene's
    p < `levene_alpha`, else Student's; ``"student"`` or ``"welch"`` force one line
    (see :data:`T_TESTS`).

    Returns
    -------
    dict
        The :data:`TABLE1_COLUMNS` entries of a continuous row (binary-only entries NaN).
    """
    t_test = "rule" if t_test == "paper" else t_test
    _check_choice("t_test", t_test, T_TESTS)
    spec = _characteristic(key, "continuous")
    require_columns(trial, ["group", spec.column])
    values = pd.to_numeric(trial[spec.column], errors="coerce").astype(float)
    row = _empty_row(spec)
    samples = _group_values(trial, values)
    for g, x in samples.items():
        row.update({f"{g.lower()}_n": int(x.size), f"{g.lower()}_mean": float(x.mean()) if x.size else np.nan,
                    f"{g.lower()}_sd": float(x.std(ddof=1)) if x.size > 1 else np.nan})
    x, y = samples["IPS"], samples["TAU"]
    if x.size < 2 or y.size < 2:
        row["test"] = "none"
        row["why"] = "not testable: a group has fewer than two values"
        return row
    res = _record(ttests.spss_ttest(x, y, levene_alpha=levene_alpha))
    row.update({k: res[k] for k in ("levene_F", "levene_p", "t_student", "p_student", "t_welch", "p_welch")})
    welch = res["test"] == "welch" if t_test == "rule" else t_test == "welch"
    row["test"] = "Welch t" if welch else "Student t"
    row["p"] = res["p_welch"] if welch else res["p_student"]
    if t_test != "rule":
        row["why"] = (f"{'Welch' if welch else 'Student'} line chosen by the reader "
                      f"(Levene {p_statement(res['levene_p'])})")
    elif np.isnan(res["levene_p"]):
        row["why"] = "Levene's test undefined (no spread in either group): equal variances assumed"
    elif welch:
        row["why"] = f"Levene {p_statement(res['levene_p'])} < {levene_alpha:g}: equal variances not assumed"
    else:
        row["why"] = f"Levene {p_statement(res['levene_p'])} ≥ {levene_alpha:g}: equal variances assumed"
    return row


def _empty_row(spec: Characteristic) -> dict:
    row = {c: np.nan for c in TABLE1_COLUMNS}
    row.update(key=spec.key, label=spec.label, kind=spec.kind, base=spec.base if spec.kind == "binary" else "",
               test="", why="")
    return row


def table1(
    trial: pd.DataFrame,
    *,
    levene_alpha: float = LEVENE_ALPHA,
    binary_test: str = "rule",
    t_test: str = "rule",
) -> pd.DataFrame:
    """Table 1 of Sveinsdottir et al. (2022) computed from participant-level data.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table following the data contract (baseline columns).
    levene_alpha : float
        Levene p below which a continuous row reports the Welch t test.
    binary_test : {"rule", "pearson", "fisher", "yates"}
        Test for yes/no rows: the paper's rule (default; ``"paper"`` is an alias) or
        one test for every row.
    t_test : {"rule", "student", "welch"}
        Test for continuous rows: our reading of SPSS's output by Levene's test
        (default; ``"paper"`` is an alias) or one line for every row.

    Returns
    -------
    DataFrame
        One row per characteristic, in the paper's order, with the columns of
        :data:`TABLE1_COLUMNS`: group respondents ``*_n``; yes/no rows ``*_count``,
        ``*_pct`` (valid percent); continuous rows ``*_mean``, ``*_sd``; the reported
        ``test``, ``p`` and ``why``; and the alternatives behind the choice (both
        chi-squared and Fisher p with the smallest expected count and the number of
        cells below 5; Levene F and p with both t tests).
    """
    rows = [
        binary_row(trial, c.key, binary_test=binary_test)
        if c.kind == "binary"
        else continuous_row(trial, c.key, levene_alpha=levene_alpha, t_test=t_test)
        for c in CHARACTERISTICS
    ]
    table = pd.DataFrame(rows, columns=TABLE1_COLUMNS)
    for col in ("ips_n", "tau_n", "ips_count", "tau_count", "cells_below_min"):
        table[col] = table[col].astype("Int64")
    return table


# --------------------------------------------------------------------------- ledger & display


def table1_values(table: pd.DataFrame, trial: pd.DataFrame | None = None) -> dict[str, float]:
    """Every number of a computed Table 1 under its ledger key ``t1.<row>.<stat>``.

    Stats: ``ips_count, ips_pct, tau_count, tau_pct`` (yes/no rows), ``ips_mean,
    ips_sd, tau_mean, tau_sd`` (continuous rows), ``p`` (where a test was run); with
    `trial`, the header's group sizes ``t1.ips_n`` and ``t1.tau_n``.
    """
    out: dict[str, float] = {}
    if trial is not None:
        for g in GROUPS:
            out[f"t1.{g.lower()}_n"] = int((trial["group"] == g).sum())
    stats_by_kind = {
        "binary": ("ips_count", "ips_pct", "tau_count", "tau_pct"),
        "continuous": ("ips_mean", "ips_sd", "tau_mean", "tau_sd"),
    }
    for _, r in table.iterrows():
        for stat in stats_by_kind[r["kind"]]:
            out[f"t1.{r['key']}.{stat}"] = float(r[stat])
        if r["test"] not in ("", "none"):
            out[f"t1.{r['key']}.p"] = float(r["p"])
    return out


def printed_table1_values(table: pd.DataFrame, trial: pd.DataFrame | None = None) -> dict[str, float]:
    """The subset of :func:`table1_values` that the paper prints (its ``t1.*`` ledger keys).

    The paper prints no p for the benefit rows and for time out of work; those p-values
    are computed and shown but have no published counterpart in the ledger.
    """
    printed = set(load_published().index)
    return {k: v for k, v in table1_values(table, trial).items() if k in printed}


def table1_hints(table: pd.DataFrame) -> dict[str, dict]:
    """What else a Table 1 number could have been computed as, for the notes of
    discrepant ledger rows (:func:`ipsrep.analyses.paper.compare`'s `alternatives`
    and `counts`, the keys of the dict returned): each p's other tests (Pearson,
    Fisher; Student, Welch) and each percentage's count and denominator (respondents),
    so that another n is tried."""
    labels = {"p_chi2": "Pearson's chi-squared test", "p_fisher": "Fisher's exact test",
              "p_student": "Student's t test", "p_welch": "Welch's t test"}
    alternatives: dict[str, dict[str, float]] = {}
    counts: dict[str, tuple[int, int]] = {}
    for _, r in table.iterrows():
        if r["kind"] == "binary":
            for g in ("ips", "tau"):
                if not pd.isna(r[f"{g}_count"]) and r[f"{g}_n"]:
                    counts[f"t1.{r['key']}.{g}_pct"] = (int(r[f"{g}_count"]), int(r[f"{g}_n"]))
        found = {label: float(r[col]) for col, label in labels.items() if not pd.isna(r[col])}
        if found:
            alternatives[f"t1.{r['key']}.p"] = found
    return {"alternatives": alternatives, "counts": counts}


def _fmt_count(count, pct) -> str:
    if pd.isna(count):
        return ""
    return f"{int(count)} ({half_up(pct, 1)})" if not pd.isna(pct) else f"{int(count)}"


def _fmt_mean(mean, sd) -> str:
    if pd.isna(mean):
        return ""
    return mean_sd(mean, sd)


def _printed_cell(published: pd.DataFrame, key: str, kind: str, group: str) -> str:
    stats_ = ("count", "pct") if kind == "binary" else ("mean", "sd")
    keys = [f"t1.{key}.{group}_{s}" for s in stats_]
    if not all(k in published.index for k in keys):
        return ""
    first, second = (published.at[k, "printed"] for k in keys)
    return f"{first} ({second})"


def side_by_side(table: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Table 1 for reading: printed cells beside the cells computed from the data.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`table1`.
    bundled : bool
        Include the paper's printed cells (from ``data/published/trial.csv``); set False
        for data other than the bundled reconstruction.

    Returns
    -------
    DataFrame
        One row per characteristic: ``Characteristic``; for IPS and TAU the cell as
        ``n (%)`` or ``mean (SD)`` (``paper`` and ``data``); the p-value (``paper`` and
        ``data``); the test used, the denominators in the data (``n IPS / TAU``) and why
        the test was chosen (``Why``: the report sets it as a footnote). Yes/no cells
        report the count with its valid percent, continuous cells the mean with its SD.
    """
    pub = load_published() if bundled else None
    rows = []
    for _, r in table.iterrows():
        row = {"Characteristic": r["label"]}
        for g in GROUPS:
            pre = g.lower()
            if pub is not None:
                row[f"{g} paper"] = _printed_cell(pub, r["key"], r["kind"], pre)
            if r["kind"] == "binary":
                row[f"{g} data"] = _fmt_count(r[f"{pre}_count"], r[f"{pre}_pct"])
            else:
                row[f"{g} data"] = _fmt_mean(r[f"{pre}_mean"], r[f"{pre}_sd"])
        if pub is not None:
            pkey = f"t1.{r['key']}.p"
            row["P paper"] = pub.at[pkey, "printed"] if pkey in pub.index else ""
        row["P data"] = format_p(r["p"])
        row["Test"] = TEST_SHORT.get(r["test"], r["test"])
        row["n IPS / TAU"] = " / ".join(str(int(r[f"{g.lower()}_n"])) for g in GROUPS)
        row["Why"] = r["why"]
        rows.append(row)
    return pd.DataFrame(rows)


TEST_SHORT = {"Pearson chi-squared": "χ²", "Fisher's exact": "Fisher", "Student t": "Student t",
              "Welch t": "Welch t", "none": "none"}
"""The test named in a Table 1 cell (the "Why" note below the table says why it was chosen)."""


def alternatives(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The alternatives behind each p of Table 1, for the teaching notes.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`table1`.
    kind : {"binary", "continuous"}
        Which rows: yes/no rows (chi-squared against Fisher) or continuous rows
        (Student against Welch, with Levene's test).

    Returns
    -------
    DataFrame
        One row per tested characteristic of that kind: ``key``, ``test``, ``p`` and,
        for yes/no rows, ``p_chi2``, ``p_fisher``, ``min_expected``, ``cells_below_min``;
        for continuous rows ``levene_F``, ``levene_p``, ``p_student``, ``p_welch``.
    """
    _check_choice("kind", kind, ("binary", "continuous"))
    extra = (
        ["p_chi2", "p_fisher", "min_expected", "cells_below_min"]
        if kind == "binary"
        else ["levene_F", "levene_p", "p_student", "p_welch"]
    )
    tested = table[(table["kind"] == kind) & ~table["test"].isin(["", "none"])]
    return tested[["key", "test", "p", *extra]].reset_index(drop=True)


def percent_inconsistencies(published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Printed Table 1 count/percent pairs that no whole-number denominator can produce.

    A valid percent ``100 * count / n`` is printed beside its count; the denominator
    ``n`` (the group's respondents to the item) is not printed but must be a whole
    number between the count and the group size of the table header. A printed percent
    that no such ``n`` rounds to (ties either way, as :func:`ipsrep.methods.rounding.rounds_to`)
    cannot be reproduced by any data: the paper's numbers disagree with each other.

    Parameters
    ----------
    published : DataFrame, optional
        Published numbers (default: :func:`ipsrep.inputs.published.load_published`).

    Returns
    -------
    DataFrame
        One row per inconsistent pair: ``key`` (the percent's ledger key), ``count``,
        ``printed`` (the percent as printed), ``group_size``, ``nearest_n`` and
        ``nearest_pct`` (the denominator whose percent comes closest), and ``note``.
    """
    pub = load_published() if published is None else published
    rows = []
    for key in pub.index:
        if not (key.startswith("t1.") and key.endswith("_pct")):
            continue
        stem, stat = key.rsplit(".", 1)
        group = stat.removesuffix("_pct")
        count_key, size_key = f"{stem}.{group}_count", f"t1.{group}_n"
        if count_key not in pub.index or size_key not in pub.index:
            continue
        count, size = int(pub.at[count_key, "value"]), int(pub.at[size_key, "value"])
        printed = pub.at[key, "printed"]
        candidates = range(max(count, 1), size + 1)
        if any(rounds_to(100.0 * count / n, printed) for n in candidates):
            continue
        nearest = min(candidates, key=lambda n: abs(100.0 * count / n - float(printed)))
        pct = 100.0 * count / nearest
        decimals = len(printed.split(".")[1]) if "." in printed else 0
        truncated = math.floor(pct * 10**decimals) / 10**decimals == float(printed)
        rows.append(
            {
                "key": key,
                "count": count,
                "printed": printed,
                "group_size": size,
                "nearest_n": nearest,
                "nearest_pct": pct,
                "note": (
                    f"no whole denominator up to {size} turns {count} into {printed}% after rounding; "
                    f"the closest, {count}/{nearest} = {pct:.2f}%, prints as {pct:.{decimals}f}"
                    + (" (the printed figure is this value truncated)" if truncated else "")
                ),
            }
        )
    return pd.DataFrame(rows, columns=["key", "count", "printed", "group_size", "nearest_n", "nearest_pct", "note"])


def ledger_annotations(published: pd.DataFrame | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Ledger ``status`` overrides and ``notes`` for Table 1 keys the paper contradicts.

    Every pair found by :func:`percent_inconsistencies` is marked
    ``source_inconsistent`` with its explanation; pass both dicts to
    :func:`ipsrep.analyses.paper.compare`.
    """
    bad = percent_inconsistencies(published)
    status = {k: "source_inconsistent" for k in bad["key"]}
    notes = dict(zip(bad["key"], bad["note"], strict=True))
    return status, notes
