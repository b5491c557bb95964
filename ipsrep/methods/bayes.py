"""Bayesian re-analysis of a two-arm trial with a binary outcome, by quadrature.

Two kinds of prior, both computed without Monte Carlo noise:

- independent Beta priors on the two event rates (:func:`beta_binomial_posterior`): each
  arm's posterior is a Beta distribution (the conjugate beta-binomial model), and the
  posterior of the odds ratio and the risk difference follows by integrating one arm's
  distribution against the other's;
- a normal prior on the log odds ratio, with a Beta prior on the control rate
  (:func:`log_or_prior_posterior`): the exact binomial likelihood of both arms, the
  control rate integrated out by Gauss-Jacobi quadrature and the log odds ratio laid
  out on a fine grid.

Both return a :class:`Posterior`, whose distribution is held as a joint density over a
grid of log odds ratios (rows) and Gauss-Jacobi nodes of the control rate (columns), from
which the probabilities and quantiles of the odds ratio and of the risk difference are
read. :func:`normal_approximation` is the textbook shortcut beside them: a normal prior
on the log odds ratio combined with the normal likelihood of Woolf's estimate, whose
posterior is again normal (Spiegelhalter, Abrams and Myles 2004, ch. 3).

:func:`prior_settings` states the three priors of the re-analysis in the convention of
Spiegelhalter, Freedman and Parmar (1994): a sceptical prior centred on no effect with
a small probability of an effect as large as the trial was planned to detect, an
enthusiastic prior centred on that planned effect with the same spread, and a neutral
(reference) prior. :func:`advocacy_limit` and :func:`scepticism_limit` are the
reverse-Bayes bounds of Matthews' Analysis of Credibility (Matthews 2001, 2018).

Everything here works on counts and prints nothing; bad arguments raise
:class:`ValueError` naming the argument.

References
----------
Spiegelhalter DJ, Freedman LS, Parmar MKB. Bayesian approaches to randomized trials.
J R Stat Soc A 1994;157:357-416. Spiegelhalter DJ, Abrams KR, Myles JP. Bayesian
Approaches to Clinical Trials and Health-Care Evaluation. Wiley; 2004. Matthews RAJ.
Methods for assessing the credibility of clinical trial outcomes. Drug Inf J
2001;35:1469-78. Matthews RAJ. Beyond 'significance': principles and practice of the
Analysis of Credibility. R Soc Open Sci 2018;5:171047.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy import stats as sps

__all__ = [
    "Posterior",
    "NormalPosterior",
    "beta_binomial_posterior",
    "log_or_prior_posterior",
    "normal_approximation",
    "woolf_log_or",
    "odds_ratio_of_rates",
    "prior_settings",
    "advocacy_limit",
    "scepticism_limit",
]

_NODES = 160
"""Gauss-Jacobi nodes over the control rate."""
_GRID = 6001
"""Points of the log-odds-ratio grid."""


# ----------------------------------------------------------------------------- checks
def _counts(a, n1, b, n2) -> tuple[int, int, int, int]:
    out = []
    for name, v in (("a", a), ("n1", n1), ("b", b), ("n2", n2)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)) \
                or not math.isfinite(float(v)) or float(v) != int(v):
            raise ValueError(f"{name} must be a whole number, got {v!r}")
        out.append(int(v))
    a, n1, b, n2 = out
    for name, count, nname, n in (("a", a, "n1", n1), ("b", b, "n2", n2)):
        if n < 1:
            raise ValueError(f"{nname} must be at least 1, got {n}")
        if not 0 <= count <= n:
            raise ValueError(f"{name} must lie between 0 and {nname} ({n}), got {count}")
    return a, n1, b, n2


def _beta_prior(name: str, prior) -> tuple[float, float]:
    try:
        s, f = (float(x) for x in prior)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of positive numbers (Beta shape parameters), got {prior!r}") from None
    if not (s > 0 and f > 0 and math.isfinite(s) and math.isfinite(f)):
        raise ValueError(f"{name} must be a pair of positive numbers (Beta shape parameters), got {prior!r}")
    return s, f


# ------------------------------------------------------------------- small helpers
def woolf_log_or(a: int, n1: int, b: int, n2: int) -> tuple[float, float]:
    """Log odds ratio of a/n1 versus b/n2 and Woolf's standard error.

    With a zero cell, 0.5 is added to every cell (Haldane-Anscombe), as
    :func:`ipsrep.methods.proportions.two_by_two` does.

    >>> [round(x, 4) for x in woolf_log_or(19, 36, 7, 18)]
    [0.5632, 0.5876]
    """
    a, n1, b, n2 = _counts(a, n1, b, n2)
    cells = np.array([a, n1 - a, b, n2 - b], dtype=float)
    if (cells == 0).any():
        cells = cells + 0.5
    aa, cc, bb, dd = cells
    return float(math.log(aa * dd / (cc * bb))), float(math.sqrt((1 / cells).sum()))


def odds_ratio_of_rates(p1: float, p2: float) -> float:
    """Odds ratio of a rate p1 against a rate p2: ``p1 (1 - p2) / (p2 (1 - p1))``.

    >>> round(odds_ratio_of_rates(0.61, 0.23), 3)
    5.236
    """
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0 < float(p) < 1:
            raise ValueError(f"{name} must be a proportion strictly between 0 and 1, got {p!r}")
    return float(p1 * (1 - p2) / (p2 * (1 - p1)))


def prior_settings(planned_or: float, *, tail: float = 0.05, neutral: str = "jeffreys") -> pd.DataFrame:
    """The sceptical, neutral and enthusiastic priors of the re-analysis, stated.

    Parameters
    ----------
    planned_or : float
        The odds ratio the trial was planned to detect (above 1: benefit).
    tail : float, default 0.05
        The sceptical prior's probability of an odds ratio above `planned_or`; the
        enthusiastic prior, centred on `planned_or` with the same spread, then gives the
        same probability to an odds ratio below 1.
    neutral : {"jeffreys", "uniform"}
        The neutral prior: independent Jeffreys Beta(1/2, 1/2) or uniform Beta(1, 1)
        priors on the two rates (exact), with a flat prior on the log odds ratio for the
        normal approximation.

    Returns
    -------
    pandas.DataFrame
        One row per prior (``sceptical, neutral, enthusiastic``): ``prior``, ``kind``
        (``"normal log OR"`` or ``"beta per arm"``), ``mean`` and ``sd`` of the log odds
        ratio (NaN for the neutral one), ``beta_a, beta_b`` (the Beta shapes per arm, or
        of the control rate under a normal prior), ``or_median``, ``or_low, or_high``
        (its central 95% range on the odds-ratio scale) and ``p_above_planned`` (prior
        probability of an odds ratio above `planned_or`).

    Notes
    -----
    The sceptical prior is :math:`\\log OR \\sim N(0, \\sigma^2)` with
    :math:`\\sigma = \\log(OR_{planned}) / z_{1 - tail}`, and the enthusiastic prior
    :math:`N(\\log OR_{planned}, \\sigma^2)` (Spiegelhalter, Freedman and Parmar 1994).
    Under both the control rate has the neutral Beta prior.

    >>> p = prior_settings(5.236)
    >>> round(float(p.loc[0, "sd"]), 3), round(float(p.loc[0, "p_above_planned"]), 3)
    (1.007, 0.05)
    """
    planned_or = float(planned_or)
    if not (math.isfinite(planned_or) and planned_or > 1):
        raise ValueError(f"planned_or must be an odds ratio above 1 (a planned benefit), got {planned_or!r}")
    if not 0 < float(tail) < 0.5:
        raise ValueError(f"tail must be a probability strictly between 0 and 0.5, got {tail!r}")
    shapes = {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}
    if neutral not in shapes:
        raise ValueError(f"neutral must be one of {', '.join(shapes)}; got {neutral!r}")
    s, f = shapes[neutral]
    mu = math.log(planned_or)
    sd = mu / float(sps.norm.ppf(1 - tail))
    z = float(sps.norm.ppf(0.975))
    rows = []
    for name, mean in (("sceptical", 0.0), ("neutral", math.nan), ("enthusiastic", mu)):
        normal = not math.isnan(mean)
        rows.append({
            "prior": name, "kind": "normal log OR" if normal else "beta per arm",
            "mean": mean, "sd": sd if normal else math.nan, "beta_a": s, "beta_b": f,
            "or_median": math.exp(mean) if normal else math.nan,
            "or_low": math.exp(mean - z * sd) if normal else math.nan,
            "or_high": math.exp(mean + z * sd) if normal else math.nan,
            "p_above_planned": float(sps.norm.sf(mu, mean, sd)) if normal else math.nan,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------- grid posteriors
@dataclass(frozen=True)
class Posterior:
    """A posterior of (log odds ratio, control rate) on a quadrature grid.

    ``psi`` is the grid of log odds ratios (group 1 against group 2), ``p2`` and ``w2``
    the Gauss-Jacobi nodes and weights of the control rate, and ``joint`` the density in
    ``psi`` at each node (rows: ``psi``; columns: nodes), normalised so that
    :math:`\\sum_j w_j \\int joint(\\psi, j) d\\psi = 1`. Every probability is an
    integral of this density (trapezoidal in ``psi``, Gauss-Jacobi in the control rate).
    """

    psi: np.ndarray
    p2: np.ndarray
    w2: np.ndarray
    joint: np.ndarray
    label: str = ""
    _cum: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        h = np.diff(self.psi)[:, None]
        cum = np.vstack([np.zeros((1, self.joint.shape[1])),
                         np.cumsum(0.5 * h * (self.joint[1:] + self.joint[:-1]), axis=0)])
        object.__setattr__(self, "_cum", cum)

    # the log odds ratio
    def density_log_or(self) -> pd.DataFrame:
        """Marginal posterior density of the log odds ratio on the grid: ``log_or, density``."""
        return pd.DataFrame({"log_or": self.psi, "density": self.joint @ self.w2})

    def _cdf_psi(self, x: float) -> float:
        return float(np.interp(x, self.psi, self._cum @ self.w2, left=0.0, right=1.0))

    def prob_or_above(self, odds_ratio: float) -> float:
        """Posterior probability that the odds ratio exceeds `odds_ratio`."""
        return 1.0 - self._cdf_psi(math.log(odds_ratio))

    def or_quantile(self, q: float) -> float:
        """The `q` quantile of the posterior odds ratio."""
        cdf = self._cum @ self.w2
        return float(math.exp(np.interp(q, cdf, self.psi)))

    # the risk difference
    def prob_rd_above(self, d: float) -> float:
        """Posterior probability that the risk difference (group 1 minus group 2) exceeds `d`."""
        target = self.p2 + d
        total = 0.0
        for j, (p, t) in enumerate(zip(self.p2, target, strict=True)):
            if t >= 1:
                continue
            if t <= 0:
                total += self.w2[j] * self._cum[-1, j]
                continue
            cut = math.log(t / (1 - t)) - math.log(p / (1 - p))
            total += self.w2[j] * (self._cum[-1, j] - np.interp(cut, self.psi, self._cum[:, j]))
        return float(total)

    def rd_quantile(self, q: float) -> float:
        """The `q` quantile of the posterior risk difference (root of its distribution function)."""
        return float(optimize.brentq(lambda d: (1 - self.prob_rd_above(d)) - q, -1 + 1e-12, 1 - 1e-12,
                                     xtol=1e-10))

    def summary(self, *, planned_or: float, planned_rd: float, level: float = 0.95) -> dict:
        """Median and central `level` interval of the odds ratio and risk difference, and
        the probabilities of any benefit and of a benefit at least the planned one."""
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        return {"or_median": self.or_quantile(0.5), "or_low": self.or_quantile(lo),
                "or_high": self.or_quantile(hi), "p_or_above_1": self.prob_or_above(1.0),
                "p_or_above_planned": self.prob_or_above(planned_or),
                "rd_median": self.rd_quantile(0.5), "rd_low": self.rd_quantile(lo),
                "rd_high": self.rd_quantile(hi), "p_rd_above_0": self.prob_rd_above(0.0),
                "p_rd_above_planned": self.prob_rd_above(planned_rd)}


def _jacobi(shape_s: float, shape_f: float, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for expectations under Beta(shape_s, shape_f): Gauss-Jacobi on [0, 1]."""
    x, w = special.roots_jacobi(nodes, shape_f - 1.0, shape_s - 1.0)
    return (1.0 + x) / 2.0, w / w.sum()


