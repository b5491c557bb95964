"""Resampling: the bootstrap interval of a difference in means (BCa), and the batch size
that bounds the memory of scipy's vectorised resampling."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.methods.arguments import check_count, check_level, sample

__all__ = ["bootstrap_mean_difference", "resample_batch"]


def bootstrap_mean_difference(x, y, *, n_resamples: int = 10000, seed: int = 0,
                              level: float = 0.95) -> pd.DataFrame:
    """Bootstrap confidence interval of a difference in means (BCa).

    Parameters
    ----------
    x, y : array-like of float
        The two groups' values; missing values are dropped; at least two each.
    n_resamples : int, default 10000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same interval.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``diff`` (``mean(x) - mean(y)``), ``ci_low``, ``ci_high``,
        ``method`` (``"BCa"``), ``n_resamples``, ``seed``.

    Notes
    -----
    Each group is resampled with replacement independently (stratified by group, as
    randomisation fixed the group sizes) and the bias-corrected and accelerated (BCa)
    interval is formed as :func:`scipy.stats.bootstrap` forms it with ``method="BCa"``
    (Efron and Tibshirani 1993, 14.3 and eq. 14.15): bias correction
    ``z0 = Phi^-1(share of resampled differences below the observed one, ties half)``
    and acceleration ``a = sum U^3 / (6 (sum U^2)^1.5)`` over the jackknife influence
    values U of each group. scipy draws the resamples (in batches of bounded memory);
    the jackknife is computed here in closed form, because for a difference of means
    leaving out value i of a group moves the statistic by ``(x_i - mean) / (n - 1)``:
    scipy's generic jackknife re-evaluates the statistic on n leave-one-out copies,
    which costs n^2 time and, unbatched, n^2 memory (10^10 values for a trial of
    100,000). The result equals scipy's BCa interval to rounding error (tested).
    BCa is chosen over the percentile interval because hours worked are strongly
    skewed, where BCa's second-order accuracy matters.

    References
    ----------
    Efron B. Better bootstrap confidence intervals. J Am Stat Assoc 1987;82:171-85.

    Examples
    --------
    >>> r = bootstrap_mean_difference([1, 2, 3, 4, 10], [0, 1, 1, 2], n_resamples=2000)
    >>> float(r.loc[0, "diff"]), bool(r.loc[0, "ci_low"] < 3 < r.loc[0, "ci_high"])
    (3.0, True)
    """
    x, y = sample("x", x, minimum=2), sample("y", y, minimum=2)
    n_resamples = check_count("n_resamples", n_resamples)
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100, got {n_resamples}")
    seed = check_count("seed", seed)
    level = check_level("level", level)

    res = sps.bootstrap((x, y), _mean_difference, n_resamples=n_resamples, vectorized=True,
                        paired=False, confidence_level=level, method="percentile",
                        batch=resample_batch(x.size + y.size, n_resamples), rng=np.random.default_rng(seed))
    low, high = _bca_bounds_mean_difference(x, y, res.bootstrap_distribution, level)
    return pd.DataFrame([{"diff": float(x.mean() - y.mean()), "ci_low": low, "ci_high": high,
                          "method": "BCa", "n_resamples": n_resamples, "seed": seed}])


def _mean_difference(u, v, axis=-1):
    return np.mean(u, axis=axis) - np.mean(v, axis=axis)


def _bca_bounds_mean_difference(x: np.ndarray, y: np.ndarray, resampled: np.ndarray,
                                level: float) -> tuple[float, float]:
    theta = float(_mean_difference(x, y))
    share_below = (np.count_nonzero(resampled < theta) + np.count_nonzero(resampled <= theta)) / (2 * resampled.size)
    z0 = float(sps.norm.ppf(share_below))
    sums, squares = 0.0, 0.0
    for values in (x, y):
        influence = values - values.mean()  # (n - 1) x (jackknife mean - leave-one-out value), up to sign
        n = float(values.size)
        sign = 1.0 if values is x else -1.0
        sums += float(np.sum((sign * influence) ** 3)) / n**3
        squares += float(np.sum(influence**2)) / n**2
    accel = sums / (6.0 * squares**1.5)
    z = float(sps.norm.ppf((1 - level) / 2))
    shares = [float(sps.norm.cdf(z0 + (z0 + zq) / (1 - accel * (z0 + zq)))) for zq in (z, -z)]
    low, high = sps.quantile(resampled, np.asarray(shares))
    return float(low), float(high)


def resample_batch(n_values: int, n_resamples: int, *, max_values: int = 4_000_000) -> int | None:
    """Resamples per batch for scipy's vectorised resampling tests, bounding memory.

    scipy materialises ``batch x n`` resampled values at once; ``None`` (all at once) is
    kept whenever that stays below `max_values` (32 MB of floats), so small trials
    consume the random stream exactly as before, and larger ones are batched.

    >>> resample_batch(52, 10_000) is None, resample_batch(100_000, 10_000)
    (True, 40)
    """
    if n_values * n_resamples <= max_values:
        return None
    return max(1, max_values // max(1, n_values))
