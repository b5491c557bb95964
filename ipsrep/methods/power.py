"""Sample size and power for comparing two proportions: closed-form formulas and a Monte
Carlo simulation of the trial's 2x2 test.

The trial's sample size (Sveinsdottir et al. 2022, Methods, Sample Size) was 31 per group
for 61% versus 23% employed, alpha .05, power .90. Every function returns plain floats or
a tidy :class:`pandas.DataFrame` and prints nothing; bad arguments raise
:class:`ValueError`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from ipsrep.methods.arguments import check_count, check_level, check_probability

__all__ = ["SAMPLE_SIZE_METHODS", "n_per_group_two_proportions", "power_two_proportions", "simulated_power_chi2"]

SAMPLE_SIZE_METHODS: tuple[str, ...] = ("unpooled", "pooled", "pooled_cc", "arcsine")
"""Formulas known to :func:`n_per_group_two_proportions`."""


def _n_one_method(p1, p2, za, zb, alpha, power, method):
    q1, q2, d = 1 - p1, 1 - p2, abs(p1 - p2)
    pbar = (p1 + p2) / 2
    if method == "unpooled":
        return (za + zb) ** 2 * (p1 * q1 + p2 * q2) / d**2
    pooled = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * q1 + p2 * q2)) ** 2 / d**2
    if method == "pooled":
        return pooled
    if method == "pooled_cc":
        return pooled / 4 * (1 + math.sqrt(1 + 4 / (pooled * d))) ** 2
    h = proportion_effectsize(p1, p2)
    return float(NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power,
                                              ratio=1.0, alternative="two-sided"))


def n_per_group_two_proportions(p1: float, p2: float, *, alpha: float = 0.05, power: float = 0.9,
                                method: str | Sequence[str] = "unpooled") -> pd.DataFrame:
    """Participants per group to detect p1 versus p2 with a two-sided test.

    Parameters
    ----------
    p1, p2 : float
        Assumed proportions with the event in the two groups (the trial: 0.61 with
        IPS, 0.23 with usual care), strictly between 0 and 1 and unequal.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.9
        Desired power.
    method : str or sequence of str, default "unpooled"
        One or more of ``"unpooled"``, ``"pooled"``, ``"pooled_cc"``, ``"arcsine"``
        (see Notes); a sequence gives one row per method.

    Returns
    -------
    pandas.DataFrame
        One row per method: ``method, p1, p2, alpha, power``, ``n_exact`` (the
        real-valued solution) and ``n_per_group`` (its ceiling).

    Notes
    -----
    With :math:`z_a = z_{1-\\alpha/2}`, :math:`z_b = z_{power}`, :math:`q = 1 - p`,
    :math:`\\Delta = |p_1 - p_2|`, :math:`\\bar p = (p_1 + p_2)/2`:

    - ``unpooled``: :math:`n = (z_a + z_b)^2 (p_1 q_1 + p_2 q_2) / \\Delta^2`
      (the unpooled variance under both hypotheses);
    - ``pooled`` (Fleiss): :math:`n = [z_a\\sqrt{2\\bar p\\bar q} +
      z_b\\sqrt{p_1q_1 + p_2q_2}]^2 / \\Delta^2`;
    - ``pooled_cc`` (Fleiss, Tytun and Ury): :math:`n' = \\frac{n}{4}
      [1 + \\sqrt{1 + 4/(n\\Delta)}]^2` with `n` the pooled result;
    - ``arcsine``: Cohen's :math:`h = 2\\arcsin\\sqrt{p_1} - 2\\arcsin\\sqrt{p_2}` and,
      per group, :math:`n = 2((z_a + z_b)/h)^2`: each transformed proportion
      :math:`2\\arcsin\\sqrt{\\hat p}` has variance about :math:`1/n`, so their
      difference has variance :math:`2/n` (hence the factor 2; without it,
      :math:`((z_a + z_b)/h)^2` is the one-sample size). Solved by statsmodels
      ``NormalIndPower`` (which also counts the far rejection tail).

    For 61% versus 23%, alpha .05 and power .90 only ``unpooled`` gives the trial's
    31 per group (n = 30.2); the Fleiss formulas give 34 and 39, the arcsine 34. The
    paper cites its sample-size source without the formula (Methods, Sample Size).

    References
    ----------
    Fleiss JL, Levin B, Paik MC. Statistical Methods for Rates and Proportions. 3rd ed.
    Wiley; 2003, ch. 4. Fleiss JL, Tytun A, Ury HK. A simple approximation for
    calculating sample sizes for comparing independent proportions. Biometrics
    1980;36:343-6. Cohen J. Statistical Power Analysis for the Behavioral Sciences.
    2nd ed. 1988, ch. 6. Sveinsdottir et al. Pain Med 2022, Methods, Sample Size.

    Examples
    --------
    >>> int(n_per_group_two_proportions(0.61, 0.23).loc[0, "n_per_group"])
    31
    """
    p1, p2 = check_probability("p1", p1), check_probability("p2", p2)
    if p1 == p2:
        raise ValueError(f"p1 and p2 must differ (both {p1}); no sample size detects no difference")
    alpha, power = check_level("alpha", alpha), check_level("power", power)
    methods = [method] if isinstance(method, str) else list(method)
    unknown = [m for m in methods if m not in SAMPLE_SIZE_METHODS]
    if unknown or not methods:
        raise ValueError(f"method must be one or more of {', '.join(SAMPLE_SIZE_METHODS)}; got {method!r}")
    za, zb = float(sps.norm.ppf(1 - alpha / 2)), float(sps.norm.ppf(power))
    rows = []
    for m in methods:
        n = _n_one_method(p1, p2, za, zb, alpha, power, m)
        rows.append({"method": m, "p1": p1, "p2": p2, "alpha": alpha, "power": power,
                     "n_exact": n, "n_per_group": math.ceil(n - 1e-9)})
    return pd.DataFrame(rows)


def power_two_proportions(p1: float, p2: float, n1: int, n2: int, alpha: float = 0.05,
                          *, method: str = "pooled") -> float:
    """Power of the two-sided two-proportion z-test (normal approximation).

    Parameters
    ----------
    p1, p2 : float
        True proportions in the two groups, strictly between 0 and 1.
    n1, n2 : int
        Group sizes (may differ, e.g. the trial's 38 IPS and 20 TAU).
    alpha : float, default 0.05
        Two-sided significance level.
    method : {"pooled", "unpooled"}, default "pooled"
        Variance of the test statistic under the null: ``"pooled"`` is the test the
        Pearson chi-squared equals (:math:`z^2 = \\chi^2`); ``"unpooled"`` matches the
        ``unpooled`` sample-size formula (the one that gives the trial's 31).

    Returns
    -------
    float
        The probability of rejecting the null hypothesis of equal proportions.

    Notes
    -----
    With :math:`\\Delta = p_1 - p_2`, :math:`\\sigma_1 = \\sqrt{p_1q_1/n_1 + p_2q_2/n_2}`
    and :math:`\\sigma_0 = \\sqrt{\\bar p\\bar q(1/n_1 + 1/n_2)}`,
    :math:`\\bar p = (n_1p_1 + n_2p_2)/(n_1 + n_2)` (``pooled``; :math:`\\sigma_0 =
    \\sigma_1` for ``unpooled``):
    :math:`power = \\Phi((\\Delta - z_{1-\\alpha/2}\\sigma_0)/\\sigma_1) +
    \\Phi((-\\Delta - z_{1-\\alpha/2}\\sigma_0)/\\sigma_1)`, both rejection tails counted.

    References
    ----------
    Fleiss JL, Levin B, Paik MC. Statistical Methods for Rates and Proportions. 3rd ed.
    Wiley; 2003, ch. 4.

    Examples
    --------
    >>> round(power_two_proportions(0.61, 0.23, 31, 31, method="unpooled"), 3)
    0.907
    """
    p1, p2 = check_probability("p1", p1), check_probability("p2", p2)
    n1, n2 = check_count("n1", n1), check_count("n2", n2)
    for name, n in (("n1", n1), ("n2", n2)):
        if n < 1:
            raise ValueError(f"{name} must be at least 1, got {n}")
    alpha = check_level("alpha", alpha)
    if method not in ("pooled", "unpooled"):
        raise ValueError(f"method must be 'pooled' or 'unpooled', got {method!r}")
    za = float(sps.norm.ppf(1 - alpha / 2))
    sigma1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if method == "pooled":
        pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
        sigma0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    else:
        sigma0 = sigma1
    d = p1 - p2
    return float(sps.norm.cdf((d - za * sigma0) / sigma1) + sps.norm.cdf((-d - za * sigma0) / sigma1))


def simulated_power_chi2(p1: float, p2: float, n1: int, n2: int, *, alpha: float = 0.05,
                         n_sim: int = 100_000, seed: int = 0, binary_test: str = "pearson") -> pd.DataFrame:
    """Monte Carlo power of the trial's 2x2 test, vectorised over simulated trials.

    Parameters
    ----------
    p1, p2 : float
        True proportions in the two groups (0-1).
    n1, n2 : int
        Group sizes.
    alpha : float, default 0.05
        Two-sided significance level.
    n_sim : int, default 100000
        Number of simulated trials.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same power.
    binary_test : {"pearson", "rule"}, default "pearson"
        ``"pearson"``: every table tested by Pearson chi-squared without continuity
        correction. ``"rule"``: Fisher's exact p where an expected count is below 5,
        as in the trial paper.

    Returns
    -------
    pandas.DataFrame
        One row: ``p1, p2, n1, n2, alpha, n_sim, seed, binary_test``, ``power`` (share of
        simulated trials with p < alpha) and ``mc_se`` (its Monte Carlo standard
        error, :math:`\\sqrt{power(1-power)/n_{sim}}`).

    Notes
    -----
    Event counts are drawn as :math:`a \\sim Bin(n_1, p_1)`, :math:`b \\sim Bin(n_2, p_2)`
    all at once; the Pearson statistic for a 2x2 table is
    :math:`N(ad - bc)^2 / (r_1 r_2 c_1 c_2)`, computed for all simulated tables in
    one array expression, and p from :func:`scipy.stats.chi2` with 1 df. Tables with
    an empty margin (no events or all events) have no test and count as not
    rejected. Under ``binary_test="rule"`` Fisher's p is computed once per distinct
    table that needs it (at most :math:`(n_1+1)(n_2+1)`), not once per simulation.

    References
    ----------
    Sveinsdottir et al. Pain Med 2022, Statistical Analyses (the test rule).

    Examples
    --------
    >>> r = simulated_power_chi2(0.61, 0.23, 31, 31, n_sim=20000, seed=1)
    >>> bool(0.85 < r.loc[0, "power"] < 0.92)
    True
    """
    p1, p2 = (check_probability(k, v, open_interval=False) for k, v in (("p1", p1), ("p2", p2)))
    n1, n2 = check_count("n1", n1), check_count("n2", n2)
    for name, n in (("n1", n1), ("n2", n2)):
        if n < 1:
            raise ValueError(f"{name} must be at least 1, got {n}")
    alpha = check_level("alpha", alpha)
    n_sim, seed = check_count("n_sim", n_sim), check_count("seed", seed)
    if n_sim < 1:
        raise ValueError(f"n_sim must be at least 1, got {n_sim}")
    if binary_test not in ("pearson", "rule"):
        raise ValueError(f"binary_test must be 'pearson' or 'rule', got {binary_test!r}")

    rng = np.random.default_rng(seed)
    a = rng.binomial(n1, p1, size=n_sim).astype(float)
    b = rng.binomial(n2, p2, size=n_sim).astype(float)
    c, d = n1 - a, n2 - b
    total = float(n1 + n2)
    col1, col2 = a + b, c + d
    defined = (col1 > 0) & (col2 > 0)
    denom = np.where(defined, n1 * n2 * col1 * col2, 1.0)
    chi2 = np.where(defined, total * (a * d - c * b) ** 2 / denom, 0.0)
    p = np.where(defined, sps.chi2.sf(chi2, df=1), 1.0)

    if binary_test == "rule":
        min_expected = np.minimum(col1, col2) * min(n1, n2) / total
        exact = defined & (min_expected < 5)
        if exact.any():
            pairs = np.unique(np.column_stack([a[exact], b[exact]]).astype(int), axis=0)
            fisher = {(i, j): sps.fisher_exact([[i, n1 - i], [j, n2 - j]]).pvalue for i, j in pairs}
            keys = a[exact].astype(np.int64) * (n2 + 1) + b[exact].astype(np.int64)
            lookup = {i * (n2 + 1) + j: v for (i, j), v in fisher.items()}
            uniq, inverse = np.unique(keys, return_inverse=True)
            p[exact] = np.array([lookup[k] for k in uniq])[inverse]

    power = float(np.mean(p < alpha))
    return pd.DataFrame([{"p1": p1, "p2": p2, "n1": n1, "n2": n2, "alpha": alpha, "n_sim": n_sim,
                          "seed": seed, "binary_test": binary_test, "power": power,
                          "mc_se": math.sqrt(power * (1 - power) / n_sim)}])