def _psi_grid(centre: float, spread: float, points: int) -> np.ndarray:
    return np.linspace(centre - 14.0 * spread, centre + 14.0 * spread, points)


def _finish(psi, p2, w2, log_joint, label) -> Posterior:
    log_joint = log_joint - log_joint.max()
    joint = np.exp(log_joint)
    h = np.diff(psi)[:, None]
    mass = float((0.5 * h * (joint[1:] + joint[:-1])).sum(axis=0) @ w2)
    return Posterior(psi=psi, p2=p2, w2=w2, joint=joint / mass, label=label)


def beta_binomial_posterior(a: int, n1: int, b: int, n2: int, *, prior=(0.5, 0.5),
                            nodes: int = _NODES, points: int = _GRID) -> Posterior:
    """Posterior under independent Beta priors on the two rates (beta-binomial, exact).

    Parameters
    ----------
    a, n1, b, n2 : int
        Events and participants in group 1 (IPS) and group 2 (control).
    prior : pair of float, default (0.5, 0.5)
        Beta shapes of the prior of each rate: Jeffreys (1/2, 1/2) by default, (1, 1) for
        the uniform prior.
    nodes, points : int
        Gauss-Jacobi nodes over the control rate; points of the log-odds-ratio grid.

    Returns
    -------
    Posterior

    Notes
    -----
    The rates are a posteriori independent, :math:`p_1 \\sim Beta(a + s, n_1 - a + f)` and
    :math:`p_2 \\sim Beta(b + s, n_2 - b + f)`. Writing :math:`u = \\mathrm{logit}\\,p_1`,
    the density of :math:`\\psi = u - \\mathrm{logit}\\,p_2` given :math:`p_2` is
    :math:`\\mathrm{expit}(u)^{a+s}\\,(1 - \\mathrm{expit}(u))^{n_1-a+f} / B(a+s, n_1-a+f)`
    at :math:`u = \\mathrm{logit}\\,p_2 + \\psi`, and :math:`p_2` is integrated out by
    Gauss-Jacobi quadrature against its Beta posterior. :math:`P(p_1 > p_2)` is the
    posterior probability that the odds ratio exceeds 1.

    References
    ----------
    Spiegelhalter DJ, Abrams KR, Myles JP. Bayesian Approaches to Clinical Trials and
    Health-Care Evaluation. Wiley; 2004, ch. 3.

    Examples
    --------
    >>> post = beta_binomial_posterior(19, 36, 7, 18)
    >>> round(post.prob_or_above(1.0), 3)
    0.832
    """
    a, n1, b, n2 = _counts(a, n1, b, n2)
    s, f = _beta_prior("prior", prior)
    p2, w2 = _jacobi(b + s, n2 - b + f, nodes)
    centre, se = woolf_log_or(a, n1, b, n2)
    psi = _psi_grid(centre, max(se, 0.25), points)
    u = np.log(p2 / (1 - p2))[None, :] + psi[:, None]
    a1, b1 = a + s, n1 - a + f
    log_joint = -a1 * np.logaddexp(0.0, -u) - b1 * np.logaddexp(0.0, u) - special.betaln(a1, b1)
    label = f"Beta({s:g}, {f:g}) per arm"
    return _finish(psi, p2, w2, log_joint, label)


