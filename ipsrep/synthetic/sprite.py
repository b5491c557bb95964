"""Samples that reproduce printed summary statistics: SPRITE extended to two groups and a test.

SPRITE (Heathers, Anaya, van der Zee & Brown 2018; R package ``rsprite2``) searches for
samples of whole-number (or fixed-step) responses whose mean and SD round to printed
values. The trial paper prints, for two groups, n, mean and SD *and* the p-value of the
comparison, so this module works in three steps:

1. :func:`moment_candidates`: every exact (sum, sum of squares) pair, in grid units,
   whose mean and SD round to the printed ones (a GRIM/GRIMMER enumeration);
2. :func:`pair_candidates`: the pairs of such moments, one per group, whose Student or
   Welch p rounds to the printed p (the t-test depends on the data only through these
   moments);
3. :func:`sample_with_moments`: a sample on the grid with exactly those moments, grown
   from a rounded normal draw and corrected by SPRITE's pairwise moves (one value up a
   step, another down a step: the sum stays, the sum of squares moves by
   ``2 (x_i - x_j + 1)``).

Levene's test is not a function of the moments, so :func:`reconstruct_pair` draws
samples until Levene's decision at .05 agrees with the test the paper printed (SPSS's
rule: a significant mean-centred Levene test selects the Welch row).

Every decision is taken so that it is the same on every machine: moments are exact
integers, Levene's statistic is computed in exact rational arithmetic
(:func:`levene_significant`), and a p-value or Levene statistic within
:data:`EDGE_GUARD` (relative) of the boundary it is tested against counts as a miss,
so a last-bit difference in scipy's distribution functions cannot flip a decision.

Grid units: a value ``v`` on a scale from ``low`` in steps of ``step`` is held as the
integer ``k = (v - low) / step``; sums and sums of squares are exact integers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from ipsrep.methods.rounding import exact_window

TESTS = ("student", "welch")
EDGE_GUARD = 1e-9
"""Relative distance from a decision boundary (printed-p window, Levene's critical value)
within which a candidate is treated as missing it (see the module docstring)."""


@dataclass(frozen=True)
class Grid:
    """A scale's legal values: ``low, low + step, ..., high``."""

    low: Fraction
    high: Fraction
    step: Fraction

    @classmethod
    def of(cls, low, high, step) -> Grid:
        return cls(Fraction(low), Fraction(high), Fraction(step))

    @property
    def top(self) -> int:
        """Largest grid unit."""
        return int((self.high - self.low) / self.step)

    def values(self, units: np.ndarray) -> np.ndarray:
        """Grid units to values (floats computed from exact fractions)."""
        return np.array([float(self.low + self.step * int(k)) for k in units])


@dataclass(frozen=True)
class Printed:
    """A group's printed summary: n, and mean and SD as printed (text keeps the digits)."""

    n: int
    mean: str
    sd: str




@lru_cache(maxsize=65536)
def moment_candidates(target: Printed, grid: Grid, extras: tuple = (), bottom: int = 0) -> pd.DataFrame:
    """All exact (S, Q) in grid units whose mean and SD print as `target` does.

    The sample is ``n - len(extras)`` grid values (units ``bottom..top``) plus the
    `extras`: values fixed in advance, on the grid or not (a printed maximum, structural
    zeros, a prorated score). S is the sum and Q the sum of squares of the grid part's
    units; Q must have the parity of S (k^2 and k are both odd or both even). An empty
    frame means the printed pair is impossible (GRIM or GRIMMER inconsistent). Results
    are cached; treat the returned frame as read-only.
    """
    n, m = target.n, target.n - len(extras)
    low, step = grid.low, grid.step
    e_sum = sum((Fraction(e) for e in extras), Fraction(0))
    e_sq = sum((Fraction(e) ** 2 for e in extras), Fraction(0))
    m_lo, m_hi = exact_window(target.mean)
    s_lo, s_hi = exact_window(target.sd)
    # mean = (m low + step S + e_sum) / n
    s_min = math.ceil((m_lo * n - m * low - e_sum) / step)
    s_max = math.floor((m_hi * n - m * low - e_sum) / step)
    rows = []
    for s in range(max(s_min, bottom * m), min(s_max, grid.top * m) + 1):
        total = m * low + step * s + e_sum
        # sum of squares of values = m low^2 + 2 low step S + step^2 Q + e_sq
        base = m * low**2 + 2 * low * step * s + e_sq - total**2 / n
        q_lo = (max(s_lo, Fraction(0)) ** 2 * (n - 1) - base) / step**2
        q_hi = (s_hi**2 * (n - 1) - base) / step**2
        q = max(math.ceil(q_lo), 0)
        q += (q - s) % 2
        while q <= q_hi:
            rows.append((s, q))
            q += 2
    return pd.DataFrame(rows, columns=["S", "Q"], dtype="int64")


def _moments_to_stats(S, Q, target: Printed, grid: Grid, extras: tuple):
    n, m = target.n, target.n - len(extras)
    step, low = float(grid.step), float(grid.low)
    e = np.array([float(x) for x in extras], dtype=float)
    total = m * low + step * S + e.sum()
    sq = m * low**2 + 2 * low * step * S + step**2 * Q.astype(float) + (e**2).sum()
    return total / n, (sq - total**2 / n) / (n - 1)


def pair_candidates(a: Printed, b: Printed, grid: Grid, p_printed: str | None,
                    extras_a: tuple = (), extras_b: tuple = (), bottom: int = 0) -> pd.DataFrame:
    """Pairs of exact moments (one per group) and the tests under which p prints right.

    Returns columns ``S_a, Q_a, S_b, Q_b, p_student, p_welch, student_ok, welch_ok,
    distance`` where ``distance`` is how far the pair's means and SDs sit from the
    printed values in units of their rounding half-width (small = central). With
    ``p_printed=None`` every pair is ok under both tests.
    """
    ca = moment_candidates(a, grid, extras_a, bottom)
    cb = moment_candidates(b, grid, extras_b, bottom)
    pairs = ca.add_suffix("_a").merge(cb.add_suffix("_b"), how="cross")
    if pairs.empty:
        return pairs
    m1, v1 = _moments_to_stats(pairs["S_a"].to_numpy(), pairs["Q_a"].to_numpy(), a, grid, extras_a)
    m2, v2 = _moments_to_stats(pairs["S_b"].to_numpy(), pairs["Q_b"].to_numpy(), b, grid, extras_b)
    n1, n2 = a.n, b.n
    sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
    t_s = (m1 - m2) / np.sqrt(sp2 * (1 / n1 + 1 / n2))
    pairs["p_student"] = 2 * stats.t.sf(np.abs(t_s), n1 + n2 - 2)
    se2 = v1 / n1 + v2 / n2
    df_w = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    pairs["p_welch"] = 2 * stats.t.sf(np.abs((m1 - m2) / np.sqrt(se2)), df_w)
    if p_printed is None:
        pairs["student_ok"] = pairs["welch_ok"] = True
    else:
        lo, hi = (float(x) for x in exact_window(p_printed))
        lo, hi = lo * (1 + EDGE_GUARD), hi * (1 - EDGE_GUARD)
        pairs["student_ok"] = pairs["p_student"].between(lo, hi)
        pairs["welch_ok"] = pairs["p_welch"].between(lo, hi)
    half_m = [float(exact_window(x.mean)[1] - Fraction(x.mean)) for x in (a, b)]
    half_s = [float(exact_window(x.sd)[1] - Fraction(x.sd)) for x in (a, b)]
    pairs["distance"] = np.round(
        np.abs(m1 - float(a.mean)) / half_m[0] + np.abs(m2 - float(b.mean)) / half_m[1]
        + np.abs(np.sqrt(v1) - float(a.sd)) / half_s[0] + np.abs(np.sqrt(v2) - float(b.sd)) / half_s[1], 9)
    return pairs


def sample_with_moments(
    m: int, S_free: int, Q_free: int, top: int, rng: np.random.Generator, *,
    bottom: int = 0, skewed: bool = False, max_moves: int = 20000,
) -> np.ndarray | None:
    """A sample of `m` grid units in ``[bottom, top]`` with sum `S_free` and sum of squares `Q_free`.

    Starts from a rounded normal (or, when `skewed`, gamma) draw with the target mean and SD and applies random
    SPRITE moves that bring the sum of squares towards `Q` without overshooting.
    Returns the sorted units, or None when this draw got stuck (call again).
    """
    if m <= 0 or not (bottom * m <= S_free <= top * m):
        return None
    mean = S_free / m
    var = max((Q_free - S_free**2 / m) / max(m - 1, 1), 0.0)
    if skewed and var > 0 and mean > bottom:  # right-skewed amounts such as hours worked
        shape, scale = (mean - bottom) ** 2 / var, var / (mean - bottom)
        draw = bottom + rng.gamma(shape, scale, m)
    else:
        draw = rng.normal(mean, math.sqrt(var), m)
    x = np.clip(np.rint(draw), bottom, top).astype(np.int64)
    while (gap := S_free - int(x.sum())) != 0:
        movable = np.flatnonzero(x < top) if gap > 0 else np.flatnonzero(x > bottom)
        x[rng.choice(movable)] += 1 if gap > 0 else -1
    idx = np.arange(m)
    distinct = idx[:, None] != idx[None, :]
    for _ in range(max_moves):
        d = Q_free - int((x**2).sum())
        if d == 0:
            return np.sort(x)
        diff = x[:, None] - x[None, :]
        # move i up and j down by s units: the sum of squares changes by 2 s (x_i - x_j + s)
        exact = _exact_move(x, diff, d, top, bottom, distinct)
        if exact is not None:
            i, j, s = exact
        else:  # a random move toward the target, its size growing with the gap
            s = int(rng.integers(1, max(2, int(math.sqrt(abs(d) / 2)) + 1)))
            delta = 2 * s * (diff + s)
            ok = (x[:, None] + s <= top) & (x[None, :] - s >= bottom) & distinct
            choices = np.argwhere(ok & (np.sign(delta) == np.sign(d)) & (np.abs(delta) <= abs(d)))
            if len(choices) == 0:
                if s > 1:
                    continue
                choices = np.argwhere(ok)  # stuck: perturb at random and go on
                if len(choices) == 0:
                    return None
            i, j = choices[rng.integers(len(choices))]
        x[i] += s
        x[j] -= s
    return None


def _exact_move(x, diff, d, top, bottom, distinct, max_step: int = 64):
    """A move (i, j, s) that closes the gap `d` in one step, if one exists."""
    for s in range(1, max_step + 1):
        if d % (2 * s):
            continue
        target = d // (2 * s) - s
        hits = np.argwhere((diff == target) & (x[:, None] + s <= top) & (x[None, :] - s >= bottom) & distinct)
        if len(hits):
            i, j = hits[0]
            return int(i), int(j), s
    return None


def levene_p(x: np.ndarray, y: np.ndarray) -> float:
    """Mean-centred Levene test p (SPSS's 'Levene's Test for Equality of Variances')."""
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return 1.0
    return float(stats.levene(x, y, center="mean").pvalue)


def levene_statistic(x, y) -> Fraction:
    """Mean-centred Levene W of two samples, exactly (the samples' floats as exact fractions).

    W = (N - 2) sum_g n_g (Zbar_g - Zbar)^2 / sum_g sum_i (Z_gi - Zbar_g)^2 with
    Z_gi = |x_gi - xbar_g| (Levene 1960; scipy's ``levene(center="mean")``); infinite when
    every Z equals its group mean and the group means differ, 0 when all Z are equal.
    """
    groups = [[Fraction(float(v)) for v in sample] for sample in (x, y)]
    z = []
    for g in groups:
        mean = sum(g, Fraction(0)) / len(g)
        z.append([abs(v - mean) for v in g])
    n = sum(len(g) for g in z)
    zbar = sum((sum(g, Fraction(0)) for g in z), Fraction(0)) / n
    means = [sum(g, Fraction(0)) / len(g) for g in z]
    between = sum((len(g) * (m - zbar) ** 2 for g, m in zip(z, means, strict=True)), Fraction(0))
    within = sum((sum(((v - m) ** 2 for v in g), Fraction(0)) for g, m in zip(z, means, strict=True)), Fraction(0))
    if within == 0:
        return Fraction(0) if between == 0 else Fraction(10) ** 300
    return (n - 2) * between / within


def levene_significant(x, y, alpha: float = 0.05) -> bool | None:
    """Whether the mean-centred Levene test rejects at `alpha`, decided on the exact W.

    Returns None when W lies within :data:`EDGE_GUARD` (relative) of the critical value
    of F(1, N - 2): too close to decide the same way on every machine.
    """
    w = levene_statistic(x, y)
    crit = Fraction(float(stats.f.isf(alpha, 1, len(x) + len(y) - 2)))
    if abs(w - crit) <= crit * Fraction(EDGE_GUARD):
        return None
    return w > crit


@dataclass
class PairResult:
    """Two reconstructed samples (values, sorted) and how they reproduce the printed comparison."""

    a: np.ndarray
    b: np.ndarray
    test: str | None
    p_student: float
    p_welch: float
    levene_p: float
    hit: bool


def reconstruct_pair(
    a: Printed, b: Printed, grid: Grid, p_printed: str | None, rng: np.random.Generator, *,
    preferred: str | None = None, accept=None, extras_a: tuple = (), extras_b: tuple = (),
    bottom: int = 0, skewed: bool = False, tries: int = 400,
) -> PairResult:
    """Two samples on `grid` whose n, mean, SD and SPSS-rule p print as published.

    `preferred` names the test the paper evidently printed ("student" or "welch"); when
    both admit the printed p the preferred one is used. `accept(values_a, values_b)` is
    an extra condition on the samples (e.g. how many fall below a clinical cut-off).
    `extras_*` are values each sample must contain (see :func:`moment_candidates`) and
    `bottom` the smallest grid unit the rest may take. With ``p_printed=None`` only the
    per-group summaries are matched. If nothing satisfies everything, the first sample
    found is returned with ``hit=False`` (p or Levene's decision off).
    """
    pairs = pair_candidates(a, b, grid, p_printed, extras_a, extras_b, bottom)
    if pairs.empty:
        raise ValueError(f"no grid sample has the printed mean and SD: {a} / {b}")
    order = [preferred] if preferred else []
    order += [t for t in TESTS if t not in order]
    plans = []
    for test in order:
        ok = pairs[pairs[f"{test}_ok"]].sort_values("distance", kind="stable")
        plans += [(test, row) for _, row in ok.head(12).iterrows()]
    exact = bool(plans)
    if not plans:  # nothing prints the right p: aim as close as possible
        assert p_printed is not None  # without a printed p every pair is ok, so plans is not empty
        key = (pairs["p_student"] - float(p_printed)).abs()
        best = key.idxmin()  # a label of pairs' own index (pandas-stubs: Hashable)
        plans = [(preferred or "student", pairs.loc[best])]  # type: ignore[call-overload]
    ea = np.array([float(e) for e in extras_a])
    eb = np.array([float(e) for e in extras_b])
    best = None
    for attempt in range(tries):
        test, row = plans[attempt % len(plans)]
        ua = sample_with_moments(a.n - len(ea), int(row.S_a), int(row.Q_a), grid.top, rng, bottom=bottom, skewed=skewed)
        ub = sample_with_moments(b.n - len(eb), int(row.S_b), int(row.Q_b), grid.top, rng, bottom=bottom, skewed=skewed)
        if ua is None or ub is None:
            continue
        xa = np.sort(np.concatenate([grid.values(ua), ea]))
        xb = np.sort(np.concatenate([grid.values(ub), eb]))
        if accept is not None and not accept(xa, xb):
            continue
        lp = levene_p(xa, xb)
        agrees = p_printed is None or (levene_significant(xa, xb) == (test == "welch"))
        result = PairResult(xa, xb, test if p_printed else None, float(row["p_student"]),
                            float(row["p_welch"]), lp, exact and agrees)
        if result.hit:
            return result
        best = best or result
    if best is None:
        raise ValueError(f"could not draw samples for {a} / {b}")
    return best
