"""Multiplicity: Holm's step-down adjustment of a family of p-values.

Written with numpy alone (no statsmodels, no scipy), so that the front page's scorecard
can count Holm rejections without loading ``scipy.stats``, which alone would take most of
the two seconds a rebuild with nothing changed may take. The tests compare both
functions with ``statsmodels.stats.multitest.multipletests(method="holm")``.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["holm", "holm_rejections"]


def _pvalues(pvalues) -> pd.Series:
    """`pvalues` as a float Series (labels kept), checked to lie in [0, 1]."""
    if isinstance(pvalues, pd.Series):
        series = pvalues.astype(float)
    elif isinstance(pvalues, Mapping):
        series = pd.Series({k: float(v) for k, v in pvalues.items()}, dtype=float)
    else:
        try:
            series = pd.Series(np.asarray(pvalues, dtype=float).ravel())
        except (TypeError, ValueError):
            raise ValueError("pvalues must be numbers between 0 and 1") from None
    if series.empty:
        raise ValueError("pvalues is empty; give at least one p-value")
    bad = series[series.isna() | (series < 0) | (series > 1)]
    if not bad.empty:
        raise ValueError(f"pvalues must lie in [0, 1] (no missing); offending at {list(bad.index)}: {bad.tolist()}")
    return series


def holm(pvalues) -> pd.Series:
    """Holm's step-down adjustment of a family of p-values.

    Parameters
    ----------
    pvalues : sequence, mapping or pandas.Series of float
        Unadjusted p-values in [0, 1]; a mapping's keys or a Series' index label them.

    Returns
    -------
    pandas.Series
        Adjusted p-values named ``p_holm``, in the input's order and with its labels.

    Notes
    -----
    With :math:`p_{(1)} \\le \\dots \\le p_{(m)}`, the adjusted value is
    :math:`\\max_{j \\le i} \\min(1, (m - j + 1) p_{(j)})`
    (as statsmodels ``multipletests(method="holm")``). The trial paper made no
    adjustment; this is offered for the many secondary outcomes.

    References
    ----------
    Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat
    1979;6:65-70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    series = _pvalues(pvalues)
    p = series.to_numpy(dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return pd.Series(adjusted, index=series.index, name="p_holm")


def holm_rejections(pvalues, alpha: float) -> int:
    """How many hypotheses Holm's step-down procedure rejects at family-wise level `alpha`.

    Sorted, the k-th smallest p is rejected while it is at most alpha / (m - k + 1); the
    procedure stops at the first that is not (Holm 1979). The same hypotheses have an
    adjusted p (:func:`holm`) at most `alpha`; the comparison is made on the raw p, as
    statsmodels makes it, so that a p on the boundary is decided as there.

    >>> holm_rejections([0.01, 0.04, 0.03], 0.05), holm_rejections([0.012, 0.3], 0.05)
    (1, 1)
    """
    ordered = np.sort(_pvalues(pvalues).to_numpy(dtype=float))
    m = ordered.size
    stops = np.flatnonzero(ordered > alpha / (m - np.arange(m)))
    return int(stops[0]) if stops.size else m