def log_or_prior_posterior(a: int, n1: int, b: int, n2: int, *, mean: float, sd: float,
                           control_prior=(0.5, 0.5), nodes: int = _NODES, points: int = _GRID) -> Posterior:
    """Posterior under a normal prior on the log odds ratio, with the exact binomial likelihood.

    Parameters
    ----------
    mean, sd : float
        The prior of the log odds ratio, :math:`N(mean, sd^2)`.
    control_prior : pair of float, default (0.5, 0.5)
        Beta shapes of the prior of the control rate (independent of the odds ratio).
    a, n1, b, n2, nodes, points
        As in :func:`beta_binomial_posterior`.

    Returns
    -------
    Posterior

    Notes
    -----
    With :math:`p_1 = \\mathrm{expit}(\\mathrm{logit}\\,p_2 + \\psi)` the joint posterior is
    proportional to :math:`\\phi((\\psi - mean)/sd)\\; Beta(p_2; b + s, n_2 - b + f)\\;
    p_1^a (1 - p_1)^{n_1 - a}`: the control arm's likelihood and prior combine into the
    Beta weight, integrated by Gauss-Jacobi quadrature, and the log odds ratio is laid
    out on a grid of `points` values wide enough to hold both prior and likelihood.
    No normal approximation to the likelihood is made.

    Examples
    --------
    >>> post = log_or_prior_posterior(19, 36, 7, 18, mean=0.0, sd=1.0065)
    >>> round(post.prob_or_above(1.0), 3)
    0.797
    """
    a, n1, b, n2 = _counts(a, n1, b, n2)
    s, f = _beta_prior("control_prior", control_prior)
    mean, sd = float(mean), float(sd)
    if not math.isfinite(mean):
        raise ValueError(f"mean must be a finite log odds ratio, got {mean!r}")
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"sd must be a positive number, got {sd!r}")
    p2, w2 = _jacobi(b + s, n2 - b + f, nodes)
    centre, se = woolf_log_or(a, n1, b, n2)
    lo = min(mean - 12 * sd, centre - 12 * se)
    hi = max(mean + 12 * sd, centre + 12 * se)
    psi = np.linspace(max(lo, centre - 40), min(hi, centre + 40), points)
    u = np.log(p2 / (1 - p2))[None, :] + psi[:, None]
    log_lik = -a * np.logaddexp(0.0, -u) - (n1 - a) * np.logaddexp(0.0, u)
    log_joint = log_lik - 0.5 * ((psi[:, None] - mean) / sd) ** 2
    label = f"N({mean:.3g}, {sd:.3g}^2) on log OR"
    return _finish(psi, p2, w2, log_joint, label)


