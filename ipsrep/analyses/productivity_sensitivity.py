"""Research question 2, sensitivity: the distribution of hours worked, mostly zeros with a long
tail, and the IPS-versus-TAU comparison by tests that do not lean on normality
(:func:`hours_sensitivity`), with the histogram that shows why (:func:`hours_histogram`).

Split from :mod:`ipsrep.analyses.productivity`, whose t-test of the same hours the paper prints.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ipsrep.analyses.employment import no_answers_reason
from ipsrep.analyses.productivity import HOURS, hours_by_group
from ipsrep.methods import ranks, resampling, ttests

__all__ = ["hours_histogram", "hours_sensitivity"]


def hours_sensitivity(trial: pd.DataFrame, *, level: float = 0.95, n_resamples: int = 10_000,
                      seed: int = 0) -> pd.DataFrame:
    """Hours worked, IPS versus TAU, by tests that do not lean on normality.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``hours_12m``).
    level : float, default 0.95
        Confidence level of the intervals.
    n_resamples : int, default 10000
        Resamples for the permutation test and the bootstrap.
    seed : int, default 0
        Seed of both; the same seed gives the same result.

    Returns
    -------
    pandas.DataFrame
        One row per analysis: ``analysis``, ``estimand`` (what ``estimate`` is),
        ``estimate``, ``ci_low, ci_high`` (NaN where the method gives none), ``p``.
        Rows: Student t, Welch t, Mann-Whitney U (estimate: probability that an IPS
        participant worked more hours than a TAU one, ties counted half), permutation
        test of the mean difference, BCa bootstrap interval of the mean difference.

    Notes
    -----
    Hours are zero for everyone who found no job and long-tailed among those who
    did, so the t-test's normal sampling distribution is doubtful at n = 17. The
    Mann-Whitney test (:func:`ipsrep.methods.ranks.mann_whitney`) compares ranks, not means;
    the permutation test (:func:`scipy.stats.permutation_test`, independent samples)
    keeps the mean difference but takes its null distribution from reshuffling the
    group labels, as randomisation licenses; the bootstrap
    (:func:`ipsrep.methods.resampling.bootstrap_mean_difference`) gives an interval for the mean
    difference without assuming normality.

    References
    ----------
    Mann HB, Whitney DR. Ann Math Stat 1947;18:50-60. Efron B. J Am Stat Assoc
    1987;82:171-85. Good P. Permutation, Parametric and Bootstrap Tests of
    Hypotheses. 3rd ed. Springer; 2005.
    """
    h = hours_by_group(trial)
    x, y = h["IPS"], h["TAU"]
    reason = no_answers_reason(HOURS, {g: v.size for g, v in h.items()}, minimum=2)
    if reason:
        return pd.DataFrame([{"analysis": "all", "estimand": "", "estimate": math.nan, "ci_low": math.nan,
                              "ci_high": math.nan, "p": math.nan, "reason": reason}])
    t = ttests.ttest_from_summary(x.mean(), x.std(ddof=1), x.size, y.mean(), y.std(ddof=1), y.size,
                                 level=level).iloc[0]
    diff = float(t["diff"])
    mw = ranks.mann_whitney(x, y).iloc[0]
    perm = sps.permutation_test((x, y), _mean_difference, permutation_type="independent",
                                vectorized=True, n_resamples=n_resamples, alternative="two-sided",
                                batch=resampling.resample_batch(x.size + y.size, n_resamples),
                                rng=np.random.default_rng(seed))
    boot = resampling.bootstrap_mean_difference(x, y, n_resamples=n_resamples, seed=seed, level=level).iloc[0]
    nan = math.nan
    return pd.DataFrame([
        {"analysis": "Student t (equal variances)", "estimand": "mean difference (h)", "estimate": diff,
         "ci_low": float(t["ci_low_student"]), "ci_high": float(t["ci_high_student"]), "p": float(t["p_student"])},
        {"analysis": "Welch t (unequal variances)", "estimand": "mean difference (h)", "estimate": diff,
         "ci_low": float(t["ci_low_welch"]), "ci_high": float(t["ci_high_welch"]), "p": float(t["p_welch"])},
        {"analysis": "Mann-Whitney U", "estimand": "P(IPS > TAU)",
         "estimate": float(mw["U"]) / (x.size * y.size), "ci_low": nan, "ci_high": nan, "p": float(mw["p"])},
        {"analysis": "Permutation test", "estimand": "mean difference (h)", "estimate": diff,
         "ci_low": nan, "ci_high": nan, "p": float(perm.pvalue)},
        {"analysis": "Bootstrap (BCa)", "estimand": "mean difference (h)", "estimate": float(boot["diff"]),
         "ci_low": float(boot["ci_low"]), "ci_high": float(boot["ci_high"]), "p": nan},
    ])


def _mean_difference(u, v, axis=-1):
    return np.mean(u, axis=axis) - np.mean(v, axis=axis)


def hours_histogram(trial: pd.DataFrame, *, bin_width: float = 200) -> pd.DataFrame:
    """Distribution of hours worked per group, with zero hours as a bin of its own.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract (``group``, ``hours_12m``).
    bin_width : float, default 200
        Width of the bins above zero: (0, w], (w, 2w], ... up to the largest value.

    Returns
    -------
    pandas.DataFrame
        One row per group and bin: ``group, bin`` (label), ``low, high`` (bin edges;
        0, 0 for the zero bin), ``count``, ``n`` (group total) and ``share`` (0-1).
        Counts only, so the figure shows no individual's hours.
    """
    if not bin_width > 0:
        raise ValueError(f"bin_width must be a positive number of hours, got {bin_width!r}")
    h = hours_by_group(trial)
    top = max((float(v.max()) for v in h.values() if v.size), default=0.0)
    n_bins = max(1, math.ceil(top / bin_width))
    edges = [(0.0, 0.0)] + [(i * bin_width, (i + 1) * bin_width) for i in range(n_bins)]
    rows = []
    for group, v in h.items():
        for low, high in edges:
            if high == 0:
                count, label = int((v == 0).sum()), "0"
            else:
                count = int(((v > low) & (v <= high)).sum())
                label = f"{low:g}-{high:g}"
            rows.append({"group": group, "bin": label, "low": low, "high": high, "count": count,
                         "n": int(v.size), "share": count / v.size if v.size else math.nan})
    return pd.DataFrame(rows)
