"""Rank tests: the Mann-Whitney U test as SPSS prints it."""
from __future__ import annotations

import pandas as pd
from scipy import stats as sps

from ipsrep.methods.arguments import sample

__all__ = ["mann_whitney"]


def mann_whitney(x, y) -> pd.DataFrame:
    """Mann-Whitney U test (Wilcoxon rank-sum), two-sided, asymptotic as SPSS prints it.

    Parameters
    ----------
    x, y : array-like of float
        The two groups' values; missing values are dropped.

    Returns
    -------
    pandas.DataFrame
        One row: ``n1, n2``; ``U`` (the statistic of `x`: pairs with x above y,
        ties counting one half); ``U_min`` (the smaller of the two U's, the one SPSS
        prints); ``p`` (two-sided, normal approximation with tie correction, no
        continuity correction).

    Notes
    -----
    :math:`U_x = R_x - n_x(n_x+1)/2` with :math:`R_x` the rank sum of `x`;
    :math:`z = (U_x - n_x n_y / 2) / \\sigma_U` with the tie-corrected
    :math:`\\sigma_U` (:func:`scipy.stats.mannwhitneyu`, ``method="asymptotic"``,
    ``use_continuity=False``), matching SPSS's "Asymp. Sig. (2-tailed)". Offered as a
    robustness check for skewed outcomes such as hours worked; the paper used t-tests.

    References
    ----------
    Mann HB, Whitney DR. On a test of whether one of two random variables is
    stochastically larger than the other. Ann Math Stat 1947;18:50-60.

    Examples
    --------
    >>> mann_whitney([1, 2, 3], [4, 5, 6]).loc[0, ["U", "U_min"]].tolist()
    [0.0, 0.0]
    """
    x, y = sample("x", x), sample("y", y)
    res = sps.mannwhitneyu(x, y, use_continuity=False, alternative="two-sided", method="asymptotic")
    u = float(res.statistic)
    return pd.DataFrame([{"n1": int(x.size), "n2": int(y.size), "U": u,
                          "U_min": min(u, x.size * y.size - u), "p": float(res.pvalue)}])