# ------------------------------------------------------------ normal approximation
@dataclass(frozen=True)
class NormalPosterior:
    """Normal posterior of the log odds ratio: ``mean``, ``sd``."""

    mean: float
    sd: float

    def prob_or_above(self, odds_ratio: float) -> float:
        """Posterior probability that the odds ratio exceeds `odds_ratio`."""
        return float(sps.norm.sf(math.log(odds_ratio), self.mean, self.sd))

    def or_quantile(self, q: float) -> float:
        """The `q` quantile of the posterior odds ratio."""
        return float(math.exp(sps.norm.ppf(q, self.mean, self.sd)))

    def density_log_or(self, grid) -> pd.DataFrame:
        """Posterior density of the log odds ratio at `grid`: ``log_or, density``."""
        grid = np.asarray(grid, dtype=float)
        return pd.DataFrame({"log_or": grid, "density": sps.norm.pdf(grid, self.mean, self.sd)})

    def summary(self, *, planned_or: float, level: float = 0.95) -> dict:
        """Median, central `level` interval and the two probabilities of benefit (odds ratio only)."""
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        return {"or_median": self.or_quantile(0.5), "or_low": self.or_quantile(lo),
                "or_high": self.or_quantile(hi), "p_or_above_1": self.prob_or_above(1.0),
                "p_or_above_planned": self.prob_or_above(planned_or)}


