"""Two-group t tests as SPSS's independent-samples procedure reports them: Student and
Welch side by side, Levene's test picking the row, from data or from printed summaries.

The trial's analysis plan compared two-group means with SPSS's independent-samples t-test
procedure (Sveinsdottir et al. 2022, Methods, Statistical Analyses). Every function
returns a tidy :class:`pandas.DataFrame` and prints nothing; bad arguments raise
:class:`ValueError`.
"""
from __future__ import annotations

import math

import pandas as pd
from scipy import stats as sps

from ipsrep.methods.arguments import check_count, check_level, sample

__all__ = ["spss_ttest", "ttest_from_summary"]


def _t_rows(mx, sx, n1, my, sy, n2, level):
    """Student and Welch t, df, p and CI of mx - my from summary statistics."""
    diff = mx - my
    z = {}
    for kind, equal_var in (("student", True), ("welch", False)):
        res = sps.ttest_ind_from_stats(mx, sx, n1, my, sy, n2, equal_var=equal_var)
        if equal_var:
            df = n1 + n2 - 2.0
            sp2 = ((n1 - 1) * sx**2 + (n2 - 1) * sy**2) / df
            se = math.sqrt(sp2 * (1.0 / n1 + 1.0 / n2))
        else:
            vx, vy = sx**2 / n1, sy**2 / n2
            se = math.sqrt(vx + vy)
            df = (vx + vy) ** 2 / (vx**2 / (n1 - 1) + vy**2 / (n2 - 1)) if se > 0 else math.nan
        half = float(sps.t.ppf(0.5 + level / 2, df)) * se if se > 0 else math.nan
        z[kind] = dict(t=float(res.statistic), df=float(df), p=float(res.pvalue),
                       ci_low=diff - half, ci_high=diff + half)
    return diff, z


def spss_ttest(x, y, *, center: str = "mean", levene_alpha: float = 0.05, level: float = 0.95) -> pd.DataFrame:
    """Independent-samples t-test the way SPSS reports it, with the row SPSS users pick.

    Parameters
    ----------
    x, y : array-like of float
        The two groups' values (e.g. hours worked in the IPS and TAU groups). Missing
        values (NaN, None) are dropped; each group needs at least two values.
    center : {"mean", "median", "trimmed"}, default "mean"
        Centre of Levene's absolute deviations. SPSS uses the mean (Levene's original
        test); ``"median"`` gives the Brown-Forsythe variant, for comparison.
    levene_alpha : float, default 0.05
        Level at which Levene's test picks the "equal variances not assumed" row.
    level : float, default 0.95
        Confidence level of the interval for the mean difference.

    Returns
    -------
    pandas.DataFrame
        One row with columns

        - ``n1, mean1, sd1`` and ``n2, mean2, sd2``: group sizes, means and
          sample standard deviations (n - 1 denominator);
        - ``levene_F, levene_p``: Levene's test for equal variances;
        - ``t_student, df_student, p_student``: the pooled-variance t-test
          ("equal variances assumed");
        - ``t_welch, df_welch, p_welch``: Welch's test ("not assumed"), with
          Welch-Satterthwaite degrees of freedom;
        - ``rule``: ``"welch"`` when ``levene_p < levene_alpha``, else ``"student"``;
        - ``p``: the p of that row;
        - ``diff, ci_low, ci_high``: ``mean1 - mean2`` and the confidence interval
          of the chosen row.

    Notes
    -----
    Levene's statistic is the one-way ANOVA F of :math:`|x_{ij} - \\bar x_i|`
    (:func:`scipy.stats.levene`). Student's t is
    :math:`(\\bar x - \\bar y) / (s_p \\sqrt{1/n_x + 1/n_y})` on :math:`n_x + n_y - 2`
    df; Welch's uses :math:`\\sqrt{s_x^2/n_x + s_y^2/n_y}` and the
    Welch-Satterthwaite df (:func:`scipy.stats.ttest_ind_from_stats`). Picking the
    row by a preliminary Levene test is what SPSS output invites and what the paper's
    "independent-samples t tests" most likely did; it is reproduced here, not
    recommended. When Levene's p is undefined (both groups constant) the Student row
    is kept.

    References
    ----------
    Levene H. Robust tests for equality of variances. In: Olkin I, ed. Contributions to
    Probability and Statistics. Stanford University Press; 1960:278-92. Welch BL. The
    generalization of "Student's" problem when several different population variances
    are involved. Biometrika 1947;34:28-35. IBM SPSS Statistics, T-TEST algorithms.
    Sveinsdottir et al. Pain Med 2022, Statistical Analyses.

    Examples
    --------
    >>> r = spss_ttest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12])
    >>> r[["t_student", "df_student"]].round(3).iloc[0].tolist()
    [-2.216, 9.0]
    >>> r.loc[0, "test"]
    'student'
    """
    if center not in ("mean", "median", "trimmed"):
        raise ValueError(f"center must be 'mean', 'median' or 'trimmed', got {center!r}")
    levene_alpha = check_level("levene_alpha", levene_alpha)
    level = check_level("level", level)
    x = sample("x", x, minimum=2)
    y = sample("y", y, minimum=2)
    mx, my = float(x.mean()), float(y.mean())
    sx, sy = float(x.std(ddof=1)), float(y.std(ddof=1))
    if sx == 0 and sy == 0:
        lev_f = lev_p = math.nan
    else:
        lev = sps.levene(x, y, center=center)
        lev_f, lev_p = float(lev.statistic), float(lev.pvalue)
    diff, rows = _t_rows(mx, sx, x.size, my, sy, y.size, level)
    rule = "welch" if (not math.isnan(lev_p) and lev_p < levene_alpha) else "student"
    chosen = rows[rule]
    return pd.DataFrame(
        [
            {
                "n1": int(x.size), "mean1": mx, "sd1": sx,
                "n2": int(y.size), "mean2": my, "sd2": sy,
                "levene_F": lev_f, "levene_p": lev_p,
                "t_student": rows["student"]["t"], "df_student": rows["student"]["df"],
                "p_student": rows["student"]["p"],
                "t_welch": rows["welch"]["t"], "df_welch": rows["welch"]["df"],
                "p_welch": rows["welch"]["p"],
                "test": rule, "p": chosen["p"],
                "diff": diff, "ci_low": chosen["ci_low"], "ci_high": chosen["ci_high"],
            }
        ]
    )


