"""Proportions: the 2x2 table of two groups as the trial paper tested it, and the
confidence interval of one proportion (Wilson, Clopper-Pearson).

The trial's analysis plan (Sveinsdottir et al. 2022, Methods, Statistical Analyses):
2x2 tables by Pearson chi-squared without continuity correction, with Fisher's exact p
where an expected count is below 5, and odds ratios with 95% confidence intervals.
Every function returns plain floats or a tidy :class:`pandas.DataFrame` and prints
nothing; bad arguments raise :class:`ValueError`.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from ipsrep.methods.arguments import check_count, check_level

__all__ = ["two_by_two", "wilson_interval", "clopper_pearson_interval"]


def two_by_two(a: int, n1: int, b: int, n2: int, *, level: float = 0.95) -> pd.DataFrame:
    """Compare two proportions a/n1 and b/n2 as the trial paper did.

    Parameters
    ----------
    a, n1 : int
        Participants with the event, and participants analysed, in the first group
        (the trial's IPS group); ``0 <= a <= n1``, ``n1 >= 1``.
    b, n2 : int
        The same for the second group (the control group, TAU).
    level : float, default 0.95
        Confidence level of the odds-ratio interval.

    Returns
    -------
    pandas.DataFrame
        One row with columns

        - ``a, n1, pct1``: first group's count, size and percentage (``100 a / n1``);
        - ``b, n2, pct2``: the same for the second group;
        - ``chi2, p_chi2``: Pearson chi-squared (1 df, no continuity correction) and p;
        - ``chi2_yates, p_yates``: the same with Yates' continuity correction;
        - ``p_fisher``: Fisher's exact test, two-sided;
        - ``min_expected``: the smallest expected cell count under independence;
        - ``p, test``: the p the paper's rule reports and which test gave it
          (``"fisher"`` when an expected count is below 5, else ``"pearson"``);
        - ``odds_ratio, ci_low, ci_high``: odds ratio of the event (group 1 versus
          group 2) with its Woolf (log) confidence interval;
        - ``haldane``: True when a zero cell made the odds ratio use the
          Haldane-Anscombe correction (see Notes).

        When a margin of the table is zero (no one, or everyone, had the event) the
        chi-squared statistics are undefined and reported as NaN; ``p`` is then
        Fisher's p (which is 1).

    Notes
    -----
    The table has rows group 1 / group 2 and columns event / no event:
    ``[[a, n1 - a], [b, n2 - b]]``. Pearson's statistic is
    :math:`\\chi^2 = \\sum (O - E)^2 / E` with :math:`E = r_i c_j / N`
    (:func:`scipy.stats.chi2_contingency` with ``correction=False``); Fisher's
    two-sided p sums the hypergeometric probabilities of all tables with the same
    margins that are no more probable than the observed one
    (:func:`scipy.stats.fisher_exact`), as SPSS's "Exact Sig. (2-sided)" does.

    The odds ratio is :math:`OR = a d / (b c)` and its Woolf interval is
    :math:`\\exp(\\log OR \\pm z_{1-\\alpha/2} \\sqrt{1/a + 1/b + 1/c + 1/d})`
    (statsmodels :class:`~statsmodels.stats.contingency_tables.Table2x2`). With a zero
    cell this is undefined; we then add 0.5 to every cell (Haldane 1956, Anscombe
    1956) and flag ``haldane``. This is a choice: SPSS prints no risk estimate for
    such a table, and statsmodels' own ``shift_zeros`` adds 0.5 to the zero cells
    only, which is neither Haldane's nor SPSS's convention. No table in the trial
    paper has a zero cell.

    References
    ----------
    Woolf B. On estimating the relation between blood group and disease. Ann Hum Genet
    1955;19:251-3. Haldane JBS. The estimation and significance of the logarithm of a
    ratio of frequencies. Ann Hum Genet 1956;20:309-11. Sveinsdottir et al. Pain Med
    2022, Statistical Analyses (chi-squared, exact p when an expected count < 5, ORs).

    Examples
    --------
    >>> row = two_by_two(19, 36, 7, 18)
    >>> row.round(2).loc[0, ["odds_ratio", "ci_low", "ci_high"]].tolist()
    [1.76, 0.56, 5.56]
    >>> round(float(row.loc[0, "p"]), 3), row.loc[0, "test"]
    (0.336, 'pearson')
    >>> two_by_two(6, 34, 2, 17).loc[0, "test"]
    'fisher'
    """
    a, n1, b, n2 = (check_count(k, v) for k, v in (("a", a), ("n1", n1), ("b", b), ("n2", n2)))
    level = check_level("level", level)
    for name, n in (("n1", n1), ("n2", n2)):
        if n < 1:
            raise ValueError(f"{name} must be at least 1, got {n}")
    for name, count, nname, n in (("a", a, "n1", n1), ("b", b, "n2", n2)):
        if not 0 <= count <= n:
            raise ValueError(f"{name} must lie between 0 and {nname} ({n}), got {count}")

    table = np.array([[a, n1 - a], [b, n2 - b]], dtype=float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    min_expected = float(expected.min())
    if min_expected > 0:
        chi2, p_chi2, _, _ = sps.chi2_contingency(table, correction=False)
        chi2_y, p_y, _, _ = sps.chi2_contingency(table, correction=True)
    else:
        chi2 = p_chi2 = chi2_y = p_y = math.nan
    p_fisher = float(sps.fisher_exact(table.astype(int), alternative="two-sided").pvalue)
    rule = "fisher" if min_expected < 5 else "pearson"
    p_rule = p_fisher if rule == "fisher" else float(p_chi2)

    haldane = bool((table == 0).any())
    t22 = Table2x2(table + 0.5 if haldane else table, shift_zeros=False)
    ci_low, ci_high = t22.oddsratio_confint(alpha=1 - level, method="normal")

    return pd.DataFrame(
        [
            {
                "a": a, "n1": n1, "pct1": 100.0 * a / n1,
                "b": b, "n2": n2, "pct2": 100.0 * b / n2,
                "chi2": float(chi2), "p_chi2": float(p_chi2),
                "chi2_yates": float(chi2_y), "p_yates": float(p_y),
                "p_fisher": p_fisher, "min_expected": min_expected,
                "p": p_rule, "test": rule,
                "odds_ratio": float(t22.oddsratio),
                "ci_low": float(ci_low), "ci_high": float(ci_high),
                "haldane": haldane,
            }
        ]
    )


def _interval(count, n, level, method):
    count, n = check_count("count", count), check_count("n", n)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= count <= n:
        raise ValueError(f"count must lie between 0 and n ({n}), got {count}")
    level = check_level("level", level)
    low, high = proportion_confint(count, n, alpha=1 - level, method=method)
    return float(low), float(high)


def wilson_interval(count: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``count / n``.

    Parameters
    ----------
    count, n : int
        Successes and trials, ``0 <= count <= n``, ``n >= 1``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    (low, high) : tuple of float
        Interval bounds on the proportion scale (0-1).

    Notes
    -----
    The interval inverts the score test:
    :math:`\\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}`
    (statsmodels ``proportion_confint(method="wilson")``). It behaves well for the
    small groups of this trial, unlike the Wald interval.

    References
    ----------
    Wilson EB. Probable inference, the law of succession, and statistical inference.
    J Am Stat Assoc 1927;22:209-12.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(19, 36)]
    [0.3701, 0.6801]
    """
    return _interval(count, n, level, "wilson")


def clopper_pearson_interval(count: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson ("exact") interval for a proportion ``count / n``.

    Parameters and result as :func:`wilson_interval`.

    Notes
    -----
    Bounds are beta quantiles: :math:`B(\\alpha/2; x, n-x+1)` and
    :math:`B(1-\\alpha/2; x+1, n-x)` (statsmodels ``proportion_confint(method="beta")``);
    conservative, coverage at least the nominal level.

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the
    case of the binomial. Biometrika 1934;26:404-13.

    Examples
    --------
    >>> [round(v, 4) for v in clopper_pearson_interval(0, 10)]
    [0.0, 0.3085]
    """
    return _interval(count, n, level, "beta")