def normal_approximation(a: int, n1: int, b: int, n2: int, *, mean: float = 0.0,
                         sd: float = math.inf) -> NormalPosterior:
    """Conjugate normal posterior of the log odds ratio from Woolf's estimate and a normal prior.

    The likelihood is approximated by :math:`N(\\hat\\psi, s^2)`, the log odds ratio and
    its Woolf standard error (:func:`woolf_log_or`); the prior is :math:`N(mean, sd^2)`,
    and ``sd = inf`` (the default) is the flat prior, whose posterior is the likelihood
    itself. The posterior precision is the sum of the two precisions and its mean the
    precision-weighted average (Spiegelhalter, Abrams and Myles 2004, section 3.6).

    >>> post = normal_approximation(19, 36, 7, 18)
    >>> round(post.prob_or_above(1.0), 3)
    0.831
    """
    est, se = woolf_log_or(a, n1, b, n2)
    mean, sd = float(mean), float(sd)
    if not math.isfinite(mean):
        raise ValueError(f"mean must be a finite log odds ratio, got {mean!r}")
    if not sd > 0:
        raise ValueError(f"sd must be positive (inf for a flat prior), got {sd!r}")
    if math.isinf(sd):
        return NormalPosterior(est, se)
    precision = 1 / se**2 + 1 / sd**2
    return NormalPosterior((est / se**2 + mean / sd**2) / precision, math.sqrt(1 / precision))