def ttest_from_summary(m1: float, s1: float, n1: int, m2: float, s2: float, n2: int,
                       *, level: float = 0.95) -> pd.DataFrame:
    """Student and Welch t-tests from printed means, SDs and sizes.

    Used to check a printed p against the printed summary statistics, without the
    participant data (e.g. hours worked, Results: mean, SD and n per group).

    Parameters
    ----------
    m1, s1, n1 : float, float, int
        Mean, sample standard deviation and size of group 1 (``n1 >= 2``, ``s1 >= 0``).
    m2, s2, n2 : float, float, int
        The same for group 2.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row: ``m1, s1, n1, m2, s2, n2`` as given; ``diff`` (``m1 - m2``);
        ``t_student, df_student, p_student, ci_low_student, ci_high_student``
        (pooled variance); ``t_welch, df_welch, p_welch, ci_low_welch,
        ci_high_welch`` (Welch-Satterthwaite).

    Notes
    -----
    :func:`scipy.stats.ttest_ind_from_stats` with ``equal_var`` True and False; the
    formulas are those of :func:`spss_ttest`. Levene's test needs the data, so which
    row SPSS would have shown cannot be decided from summaries; the caller sees both.

    References
    ----------
    Welch BL. Biometrika 1947;34:28-35.

    Examples
    --------
    >>> r = ttest_from_summary(10, 2, 20, 8, 2, 20)
    >>> r[["t_student", "p_student"]].round(4).iloc[0].tolist()
    [3.1623, 0.0031]
    """
    vals = {}
    for name, v in (("m1", m1), ("s1", s1), ("m2", m2), ("s2", s2)):
        try:
            vals[name] = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, got {v!r}") from None
        if not math.isfinite(vals[name]):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    for name in ("s1", "s2"):
        if vals[name] < 0:
            raise ValueError(f"{name} is a standard deviation and must be >= 0, got {vals[name]}")
    n1, n2 = check_count("n1", n1), check_count("n2", n2)
    for name, n in (("n1", n1), ("n2", n2)):
        if n < 2:
            raise ValueError(f"{name} must be at least 2, got {n}")
    level = check_level("level", level)
    diff, rows = _t_rows(vals["m1"], vals["s1"], n1, vals["m2"], vals["s2"], n2, level)
    out = {"m1": vals["m1"], "s1": vals["s1"], "n1": n1,
           "m2": vals["m2"], "s2": vals["s2"], "n2": n2, "diff": diff}
    for kind in ("student", "welch"):
        r = rows[kind]
        out.update({f"t_{kind}": r["t"], f"df_{kind}": r["df"], f"p_{kind}": r["p"],
                    f"ci_low_{kind}": r["ci_low"], f"ci_high_{kind}": r["ci_high"]})
    return pd.DataFrame([out])
