"""Research question 3, unadjusted: health and quality of life by group and visit.

Everything here reads the participant-level table of the data contract (one row per
participant, ``<measure>_<visit>`` columns for the nine repeated health measures of
:mod:`ipsrep.inputs.measures`) and returns tidy aggregates; no participant rows leave this
module except through :func:`long_format`, which the mixed models use.

- :func:`table3`: the trial paper's Table 3 (Sveinsdottir et al. 2022): n, mean and SD
  per group at 6 and 12 months, Levene's test and both t-test variants, which variant the
  customary SPSS rule picks, and our Holm adjustment over the 18 comparisons;
- :func:`printed_variant`: which t-test variant gives the p-value the paper printed,
  from the printed summaries alone; :func:`rule_versus_printed` sets it beside the
  variant Levene's rule picks on the data in use;
- :func:`trajectories`: mean with a t-based confidence interval per group and visit,
  baseline included, for the small-multiple figure;
- :func:`table3_ledger_values`: the ``t3.*`` numbers keyed as in the ledger.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.analyses.employment import no_answers_reason
from ipsrep.inputs.measures import GROUPS, MEASURES, VISITS
from ipsrep.inputs.measures import measure as lookup_measure
from ipsrep.methods.formatting import format_p, half_up, mean_sd, p_statement

__all__ = [
    "long_format",
    "table3",
    "printed_variant",
    "rule_versus_printed",
    "rule_versus_printed_text",
    "trajectories",
    "table3_ledger_values",
    "table3_display",
    "table3_ledger",
    "TABLE3_VISITS",
]

TABLE3_VISITS: tuple[str, ...] = ("6m", "12m")
"""Follow-up visits compared in Table 3 (baseline is in Table 1)."""

VISIT_INDEX = {v: i for i, v in enumerate(VISITS)}
VISIT_MONTHS = {"0m": 0, "6m": 6, "12m": 12}


def _measure_names(measures) -> list[str]:
    names = [m.name for m in MEASURES] if measures is None else list(measures)
    for name in names:
        lookup_measure(name)  # raises a KeyError naming the known measures
    return names


def long_format(trial: pd.DataFrame, measures=None) -> pd.DataFrame:
    """Repeated health measures in long form, one row per observed score.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table in the data contract (``participant_id``, ``group``,
        ``<measure>_<visit>``).
    measures : list of str, optional
        Measure stems (default: all nine of :data:`ipsrep.inputs.measures.MEASURES`).

    Returns
    -------
    DataFrame
        Columns ``participant_id, group, measure, visit, visit_index`` (0, 1, 2),
        ``months`` (0, 6, 12), ``value``; missing scores are left out, so a participant
        contributes as many rows per measure as visits answered.
    """
    names = _measure_names(measures)
    frames = []
    for name in names:
        cols = {lookup_measure(name).column(v): v for v in VISITS}
        part = trial[["participant_id", "group", *cols]].melt(
            id_vars=["participant_id", "group"], var_name="column", value_name="value"
        )
        part["visit"] = part["column"].map(cols)
        part["measure"] = name
        frames.append(part.drop(columns="column"))
    long = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    long["value"] = long["value"].astype(float)
    long["visit_index"] = long["visit"].map(VISIT_INDEX).astype(int)
    long["months"] = long["visit"].map(VISIT_MONTHS).astype(int)
    columns = ["participant_id", "group", "measure", "visit", "visit_index", "months", "value"]
    order = {n: i for i, n in enumerate(names)}
    long = long.assign(_m=long["measure"].map(order))
    return long.sort_values(["_m", "participant_id", "visit_index"])[columns].reset_index(drop=True)


def _group_values(trial: pd.DataFrame, column: str, group: str) -> np.ndarray:
    return trial.loc[trial["group"] == group, column].dropna().to_numpy(dtype=float)


def table3(trial: pd.DataFrame, *, alpha: float = 0.05, levene_alpha: float = 0.05, measures=None,
           visits=TABLE3_VISITS) -> pd.DataFrame:
    """Table 3 of the trial paper: unadjusted group comparison at each follow-up.

    For every measure and follow-up visit: complete-case n, mean and SD (n - 1) per
    group, Levene's test (mean-centred, as SPSS prints it), Student's pooled-variance
    and Welch's t-test, the p-value the customary SPSS reading picks (Welch's row when
    Levene's p < `levene_alpha`, otherwise Student's) and Holm's step-down adjustment of that
    p over all rows of the table.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table in the data contract.
    alpha : float, default 0.05
        Significance level of the ``significant`` flags (two-sided).
    levene_alpha : float, default 0.05
        Level at which Levene's test picks Welch's row (our reading of the SPSS output
        the paper used; it is not stated in the paper).
    measures : list of str, optional
        Measure stems (default: all nine).
    visits : tuple of str
        Visits compared (default 6 and 12 months, as in the paper).

    Returns
    -------
    DataFrame
        One row per measure and visit: ``measure, visit, ips_n, ips_mean, ips_sd,
        tau_n, tau_mean, tau_sd, diff`` (IPS minus TAU), ``levene_F, levene_p,
        t_student, df_student, p_student, t_welch, df_welch, p_welch, rule`` (the
        variant the SPSS rule picks: ``student`` or ``welch``), ``p, p_holm``
        (our addition, not in the paper), ``significant`` (``p < alpha``) and
        ``significant_holm``.

    Notes
    -----
    The t-tests and Levene's test come from :func:`ipsrep.methods.ttests.spss_ttest`, the Holm
    adjustment from :func:`ipsrep.methods.multiplicity.holm` (Holm 1979). The paper only says "t tests"
    (Statistical Analyses, research question 3); :func:`printed_variant` finds which
    variant its printed p-values match.

    References
    ----------
    Sveinsdottir V, et al. Pain Med 2022;23(10):1757-66, Table 3.
    Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat 1979;6:65-70.
    """
    from ipsrep.methods.multiplicity import holm
    from ipsrep.methods.ttests import spss_ttest

    rows = []
    for name in _measure_names(measures):
        for visit in visits:
            column = lookup_measure(name).column(visit)
            ips, tau = (_group_values(trial, column, g) for g in GROUPS)
            row = {
                "measure": name,
                "visit": visit,
                "ips_n": len(ips),
                "ips_mean": ips.mean() if len(ips) else np.nan,
                "ips_sd": ips.std(ddof=1) if len(ips) > 1 else np.nan,
                "tau_n": len(tau),
                "tau_mean": tau.mean() if len(tau) else np.nan,
                "tau_sd": tau.std(ddof=1) if len(tau) > 1 else np.nan,
            }
            row["diff"] = row["ips_mean"] - row["tau_mean"]
            row.update(dict.fromkeys(_TEST_COLUMNS, np.nan), test="",
                       reason=no_answers_reason(column, {"IPS": len(ips), "TAU": len(tau)}, minimum=2))
            if not row["reason"]:
                test = spss_ttest(ips, tau, levene_alpha=levene_alpha).iloc[0]
                row.update(
                    levene_F=test["levene_F"], levene_p=test["levene_p"],
                    t_student=test["t_student"], df_student=test["df_student"], p_student=test["p_student"],
                    t_welch=test["t_welch"], df_welch=test["df_welch"], p_welch=test["p_welch"],
                    test=test["test"], p=test["p"],
                )
            rows.append(row)
    table = pd.DataFrame(rows)
    if not table.empty:
        tested = table["p"].notna()
        table["p_holm"] = np.nan
        if tested.any():  # none when no row has two values per group
            table.loc[tested, "p_holm"] = np.asarray(holm(table.loc[tested, "p"].to_numpy()), dtype=float)
        table["significant"] = table["p"] < alpha
        table["significant_holm"] = table["p_holm"] < alpha
    return table


def _p_range(windows: dict[str, tuple[float, float]], n_a: int, n_b: int, equal_var: bool) -> tuple[float, float]:
    """Smallest and largest two-sided t-test p over the corners of the rounding windows.

    |t| is monotone in each mean and each SD while the mean difference keeps its sign,
    so the extremes over the box lie at its corners; a box in which the difference can
    change sign reaches p = 1.
    """
    ps = []
    for ma, sa, mb, sb in itertools.product(windows["ips_mean"], windows["ips_sd"],
                                            windows["tau_mean"], windows["tau_sd"]):
        ps.append(sps.ttest_ind_from_stats(ma, max(sa, 1e-12), n_a, mb, max(sb, 1e-12), n_b,
                                           equal_var=equal_var).pvalue)
    low_diff = windows["ips_mean"][0] - windows["tau_mean"][1]
    high_diff = windows["ips_mean"][1] - windows["tau_mean"][0]
    top = 1.0 if low_diff <= 0 <= high_diff else max(ps)
    return float(min(ps)), float(top)


def printed_variant(*, visits=TABLE3_VISITS) -> pd.DataFrame:
    """Which t-test variant the paper printed in Table 3, decided from its own summaries.

    For each row, Student's and Welch's p are computed over every mean and SD that
    rounds to the printed ones (:func:`ipsrep.methods.rounding.rounding_window`); a variant
    "admits" the printed p when the range it can reach overlaps the printed p's
    rounding window. When both or neither admit it, ``closest`` (the variant whose p at
    the printed summaries is nearer) breaks the tie. No participant data are used.

    Returns
    -------
    DataFrame
        ``measure, visit, p_printed, p_student, p_welch`` (at the printed summaries),
        ``student_admits, welch_admits``, ``printed`` (``student``, ``welch``,
        ``both`` or ``neither``) and ``closest``.

    References
    ----------
    Sveinsdottir V, et al. Pain Med 2022;23(10):1757-66, Table 3.
    """
    from ipsrep.inputs.published import load_published
    from ipsrep.methods.rounding import rounding_window

    pub = load_published()
    rows = []
    for m in MEASURES:
        for visit in visits:
            stem = f"t3.{m.name}.{visit}."
            text = {k: str(pub.at[stem + k, "printed"])
                    for k in ("ips_n", "ips_mean", "ips_sd", "tau_n", "tau_mean", "tau_sd", "p")}
            num = {k: float(v) for k, v in text.items()}
            n_a, n_b = int(num["ips_n"]), int(num["tau_n"])
            windows = {k: rounding_window(text[k]) for k in ("ips_mean", "ips_sd", "tau_mean", "tau_sd")}
            p_low, p_high = rounding_window(text["p"])
            at = {kind: float(sps.ttest_ind_from_stats(num["ips_mean"], num["ips_sd"], n_a, num["tau_mean"],
                                                       num["tau_sd"], n_b, equal_var=kind == "student").pvalue)
                  for kind in ("student", "welch")}
            admits = {}
            for kind in ("student", "welch"):
                lo, hi = _p_range(windows, n_a, n_b, equal_var=kind == "student")
                admits[kind] = lo <= p_high and hi >= p_low
            closest = min(("student", "welch"), key=lambda k: abs(at[k] - num["p"]))
            printed = ("both" if all(admits.values()) else "neither" if not any(admits.values())
                       else "student" if admits["student"] else "welch")
            rows.append({"measure": m.name, "visit": visit, "p_printed": num["p"],
                         "p_student": at["student"], "p_welch": at["welch"],
                         "student_admits": admits["student"], "welch_admits": admits["welch"],
                         "printed": printed, "closest": closest})
    return pd.DataFrame(rows)


def rule_versus_printed(table: pd.DataFrame) -> pd.DataFrame:
    """Set the variant Levene's rule picks on the data beside the one the paper printed.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`table3`.

    Returns
    -------
    DataFrame
        ``measure, visit, levene_p, test, p, p_printed, printed`` (see
        :func:`printed_variant`; ``both`` becomes the rule's own pick, since either
        reading fits) and ``agrees`` (the rule picks the variant the paper printed).
    """
    printed = printed_variant(visits=tuple(table["visit"].unique()))
    both = table[["measure", "visit", "levene_p", "test", "p"]].merge(
        printed[["measure", "visit", "p_printed", "printed", "closest"]], on=["measure", "visit"], how="left")
    paper = np.where(both["printed"] == "neither", both["closest"], both["printed"])
    both["printed"] = np.where(paper == "both", both["test"], paper)
    both["agrees"] = both["printed"] == both["test"]
    return both.drop(columns="closest")


def rule_versus_printed_text(check: pd.DataFrame) -> str:
    """How many printed Table 3 p-values are Welch's, and in how many rows Levene's rule
    picks the printed variant on the data in use (Markdown).

    Parameters
    ----------
    check : DataFrame
        Output of :func:`rule_versus_printed`.
    """
    n_welch = int((check["printed"] == "welch").sum())
    return (f"The printed p-values are Welch's in **{n_welch}** of the {len(check)} rows and Student's in the "
            "others (where both variants could give the printed p, the rule's own pick is shown). On the data "
            f"in use, Levene's rule picks the same variant in **{int(check['agrees'].sum())} of {len(check)}** rows.")


def trajectories(trial: pd.DataFrame, *, level: float = 0.95, measures=None) -> pd.DataFrame:
    """Mean score per group and visit with a t-based confidence interval.

    Complete cases at each visit (the same participants Table 1 and Table 3 summarise),
    baseline included. The interval is mean +/- t(level, n - 1) * SD / sqrt(n).

    Returns
    -------
    DataFrame
        ``measure, group, visit, months, n, mean, sd, se, ci_low, ci_high``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    long = long_format(trial, measures)
    stats = (
        long.groupby(["measure", "group", "visit", "months"], sort=False)["value"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    stats["se"] = stats["sd"] / np.sqrt(stats["n"])
    tcrit = sps.t.ppf(0.5 + level / 2, stats["n"] - 1)
    stats["ci_low"] = stats["mean"] - tcrit * stats["se"]
    stats["ci_high"] = stats["mean"] + tcrit * stats["se"]
    return stats.sort_values(["measure", "group", "months"], key=_measure_order).reset_index(drop=True)


_TEST_COLUMNS = ("levene_F", "levene_p", "t_student", "df_student", "p_student", "t_welch", "df_welch", "p_welch",
                 "p")


def _measure_order(col: pd.Series) -> pd.Series:
    if col.name == "measure":
        order = {m.name: i for i, m in enumerate(MEASURES)}
        return col.map(order)
    return col


def table3_ledger_values(table: pd.DataFrame) -> dict[str, float]:
    """Table 3 numbers keyed as in the ledger: ``t3.<measure>.<visit>.<ips_n|...|p>``.

    The ``p`` entry is the SPSS-rule p-value (``p``); the paper does not say which
    variant it printed, and :func:`printed_variant` shows which one it was.
    """
    out = {}
    for _, r in table.iterrows():
        stem = f"t3.{r['measure']}.{r['visit']}"
        for col in ("ips_n", "ips_mean", "ips_sd", "tau_n", "tau_mean", "tau_sd"):
            out[f"{stem}.{col}"] = float(r[col])
        out[f"{stem}.p"] = float(r["p"])
    return out


def table3_display(table: pd.DataFrame, *, bundled: bool, t_test: str = "rule") -> pd.DataFrame:
    """Table 3 as printed beside as recomputed, one text row per source.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`table3`.
    bundled : bool
        Interleave the paper's rows (meaningful on the bundled reconstruction only).
    t_test : {"rule", "student", "welch"}
        Which recomputed p to show: Levene's rule's pick, or one variant for all rows.

    Returns
    -------
    DataFrame
        Index (``measure, visit, source``), source ``paper`` or ``recomputed``; columns
        ``IPS n, IPS mean (SD), TAU n, TAU mean (SD), p`` (the paper's p, or ours with
        the variant in brackets) and ``Holm p (ours)`` (our addition, recomputed rows only).
    """
    from ipsrep.inputs.published import load_published

    if t_test not in ("rule", "student", "welch"):
        raise ValueError(f"t_test must be 'rule', 'student' or 'welch', got {t_test!r}")
    pub = load_published() if bundled else None
    rows = []
    for _, r in table.iterrows():
        key = (r["measure"], r["visit"])
        used = (r["test"] or "student") if t_test == "rule" else t_test
        if pub is not None:
            k = lambda q, r=r, pub=pub: str(pub.at[f"t3.{r['measure']}.{r['visit']}.{q}", "printed"])  # noqa: E731
            rows.append({"measure": key[0], "visit": key[1], "source": "paper", "IPS n": k("ips_n"),
                         "IPS mean (SD)": f"{k('ips_mean')} ({k('ips_sd')})", "TAU n": k("tau_n"),
                         "TAU mean (SD)": f"{k('tau_mean')} ({k('tau_sd')})", "p": k("p"), "Holm p (ours)": ""})
        rows.append({"measure": key[0], "visit": key[1], "source": "recomputed", "IPS n": str(int(r["ips_n"])),
                     "IPS mean (SD)": mean_sd(r["ips_mean"], r["ips_sd"]) if r["ips_n"] else "no values",
                     "TAU n": str(int(r["tau_n"])),
                     "TAU mean (SD)": mean_sd(r["tau_mean"], r["tau_sd"]) if r["tau_n"] else "no values",
                     "p": f"{half_up(r[f'p_{used}'], 3)} ({used})" if not r["reason"] else r["reason"],
                     "Holm p (ours)": format_p(r['p_holm']) if not r["reason"] else ""})
    return pd.DataFrame(rows).set_index(["measure", "visit", "source"])


def table3_ledger(table: pd.DataFrame, *, bundled: bool, t_test: str = "rule") -> pd.DataFrame:
    """Ledger rows ``t3.*`` for Table 3, with the p of the chosen t-test variant.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`table3`.
    bundled : bool
        Compare with the printed numbers (True only on the bundled reconstruction).
    t_test : {"rule", "student", "welch"}
        Which p goes into ``t3.*.p``: the one Levene's rule picks, or one variant for all.

    Returns
    -------
    DataFrame
        Rows of :func:`ipsrep.analyses.paper.compare`; each p row's note names the variant used
        and the variant the paper printed (:func:`printed_variant`).
    """
    from ipsrep.analyses.paper import compare

    if t_test not in ("rule", "student", "welch"):
        raise ValueError(f"t_test must be 'rule', 'student' or 'welch', got {t_test!r}")
    values = table3_ledger_values(table)
    notes, alternatives = {}, {}
    printed = rule_versus_printed(table).set_index(["measure", "visit"])
    for _, r in table.iterrows():
        key = f"t3.{r['measure']}.{r['visit']}.p"
        if r["reason"]:
            values[key] = np.nan
            stem = f"t3.{r['measure']}.{r['visit']}."
            notes.update({stem + q: f"{r['measure']} {r['visit']}: {r['reason']}"
                          for q in ("p", "ips_mean", "ips_sd", "tau_mean", "tau_sd") if np.isnan(values[stem + q])})
            continue
        used = r["test"] if t_test == "rule" else t_test
        values[key] = float(r[f"p_{used}"])
        paper = printed.at[(r["measure"], r["visit"]), "printed"]
        # pandas-stubs types a cell as any scalar, bytes included; this one holds a test's name
        notes[key] = f"{used} t-test (Levene {p_statement(r['levene_p'])}); the paper's p is the {paper} test"  # type: ignore[str-bytes-safe]
        alternatives[key] = {"Student's t test": float(r["p_student"]), "Welch's t test": float(r["p_welch"])}
    return compare(values, bundled=bundled, notes=notes, alternatives=alternatives)