# ------------------------------------------------------------------ reverse Bayes
def _log_bounds(ci_low: float, ci_high: float) -> tuple[float, float]:
    lo, hi = float(ci_low), float(ci_high)
    if not (0 < lo < hi and math.isfinite(hi)):
        raise ValueError(
            f"the interval must be 0 < ci_low < ci_high (an odds-ratio interval), got ({ci_low!r}, {ci_high!r})"
        )
    return math.log(lo), math.log(hi)


def advocacy_limit(ci_low: float, ci_high: float) -> float:
    """Matthews' Advocacy Limit of a non-significant odds-ratio interval (Analysis of Credibility).

    Parameters
    ----------
    ci_low, ci_high : float
        The 95% interval of the odds ratio, with ``ci_low < 1 < ci_high``.

    Returns
    -------
    float
        The odds ratio AdL such that a prior whose 95% interval runs from 1 (no effect) to
        AdL, combined with the data, gives a posterior 95% interval that just touches 1.
        Only prior evidence for effects at least that large makes the result credible
        evidence of an effect in the direction observed.

    Notes
    -----
    On the log scale, with :math:`l, u` the logged bounds,
    :math:`\\log AdL = -(u + l)(u - l)^2 / (2 u l)` (Matthews 2018, section 3.2). It
    follows from combining the normal likelihood with mean :math:`(l + u)/2` and
    standard error :math:`(u - l)/(2z)` with the prior :math:`N(A/2, (A/(2z))^2)` and
    setting the posterior lower bound to zero.

    References
    ----------
    Matthews RAJ. Beyond 'significance': principles and practice of the Analysis of
    Credibility. R Soc Open Sci 2018;5:171047.

    >>> round(advocacy_limit(0.5556, 5.5552), 1)
    19.4
    """
    lo, hi = _log_bounds(ci_low, ci_high)
    if not lo < 0 < hi:
        raise ValueError("advocacy_limit needs a non-significant interval (ci_low < 1 < ci_high); "
                         "use scepticism_limit for a significant one")
    return float(math.exp(-(hi + lo) * (hi - lo) ** 2 / (2 * hi * lo)))


def scepticism_limit(ci_low: float, ci_high: float) -> float:
    """Matthews' Scepticism Limit of a significant odds-ratio interval (Analysis of Credibility).

    For an interval that excludes 1, the odds ratio SL (above 1 for a benefit, below 1
    for harm) such that a sceptical prior with 95% interval (1/SL, SL) makes the
    posterior interval just touch 1: :math:`\\log SL = (u - l)^2 / (4\\sqrt{u l})` in
    absolute value on the log scale (Matthews 2001, 2018). A result is credible only if
    prior evidence does not make effects beyond SL implausible.

    >>> round(scepticism_limit(1.2, 3.0), 2)
    1.6
    """
    lo, hi = _log_bounds(ci_low, ci_high)
    if lo < 0 < hi or lo == 0 or hi == 0:
        raise ValueError("scepticism_limit needs a significant interval (both bounds on one side of 1); "
                         "use advocacy_limit for a non-significant one")
    sl = (hi - lo) ** 2 / (4 * math.sqrt(hi * lo))
    return float(math.exp(sl if hi > 0 else -sl))
