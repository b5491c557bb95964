"""How many participants' outcomes a 2x2 result hangs on: fragility indices and tipping points.

- :func:`rule_p_values`: the p of the trial paper's rule (Pearson chi-squared without
  continuity correction, Fisher's exact p where an expected count is below 5;
  :func:`ipsrep.methods.proportions.two_by_two`) for many tables at once;
- :func:`fragility_index`: the fewest participants whose outcome would have to be
  different for the test to reach the other side of alpha (the *reverse* fragility index
  for a non-significant result, the fragility index of Walsh et al. for a significant
  one), over changes in either arm or both, and within one arm only;
- :func:`tipping_grid`: every way the participants without an outcome could have
  turned out, arm by arm, with the rule's p and the odds ratio of each completed table.

Counts only; nothing is printed.

References
----------
Walsh M, Srinathan SK, McAuley DF, et al. The statistical significance of randomized
controlled trial results is frequently fragile: a case for a Fragility Index. J Clin
Epidemiol 2014;67:622-8. Khan MS, Fonarow GC, Friede T, et al. Application of the
reverse fragility index to statistically nonsignificant randomized clinical trial
results. JAMA Netw Open 2020;3:e2012469. Lin L. Factors that impact fragility index
and their visualizations. J Eval Clin Pract 2021;27:356-64.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.methods import proportions

__all__ = ["rule_p_values", "fragility_index", "tipping_grid", "MAX_TABLES"]

MAX_TABLES = 100_000_000
"""Most 2x2 tables :func:`fragility_index` and :func:`tipping_grid` evaluate (a bound on time;
memory is bounded by evaluating them in blocks of :data:`BLOCK` tables)."""
BLOCK = 1_000_000
"""Tables evaluated at once."""


def rule_p_values(a, n1, b, n2) -> np.ndarray:
    """The paper's-rule p of the 2x2 tables a/n1 against b/n2, for arrays of counts.

    Parameters
    ----------
    a, b : array_like of int
        Events in group 1 and group 2 (broadcast together with `n1`, `n2`).
    n1, n2 : array_like of int
        Group sizes.

    Returns
    -------
    numpy.ndarray
        Pearson's chi-squared p without continuity correction, or Fisher's exact two-sided
        p where the smallest expected count is below 5 or a margin is empty -- the
        ``p`` column of :func:`ipsrep.methods.proportions.two_by_two`, for every table.

    Notes
    -----
    Pearson's statistic of a 2x2 table is :math:`N(ad - bc)^2 / (r_1 r_2 c_1 c_2)`,
    computed for all tables in one array expression; Fisher's p is computed once for each
    table that needs it (:func:`scipy.stats.fisher_exact`).

    >>> rule_p_values([19, 6], [36, 34], [7, 2], [18, 17]).round(3).tolist()
    [0.336, 0.703]
    """
    a, n1, b, n2 = (np.asarray(x, dtype=np.int64) for x in np.broadcast_arrays(a, n1, b, n2))
    c, d = n1 - a, n2 - b
    total = (n1 + n2).astype(float)
    col1, col2 = (a + b).astype(float), (c + d).astype(float)
    min_expected = np.minimum(col1, col2) * np.minimum(n1, n2) / total
    pearson = min_expected >= 5
    denom = np.where(pearson, n1.astype(float) * n2 * col1 * col2, 1.0)
    chi2 = np.where(pearson, total * (a.astype(float) * d - b.astype(float) * c) ** 2 / denom, 0.0)
    p = np.where(pearson, sps.chi2.sf(chi2, df=1), np.nan)
    for idx in zip(*np.nonzero(~pearson), strict=True):
        p[idx] = sps.fisher_exact([[a[idx], c[idx]], [b[idx], d[idx]]]).pvalue
    return p


def _check(a, n1, b, n2):
    row = proportions.two_by_two(a, n1, b, n2)  # validates the counts and gives the observed p
    if (n1 + 1) * (n2 + 1) > MAX_TABLES:
        raise ValueError(f"groups of {n1} and {n2} give more than {MAX_TABLES:,} tables to search; "
                         f"the fragility search is meant for trials of up to about 10000 per group")
    return row.iloc[0]


def fragility_index(a: int, n1: int, b: int, n2: int, *, alpha: float = 0.05) -> pd.DataFrame:
    """Fewest participants whose outcome must change for the paper's test to cross alpha.

    Parameters
    ----------
    a, n1 : int
        Events and participants in group 1 (IPS).
    b, n2 : int
        Events and participants in group 2 (control).
    alpha : float, default 0.05
        The significance level.

    Returns
    -------
    pandas.DataFrame
        One row per search: ``search`` (``"either arm"``: changes in one or both arms;
        ``"group 1 only"``, ``"group 2 only"``), ``direction`` (``"reverse"`` when the
        observed p is at least alpha, so the index counts changes that make it
        significant; ``"forward"`` otherwise), ``p_observed``, ``index`` (the fewest
        changed outcomes; NaN if no change in that search crosses alpha),
        ``quotient`` (``index / (n1 + n2)``, the fragility quotient), ``a_new, b_new``
        (the nearest table that crosses; among ties, the one with the smallest p for a
        reverse search, the largest for a forward one), ``p_new`` and
        ``odds_ratio_new``.

    Notes
    -----
    The index is the smallest :math:`|a' - a| + |b' - b|` over all tables
    :math:`a'/n_1, b'/n_2` with the same group sizes whose rule p (:func:`rule_p_values`)
    is on the other side of alpha: each unit is one participant whose outcome is
    counted the other way. Walsh et al. (2014) changed non-events to events in the arm
    with fewer events only, and the reverse index of Khan et al. (2020) likewise moves
    events within one arm; the result depends on that choice (Lin 2021), so the
    one-arm searches are given beside the search over both arms, which is never larger.
    The test is the trial paper's own rule, applied to every candidate table.

    References
    ----------
    Walsh et al. J Clin Epidemiol 2014;67:622-8. Khan et al. JAMA Netw Open
    2020;3:e2012469. Lin L. J Eval Clin Pract 2021;27:356-64.

    Examples
    --------
    >>> fi = fragility_index(19, 36, 7, 18).set_index("search")
    >>> int(fi.at["either arm", "index"]), fi.at["either arm", "direction"]
    (3, 'reverse')
    """
    observed = _check(a, n1, b, n2)
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    p_obs = float(observed["p"])
    reverse = p_obs >= alpha
    # per search: (distance, -p or p for ties, a', b') of the nearest crossing table
    nearest: dict[str, tuple[int, float, int, int] | None] = {"either arm": None, "group 1 only": None,
                                                              "group 2 only": None}
    bb = np.arange(n2 + 1)
    rows_per_block = max(1, BLOCK // (n2 + 1))
    for start in range(0, n1 + 1, rows_per_block):
        aa = np.arange(start, min(n1 + 1, start + rows_per_block))[:, None]
        p = rule_p_values(aa, n1, bb[None, :], n2)
        crosses = p < alpha if reverse else p >= alpha
        distance = np.abs(aa - a) + np.abs(bb[None, :] - b)
        for search, mask in (("either arm", crosses), ("group 1 only", crosses & (bb[None, :] == b)),
                             ("group 2 only", crosses & (aa == a))):
            if not mask.any():
                continue
            k = int(distance[mask].min())
            ties = mask & (distance == k)
            tie_p = np.where(ties, p if reverse else -p, np.inf)
            i, j = np.unravel_index(np.argmin(tie_p), p.shape)
            candidate = (k, float(tie_p[i, j]), int(aa[i, 0]), int(j))
            best = nearest[search]
            if best is None or candidate < best:
                nearest[search] = candidate
    rows = []
    for search, best in nearest.items():
        row = {"search": search, "direction": "reverse" if reverse else "forward", "p_observed": p_obs,
               "index": math.nan, "quotient": math.nan, "a_new": math.nan, "b_new": math.nan,
               "p_new": math.nan, "odds_ratio_new": math.nan}
        if best is not None:
            index, _, a_new, b_new = best
            table = proportions.two_by_two(a_new, n1, b_new, n2).iloc[0]
            row.update({"index": index, "quotient": index / (n1 + n2), "a_new": a_new, "b_new": b_new,
                        "p_new": float(table["p"]), "odds_ratio_new": float(table["odds_ratio"])})
        rows.append(row)
    return pd.DataFrame(rows)


def tipping_grid(a: int, n1: int, b: int, n2: int, m1: int, m2: int, *, alpha: float = 0.05) -> pd.DataFrame:
    """Every completion of a 2x2 table with missing outcomes, tested by the paper's rule.

    Parameters
    ----------
    a, n1 : int
        Events and participants with an outcome in group 1.
    b, n2 : int
        The same in group 2.
    m1, m2 : int
        Participants of each group without an outcome.
    alpha : float, default 0.05
        The significance level.

    Returns
    -------
    pandas.DataFrame
        One row per completion: ``x1`` (of the `m1` missing in group 1, how many had the
        event), ``x2`` (the same in group 2), ``a_full, n1_full, b_full, n2_full`` (the
        completed table), ``rd`` (risk difference, group 1 minus group 2), ``odds_ratio``
        (Haldane-corrected if a cell is zero, as :func:`ipsrep.methods.proportions.two_by_two`),
        ``p`` (the rule's p, :func:`rule_p_values`) and ``significant`` (``p < alpha``).

    Notes
    -----
    A tipping-point analysis over the whole grid of :math:`(m_1 + 1)(m_2 + 1)`
    completions, rather than over a parameter of an imputation model: each cell is a
    possible data set had everyone answered.
    """
    _check(a, n1, b, n2)
    for name, m in (("m1", m1), ("m2", m2)):
        if isinstance(m, bool) or int(m) != m or m < 0:
            raise ValueError(f"{name} must be a whole number of at least 0, got {m!r}")
    m1, m2 = int(m1), int(m2)
    if (m1 + 1) * (m2 + 1) > 4 * BLOCK:
        raise ValueError(f"{m1} and {m2} missing give more than {4 * BLOCK:,} completions to test; "
                         f"the grid is meant for up to about 2000 missing per group")
    x1, x2 = (g.ravel() for g in np.meshgrid(np.arange(m1 + 1), np.arange(m2 + 1), indexing="ij"))
    af, bf, n1f, n2f = a + x1, b + x2, n1 + m1, n2 + m2
    cells = np.column_stack([af, n1f - af, bf, n2f - bf]).astype(float)
    zero = (cells == 0).any(axis=1)
    cells[zero] += 0.5
    p = rule_p_values(af, n1f, bf, n2f)
    return pd.DataFrame({"x1": x1, "x2": x2, "a_full": af, "n1_full": n1f, "b_full": bf, "n2_full": n2f,
                         "rd": af / n1f - bf / n2f,
                         "odds_ratio": cells[:, 0] * cells[:, 3] / (cells[:, 1] * cells[:, 2]),
                         "p": p, "significant": p < alpha})
