"""Linking a reconstruction's visits to participants so that Table 4 refits as printed.

The printed summaries (Tables 1-3) fix, per measure, group and visit, how many answered
and the multiset of their scores. They do not fix *who* holds which score, nor which of
the group's participants answered that visit. Two kinds of move change exactly that and
nothing printed:

- a **swap** exchanges two participants' scores within one measure, group and visit;
- a **shift** hands one participant's score at a visit to another participant of the
  same group who did not answer that visit (and may answer it: see ``eligible`` below),
  so the number who answered stays as printed. Shifts are used for the measures in
  :data:`RESPONDENTS_SEARCHED` only, by default none: every health measure keeps the
  one response status per participant and visit that the reconstruction draws.

Every Table 1-3 summary (counts, means, SDs, t-tests, Levene's test, the HSCL-25
cut-off count), the hours and the employment columns are functions of those multisets
and of other columns, so no move changes them (``tests/test_linkage.py``). The mixed
models of the trial paper's Table 4 do depend on the linkage, and :func:`link_visits`
searches over moves, measure by measure, to bring the adopted specification's refit
(:data:`ipsrep.analyses.mixed.ADOPTED`) close to the printed table.

How the search is made fast. For one measure with ``D = [1, g, t, g t, y]`` (g = 1 for
IPS, t the visit 0/1/2) and cluster totals ``T_i`` (the column sums of participant i's
rows of D, n_i rows), the random-intercept model's weighted cross-product is

    D' V*^-1 D = D'D - sum_i g_th / (1 + n_i g_th) T_i T_i',    g_th = theta^2,

(:class:`ipsrep.methods.lmm.RandomInterceptModel`, Notes). A move keeps the rows of D as a
multiset, so D'D never changes; it changes the totals of two participants only, i.e. a
rank-four update of the sums ``U_k = sum_{n_i = k} T_i T_i'``. Every candidate move is
scored by a batch of 4 x 4 and 5 x 5 eliminations (vectorised over candidates): its
profiled ML deviance is evaluated at three values of theta around the current optimum of
each of the two models (with and without the interaction: the adopted specification takes group,
time and intercept from the model
without it), the parabola's vertex gives theta, and the coefficients and their lme4
standard errors are read off there. After each accepted move the state is refitted
exactly (iterated parabolic steps to machine precision).

The search is simulated annealing with batched proposals: each step draws a batch of
random swaps and shifts, takes the one that lowers the loss most, or the least harmful
one with the Metropolis probability at a temperature that falls geometrically. The
loss is, per coefficient, the squared distance of the estimate from its target in units
of half the printed SE, plus the squared relative SE error in units of 10%, plus a
penalty when the Wald p falls on the other side of .05 than printed. It starts from
the rank-based linkage of :func:`ipsrep.synthetic.reconstruct.reconstruct_trial`
(within-person correlations from :mod:`ipsrep.synthetic.calibration`) and stops when
every coefficient of the measure is well inside the targets, when the loss has stopped
falling (:data:`STALL` steps, or :data:`STALL_MET` once every target is met) or when the
budget of steps is spent; the best state visited is kept. On the committed seed the
whole search takes about 4-6 s of one core (``data/reconstructed/README.md``).

The same seed gives the same file on every machine. Everything is driven by one seeded
generator (numpy's PCG64 streams are platform-independent), the steps are counted, not
timed, and no decision depends on floating-point noise: the sufficient statistics D'D,
T and U are exact integers (scores in grid units, :func:`_grid_scale`), every fit is
computed from correctly rounded operations in a fixed order (no BLAS, LAPACK, einsum or
SIMD transcendental functions: :mod:`ipsrep.methods.portable`), and losses are
quantised to :data:`LOSS_QUANTUM` before they are compared, ties going to the first
candidate (``tests/test_determinism.py`` runs the reconstruction under several BLAS
kernels, thread counts and SIMD widths).

The printed worst-pain interaction contradicts itself (estimate 0.06 with SE 0.24
against z 1.60 and p .090; :func:`ipsrep.analyses.mixed.published_consistency`); its
target is the estimate its printed z implies (z times SE), searched with the tighter
tolerance :data:`INCONSISTENT_TOLERANCE` so that the refit's z lands near the printed
one, and its ledger rows stay ``source_inconsistent``.

Nothing the search decides describes the trial: it makes a synthetic data set whose
mixed models print like the paper's, no more.
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ipsrep.analyses.mixed import ADOPTED, TERMS, published_consistency, table4
from ipsrep.inputs.measures import GROUPS, MEASURES, VISITS
from ipsrep.methods import portable

__all__ = [
    "ESTIMATE_TOLERANCE",
    "SE_TOLERANCE",
    "DEFAULT_BUDGET",
    "linkage_targets",
    "MeasureLinkage",
    "SearchResult",
    "search_measure",
    "link_visits",
    "linkage_report",
    "linkage_summary",
    "linkage_markdown",
    "search_markdown",
    "agreement_text",
    "misses_text",
    "README_START",
    "README_END",
    "readme_section",
]

ESTIMATE_TOLERANCE = 0.5
"""Target: each estimate within this many printed SEs of its target."""
INCONSISTENT_TOLERANCE = 0.2
"""The search's tighter tolerance (printed SEs) for a row whose printed estimate contradicts
its z and p: its target is the z-implied estimate, and keeping within 0.2 SE of it keeps
the refit's z within about 0.2 of the printed z."""
SE_TOLERANCE = 0.10
"""Target: each SE within this fraction of the printed SE."""
Z_CRITICAL = 1.959963984540054
"""|z| at which the two-sided normal p is .05."""

DEFAULT_BUDGET = 1500
"""Most annealing steps per measure (the search stops earlier once the measure is well inside the targets)."""
BATCH = 48
"""Candidate moves scored per step."""
STOP_FRACTION = 0.8
"""A measure is done when every estimate is within this fraction of the estimate tolerance
and every SE within this fraction of the SE tolerance (and every p on its printed side)."""
TEMPERATURE = (0.5, 0.005)
"""Annealing temperature at the first and the last step of the budget (loss units)."""
REFIT_EVERY = 25
STALL, STALL_MET, GAIN = 500, 150, 0.01
"""The search of a measure also stops after STALL steps without lowering the best loss by a
fraction GAIN, or STALL_MET such steps once its best state meets every target."""
MOVES_PER_STEP = 6
SHIFT_SHARE = 0.35
"""Share of shift moves among the proposals where shifts are allowed."""
RESPONDENTS_SEARCHED: tuple[str, ...] = ()
"""Measures whose respondents the search may choose (shift moves): none. Every health
measure keeps the one response status per participant and visit that the reconstruction
draws (nested respondent sets, :func:`ipsrep.synthetic.reconstruct.reconstruct_trial`),
and the search only swaps scores among a visit's respondents. (An earlier version let it
choose the EQ-VAS respondents, because with the shared status no swap brings the EQ-VAS
intercept SE within 10% of the printed one; that miss is now reported as a miss,
``data/reconstructed/README.md``.) ``link_visits(respondents_searched=...)`` still allows
it, to show what choosing respondents adds."""
SCORE_STENCIL = (0.08, 0.01)
"""Relative half-widths of the two parabolic steps in theta by which a candidate move is scored."""
"""Most improving moves (on disjoint participants) made in one step."""
"""Accepted moves between exact refits (in between, the scored fit stands in)."""
EDGE, EDGE_WEIGHT = 0.9, 8.0
"""Extra loss for a coefficient near or beyond its tolerance: rising from 0 at EDGE
(in tolerance units) to EDGE_WEIGHT at the tolerance and flat beyond, so the search
prefers every coefficient inside its target and, where that cannot be had, as few
outside as possible."""
P_MARGIN = 0.08
"""The search keeps |z| at least this far on the printed side of 1.96."""
LOSS_QUANTUM = 1e-9
"""Losses are rounded to multiples of this before any comparison."""

_TIME = np.array([0.0, 1.0, 2.0])
_MAIN = [0, 1, 2, 4]  # columns of D = [1, g, t, g t, y] in the model without interaction
_FULL = [0, 1, 2, 3, 4]
_KS = np.arange(4.0)  # a participant answers 0-3 visits
_DECADE = (1.0, 1.2589254117941673, 1.5848931924611136, 1.9952623149688795, 2.51188643150958,
           3.1622776601683795, 3.981071705534973, 5.011872336272722, 6.309573444801933, 7.943282347242816)
_COLD_GRID = np.array([0.0] + [_DECADE[e % 10] * float(f"1e{e // 10}") for e in range(-30, 31)])
"""0 and 10^-3 ... 10^3 in 61 steps of 10^0.1, from literals (no pow: the same bits everywhere)."""
# (model, column) of each Table 4 term under the adopted specification, in TERMS order
_TERM_SOURCE = {"group": ("main", 1), "time": ("main", 2), "interaction": ("full", 3), "intercept": ("main", 0)}


def _check_spec(spec) -> None:
    if spec != ADOPTED:
        raise ValueError(f"the linkage search fits the adopted specification ({ADOPTED.label}) only, got {spec.label}")


def linkage_targets() -> pd.DataFrame:
    """What the search aims at: the printed Table 4, one row per measure and term.

    Returns
    -------
    DataFrame
        ``measure, term, printed_estimate, printed_se, printed_z, printed_p,
        source_inconsistent, target_estimate, significant`` (printed p < .05). The target
        estimate is the printed one, except for rows whose printed estimate, SE and z
        contradict each other (:func:`ipsrep.analyses.mixed.published_consistency`),
        where it is printed z times printed SE.
    """
    check = published_consistency()
    out = pd.DataFrame({
        "measure": check["measure"], "term": check["term"], "printed_estimate": check["estimate"],
        "printed_se": check["se"], "printed_z": check["z"], "printed_p": check["p"],
        "source_inconsistent": ~check["consistent"].astype(bool),
    })
    out["target_estimate"] = np.where(out["source_inconsistent"], out["printed_z"] * out["printed_se"],
                                      out["printed_estimate"])
    out["significant"] = out["printed_p"] < 0.05
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------- fast fit
def _weights(g: np.ndarray, k: np.ndarray | float) -> np.ndarray:
    return g / (1.0 + k * g)


def _profile(G: np.ndarray, cols: list[int], N: int, logterm: np.ndarray) -> np.ndarray:
    sub = G[..., cols, :][..., :, cols]
    return logterm + N * portable.log(portable.schur_last(sub))


def _coefficients(G: np.ndarray, cols: list[int], N: int) -> tuple[np.ndarray, np.ndarray]:
    """GLS estimates and lme4 SEs (sigma^2 = r / N) from the weighted cross-product."""
    sub = G[..., cols, :][..., :, cols]
    p = len(cols) - 1
    A, b, yy = sub[..., :p, :p], sub[..., :p, p], sub[..., p, p]
    rhs = np.concatenate([b[..., None], np.broadcast_to(np.eye(p), A.shape)], axis=-1)
    sol = portable.solve_spd(A, rhs)
    beta = sol[..., 0]
    r = yy - portable.rowsum(b * beta)
    se = np.sqrt(r[..., None] / N * np.diagonal(sol[..., 1:], axis1=-2, axis2=-1))
    return beta, se


def _grid_scale(values: np.ndarray) -> int:
    """Smallest integer c that puts every value on an integer grid (c * value whole).

    The reconstruction's scores lie on their instrument's grid (ODI steps of 2 and
    prorated 100 s / (5 k), HSCL-25 1/25, anxiety 1/10, depression 1/15, BPI and EQ-VAS
    whole numbers), so the search's sufficient statistics are exact integers in these
    units and do not depend on the order in which a CPU adds them.
    """
    scale = 1
    for v in np.unique(values[~np.isnan(values)]):
        frac = Fraction(float(v)).limit_denominator(10_000)
        if abs(float(frac) - float(v)) > 1e-9 * max(1.0, abs(float(v))):
            raise ValueError(f"MeasureLinkage: score {v!r} lies on no grid with a denominator up to 10,000")
        scale = math.lcm(scale, frac.denominator)
    if scale > 1_000_000:
        raise ValueError(f"MeasureLinkage: the scores need a grid of 1/{scale}; allowed at most 1/1,000,000")
    return scale


@dataclass
class _Fit:
    theta: dict  # model -> theta
    estimate: np.ndarray  # (4,) in TERMS order
    se: np.ndarray


class MeasureLinkage:
    """One measure's scores on participants, with the sufficient statistics of Table 4's models.

    Parameters
    ----------
    values : ndarray (n, 3)
        Score per participant at 0, 6 and 12 months (NaN: not answered).
    ips : ndarray (n,)
        1 for IPS, 0 for TAU.
    eligible : mapping (group index 0 IPS / 1 TAU, visit index) -> participant indices
        Who may answer that visit; those answering must be among them. The
        reconstruction passes each follow-up's employment respondents (questionnaires
        went out with the follow-up) and the whole group at baseline.

    Notes
    -----
    Moves: :meth:`swap` and :meth:`shift`. Neither changes, per group and visit, the
    number of scores or their multiset.
    """

    def __init__(self, values: np.ndarray, ips: np.ndarray, eligible: Mapping[tuple[int, int], np.ndarray]):
        self.y = np.array(values, dtype=float)
        self.ips = np.asarray(ips, dtype=float)
        n = len(self.y)
        if self.y.shape != (n, 3) or self.ips.shape != (n,):
            raise ValueError("MeasureLinkage: values must be (participants, 3) and ips one flag per participant")
        self.scale = _grid_scale(self.y)
        cells = []
        for (grp, v), who in sorted(eligible.items()):
            who = np.asarray(who, dtype=int)
            in_group = (self.ips == (1.0 if grp == 0 else 0.0))
            if not in_group[who].all():
                raise ValueError(f"MeasureLinkage: an eligible participant of visit {v} is not in group {grp}")
            outside = np.flatnonzero(in_group & ~np.isnan(self.y[:, v]) & ~np.isin(np.arange(n), who))
            if outside.size:
                raise ValueError(f"MeasureLinkage: participant {outside[0]} answered visit {v} but is not eligible")
            answered = who[~np.isnan(self.y[who, v])]
            cells.append((grp, v, answered, np.setdiff1d(who, answered)))
        width = max(1, max(max(len(a), len(m)) for *_, a, m in cells))
        self.cell_group = np.array([c[0] for c in cells])
        self.cell_visit = np.array([c[1] for c in cells])
        self.answered = np.full((len(cells), width), -1)
        self.missing = np.full((len(cells), width), -1)
        self.n_answered = np.array([len(c[2]) for c in cells])
        self.n_missing = np.array([len(c[3]) for c in cells])
        for c, (_, _, a, m) in enumerate(cells):
            self.answered[c, :len(a)] = a
            self.missing[c, :len(m)] = m
        self._swap_cells = np.flatnonzero(self.n_answered > 1)
        self._shift_cells = np.flatnonzero((self.n_answered > 0) & (self.n_missing > 0))
        self.N = int((~np.isnan(self.y)).sum())
        self._totals()
        self.fit: _Fit | None = None

    # -------------------------------------------------------------- statistics
    def _units(self, y: np.ndarray) -> np.ndarray:
        """Scores in grid units (whole numbers; 0 where not answered), as int64."""
        return np.rint(np.where(np.isnan(y), 0.0, y) * self.scale).astype(np.int64)

    def _participant(self, i) -> tuple[np.ndarray, float]:
        seen = ~np.isnan(self.y[i])
        k = int(seen.sum())
        s = int(np.flatnonzero(seen).sum())
        Y = int(self._units(self.y[i]).sum())
        g = int(self.ips[i])
        return np.array([k, g * k, s, g * s, Y], dtype=float), float(k)

    def _totals(self) -> None:
        """Cluster totals T, D'D and U = sum_{n_i = k} T_i T_i' in exact integer arithmetic
        (scores in grid units), stored as floats that hold the integers exactly."""
        seen = ~np.isnan(self.y)
        units = self._units(self.y)
        g = self.ips.astype(np.int64)
        k = seen.sum(axis=1).astype(np.int64)
        s = (seen * np.arange(3)).sum(axis=1).astype(np.int64)
        T = np.column_stack([k, g * k, s, g * s, units.sum(axis=1)])
        rows = np.argwhere(seen)
        t = rows[:, 1].astype(np.int64)
        gi = g[rows[:, 0]]
        D = np.column_stack([np.ones(len(rows), dtype=np.int64), gi, t, gi * t, units[rows[:, 0], rows[:, 1]]])
        DD = D.T @ D
        U = np.zeros((4, 5, 5), dtype=np.int64)
        for j in range(4):
            part = T[k == j]
            U[j] = part.T @ part
        if max(int(np.abs(DD).max()), int(np.abs(U).max(initial=0))) >= 2**52:
            raise ValueError("MeasureLinkage: the scores are too large for exact sums in grid units")
        self.DD, self.U, self.T = DD.astype(float), U.astype(float), T.astype(float)
        self.k = k.astype(float)
        self.counts = np.bincount(k, minlength=4).astype(float)

    def gram(self, theta) -> np.ndarray:
        """D' V*^-1 D at each theta (shape of theta + (5, 5)), scores in grid units."""
        g = np.asarray(theta, dtype=float) ** 2
        out = np.broadcast_to(self.DD, g.shape + (5, 5)).copy()
        for k in range(1, 4):  # k = 0: nobody without a score enters the model
            out = out - _weights(g, float(k))[..., None, None] * self.U[k]
        return out

    def _logterm(self, theta) -> np.ndarray:
        g = np.asarray(theta, dtype=float) ** 2
        logs = portable.log1p(np.stack([g, 2.0 * g, 3.0 * g]))
        out = np.zeros_like(g)
        for k in range(1, 4):
            out = out + logs[k - 1] * self.counts[k]
        return out

    def deviance(self, theta, model: str) -> np.ndarray:
        """Profiled ML deviance (up to a constant) of the model with (``"full"``) or without
        (``"main"``) interaction."""
        cols = _FULL if model == "full" else _MAIN
        return _profile(self.gram(theta), cols, self.N, self._logterm(theta))

    def _optimise(self, model: str, start: float | None) -> float:
        """theta maximising the profiled likelihood: a coarse grid (cold start), then
        parabolic (secant-Newton) steps on a small stencil until the step is below 1e-9."""
        if start is None:
            grid = _COLD_GRID
            dev = self.deviance(grid, model)
            theta = float(grid[int(np.argmin(dev))])
        else:
            theta = float(start)
        rel = 1e-3
        for _ in range(30):
            h = rel * max(theta, 1e-2)
            lo = max(theta - h, 0.0)
            pts = np.array([lo, lo + h, lo + 2 * h])
            d = self.deviance(pts, model)
            curv = d[0] - 2 * d[1] + d[2]
            if curv <= 0:  # not convex here: walk downhill
                new = max(theta - 0.5 * max(theta, 1e-2), 0.0) if d[0] < d[2] else theta + 0.5 * max(theta, 1e-2)
            else:
                new = lo + h + 0.5 * h * (d[0] - d[2]) / curv
                new = min(max(new, 0.5 * theta), 2.0 * theta + 1e-2)
            if new <= 0.0 or (lo == 0.0 and d[0] <= d[1] and new <= h):
                # at or towards the boundary: the variance is zero when the deviance rises from 0
                if self.deviance(np.array([0.0]), model)[0] <= self.deviance(np.array([1e-6]), model)[0]:
                    return 0.0
                new = max(new, 1e-6)
            step = abs(new - theta)
            theta = new
            rel = min(max(step / max(theta, 1e-2), 1e-5), 1e-2)
            if step <= 1e-10 * max(theta, 1e-2):
                break
        return theta

    def _step(self, theta: dict, rel: float) -> dict:
        """One parabolic (secant-Newton) step in theta for both models at once."""
        pts, his = [], []
        for model in ("main", "full"):
            h = rel * max(theta[model], 1e-2)
            lo = max(theta[model] - h, 0.0)
            pts.append([lo, lo + h, lo + 2 * h])
            his.append((lo, h))
        grid = np.array(pts).ravel()
        G, log = self.gram(grid), self._logterm(grid)
        new = {}
        for n, (model, cols) in enumerate((("main", _MAIN), ("full", _FULL))):
            lo, h = his[n]
            d = _profile(G[3 * n:3 * n + 3], cols, self.N, log[3 * n:3 * n + 3])
            curv = d[0] - 2 * d[1] + d[2]
            th = theta[model]
            if curv <= 0:  # not convex here: walk downhill
                new[model] = max(th - 0.5 * max(th, 1e-2), 0.0) if d[0] < d[2] else th + 0.5 * max(th, 1e-2)
            else:
                v = lo + h + 0.5 * h * (d[0] - d[2]) / curv
                new[model] = min(max(v, 0.5 * th, 0.0), 2.0 * th + 1e-2)
        return new

    def _coefficients_at(self, theta: dict) -> _Fit:
        G = self.gram(np.array([theta["main"], theta["full"]]))
        b_main, s_main = _coefficients(G[0], _MAIN, self.N)
        b_full, s_full = _coefficients(G[1], _FULL, self.N)
        est = np.array([b_main[1], b_main[2], b_full[3], b_main[0]]) / self.scale
        se = np.array([s_main[1], s_main[2], s_full[3], s_main[0]]) / self.scale
        return _Fit(theta=dict(theta), estimate=est, se=se)

    def refit(self, exact: bool = True) -> _Fit:
        """ML fit of both models at the current linkage; returns and stores it.

        ``exact=False`` makes the two parabolic steps in theta of :meth:`score` from the
        stored fit (enough between moves); ``exact=True`` iterates to machine precision (a cold start
        searches a grid first).
        """
        if self.fit is None:
            theta = {m: self._optimise(m, None) for m in ("main", "full")}
        elif not exact:
            theta = self.fit.theta
            for rel in SCORE_STENCIL:
                theta = self._step(theta, rel)
        else:
            theta, rel = dict(self.fit.theta), 1e-3
            for _ in range(30):
                new = self._step(theta, rel)
                step = max(abs(new[m] - theta[m]) / max(theta[m], 1e-2) for m in theta)
                if min(new.values()) <= 0.0:  # at a boundary: the careful one-model search
                    new = {m: self._optimise(m, theta[m]) for m in theta}
                    theta = new
                    break
                theta = new
                rel = min(max(step, 1e-5), 1e-2)
                if step <= 1e-10:
                    break
        self.fit = self._coefficients_at(theta)
        return self.fit

    # -------------------------------------------------------------- moves
    def swap(self, visit: int, i: int, j: int) -> None:
        """Exchange participants i and j's scores at `visit` (both answered it, same group)."""
        if self.ips[i] != self.ips[j] or np.isnan(self.y[i, visit]) or np.isnan(self.y[j, visit]):
            raise ValueError("swap: both participants must be in one group and have answered the visit")
        self.y[[i, j], visit] = self.y[[j, i], visit]
        self._update(i, j)

    def shift(self, visit: int, i: int, j: int) -> None:
        """Give participant i's score at `visit` to j, who had none there (same group, eligible)."""
        c = int(np.flatnonzero((self.cell_visit == visit) & (self.cell_group == (0 if self.ips[i] else 1)))[0])
        a = np.flatnonzero(self.answered[c, :self.n_answered[c]] == i)
        b = np.flatnonzero(self.missing[c, :self.n_missing[c]] == j)
        if self.ips[i] != self.ips[j] or not a.size or not b.size:
            raise ValueError(
                "shift: i must have answered the visit and j be an eligible non-respondent of the same group"
            )
        self.y[j, visit], self.y[i, visit] = self.y[i, visit], np.nan
        self.answered[c, a[0]], self.missing[c, b[0]] = j, i
        self._update(i, j)

    def _update(self, i: int, j: int) -> None:
        for p in (i, j):
            old, ko = self.T[p].copy(), int(self.k[p])
            new, kn = self._participant(p)
            self.U[ko] -= np.outer(old, old)
            self.U[int(kn)] += np.outer(new, new)
            self.counts[ko] -= 1
            self.counts[int(kn)] += 1
            self.T[p], self.k[p] = new, kn

    # -------------------------------------------------------------- batch scoring
    def propose(self, rng: np.random.Generator, size: int, shift_share: float = 0.35) -> np.ndarray:
        """Random moves as rows ``(kind, visit, i, j)``; kind 0 swap, 1 shift.

        A swap picks a cell (group and visit) and two of its respondents; a shift picks a
        cell, one respondent and one eligible non-respondent.
        """
        u = rng.random((size, 4))
        kind = (u[:, 0] < shift_share) & (self._shift_cells.size > 0)
        pool = np.where(kind, 0, 0)
        n_sw, n_sh = max(self._swap_cells.size, 1), max(self._shift_cells.size, 1)
        cell = np.where(
            kind,
            self._shift_cells[np.minimum((u[:, 1] * n_sh).astype(int), n_sh - 1)] if self._shift_cells.size else pool,
            self._swap_cells[np.minimum((u[:, 1] * n_sw).astype(int), n_sw - 1)],
        )
        na, nm = self.n_answered[cell], self.n_missing[cell]
        a = (u[:, 2] * na).astype(int)
        i = self.answered[cell, a]
        b_swap = (u[:, 3] * (na - 1)).astype(int)
        b_swap += b_swap >= a
        j_swap = self.answered[cell, np.minimum(b_swap, na - 1)]
        j_shift = self.missing[cell, (u[:, 3] * np.maximum(nm, 1)).astype(int)]
        j = np.where(kind, j_shift, j_swap)
        return np.column_stack([kind.astype(int), self.cell_visit[cell], i, j])

    def score(self, moves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Approximate fit after each move alone: estimates and SEs (each (moves, 4), TERMS
        order) and theta of the models without and with interaction (moves, 2)."""
        kind, v, i, j = moves.T
        yi, yj = self._units(self.y[i, v]).astype(float), self._units(self.y[j, v]).astype(float)
        t = _TIME[v]
        Ti, Tj = self.T[i], self.T[j]
        gi = self.ips[i]
        # swap: Y_i += yj - yi; shift: i loses (1, t, yi), j gains them
        dY = np.where(kind == 0, yj - yi, -yi)
        dk = np.where(kind == 0, 0.0, -1.0)
        ds = dk * t
        delta = np.column_stack([dk, gi * dk, ds, gi * ds, dY])
        Ti_new = Ti + delta
        Tj_new = Tj - delta
        Q = np.stack([Ti, Tj, Ti_new, Tj_new], axis=1)  # (M, 4, 5)
        Kq = np.stack([self.k[i], self.k[j], self.k[i] + dk, self.k[j] - dk], axis=1)
        Sq = np.array([1.0, 1.0, -1.0, -1.0])  # subtract the old totals' share of U, add the new

        def gram_log(theta):  # theta (M, ng)
            g = theta**2
            G = self.gram(theta)
            for q in range(4):
                kq = Kq[:, q, None]
                G = G + (_weights(g, kq) * Sq[q])[..., None, None] * (Q[:, None, q, :, None] * Q[:, None, q, None, :])
            # log|V| terms: the state's counts at 1-3 visits, minus the moved totals' old, plus their new
            logs = portable.log1p(np.stack([g, 2.0 * g, 3.0 * g] + [Kq[:, q, None] * g for q in range(4)]))
            log = np.zeros_like(g)
            for k in range(1, 4):
                log = log + logs[k - 1] * self.counts[k]
            for q in range(4):
                log = log - logs[3 + q] * Sq[q]
            return G, log

        M = len(moves)
        assert self.fit is not None, "moves are scored around a fitted state (refit() first)"
        centre = np.broadcast_to(np.array([self.fit.theta["main"], self.fit.theta["full"]]), (M, 2))
        for rel in SCORE_STENCIL:  # a wide parabolic step, then a narrow one around its vertex
            h = rel * np.maximum(centre, 1e-2)
            lo = np.maximum(centre - h, 0.0)
            grid = np.concatenate([lo, lo + h, lo + 2 * h], axis=1)  # (M, 6): main, full at lo, lo+h, lo+2h
            G, log = gram_log(grid)
            vertices = np.empty((M, 2))
            for n, cols in enumerate((_MAIN, _FULL)):
                idx = [n, n + 2, n + 4]
                d = _profile(G[:, idx], cols, self.N, log[:, idx])
                curv = d[:, 0] - 2 * d[:, 1] + d[:, 2]
                step = 0.5 * h[:, n] * (d[:, 0] - d[:, 2]) / np.where(curv > 0, curv, np.inf)
                downhill = np.where(d[:, 0] < d[:, 2], -0.5, 0.5) * np.maximum(centre[:, n], 1e-2)
                vertex = lo[:, n] + h[:, n] + np.where(curv > 0, step, downhill)
                vertices[:, n] = np.clip(vertex, 0.5 * centre[:, n], 2.0 * centre[:, n] + 1e-2)
            centre = vertices
        Gv, _ = gram_log(vertices)
        b_main, s_main = _coefficients(Gv[:, 0], _MAIN, self.N)
        b_full, s_full = _coefficients(Gv[:, 1], _FULL, self.N)
        # TERMS order: group, time (main), interaction (full), intercept (main); back from grid units
        est = np.column_stack([b_main[:, 1], b_main[:, 2], b_full[:, 3], b_main[:, 0]]) / self.scale
        se = np.column_stack([s_main[:, 1], s_main[:, 2], s_full[:, 3], s_main[:, 0]]) / self.scale
        return est, se, vertices

    def apply(self, move) -> None:
        """Make a move given as a row of :meth:`propose` (the stored fit is not updated)."""
        kind, v, i, j = (int(x) for x in move)
        (self.swap if kind == 0 else self.shift)(v, i, j)


# ---------------------------------------------------------------------------- search
@dataclass(frozen=True)
class SearchResult:
    """Outcome of the search for one measure."""

    measure: str
    steps: int
    accepted: int
    loss_start: float
    loss: float
    done: bool  # stopped because every coefficient was well inside the targets


def _loss_parts(est, se, target):
    e = (est - target["estimate"]) / (target["tolerance"] * target["se"])
    s = (se / target["se"] - 1.0) / SE_TOLERANCE
    z = np.abs(est / se)
    wrong = np.where(target["significant"], Z_CRITICAL + P_MARGIN - z, z - (Z_CRITICAL - P_MARGIN))
    pen = np.maximum(wrong, 0.0) / 0.05
    return e, s, pen


def _loss(est, se, target) -> np.ndarray:
    """The search's loss, quantised to :data:`LOSS_QUANTUM` (ties go to the lower index)."""
    e, s, pen = _loss_parts(est, se, target)
    outside = np.clip((np.abs(e) - EDGE) / (1.0 - EDGE), 0.0, 1.0) + np.clip(
        (np.abs(s) - EDGE) / (1.0 - EDGE), 0.0, 1.0
    )
    raw = (portable.rowsum(e**2) + portable.rowsum(s**2) + portable.rowsum(pen**2)
           + EDGE_WEIGHT * portable.rowsum(outside))
    return portable.quantise(raw, LOSS_QUANTUM)


def _met(est, se, target) -> bool:
    """Every coefficient inside its targets (estimate, SE, side of .05)."""
    e, s, _ = _loss_parts(est, se, target)
    z = np.abs(est / se)
    side = np.where(target["significant"], z > Z_CRITICAL, z < Z_CRITICAL)
    return bool((np.abs(e) <= 1.0).all() and (np.abs(s) <= 1.0).all() and side.all())


def _done(est, se, target) -> bool:
    e, s, pen = _loss_parts(est, se, target)
    return bool((np.abs(e) <= STOP_FRACTION).all() and (np.abs(s) <= STOP_FRACTION).all() and (pen <= 0).all())


def search_measure(state: MeasureLinkage, target: Mapping[str, np.ndarray], rng: np.random.Generator, *,
                   budget: int = DEFAULT_BUDGET, measure: str = "", shifts: bool = True) -> SearchResult:
    """Anneal one measure's linkage towards its Table 4 targets (in place; best state kept).

    Parameters
    ----------
    state : MeasureLinkage
        The measure's scores and eligibility; left at the best linkage found.
    target : mapping
        ``estimate``, ``se``, ``tolerance`` (in printed SEs; 4 arrays in TERMS order) and
        ``significant`` (printed p < .05).
    rng : numpy Generator
        Source of all random choices.
    budget : int
        Most steps; each scores :data:`BATCH` candidate moves.
    shifts : bool
        Whether the search may move a score to a non-respondent (who answered which
        visit); False searches swaps only and keeps the response status as given.

    Returns
    -------
    SearchResult
    """
    fit = state.refit()
    loss = float(_loss(fit.estimate, fit.se, target))
    start = best = loss
    best_y = state.y.copy()
    temperature = TEMPERATURE[0]
    cooling = float(portable.exp(portable.log(TEMPERATURE[1] / TEMPERATURE[0]) / max(budget, 1)))
    accepted = steps = since_exact = last_gain = 0
    patience = STALL_MET if _met(fit.estimate, fit.se, target) else STALL
    done = _done(fit.estimate, fit.se, target)
    while steps < budget and not done and steps - last_gain <= patience:
        steps += 1
        moves = state.propose(rng, BATCH, shift_share=SHIFT_SHARE if shifts else 0.0)
        est, se, theta = state.score(moves)
        cand = _loss(est, se, target)
        m = int(np.argmin(cand))
        delta = float(cand[m]) - loss
        if delta < 0:
            chosen = _combine(moves, est, se, cand, fit, loss, target)
        elif rng.random() < float(portable.exp(-delta / temperature)):
            chosen = [m]
        else:
            continue
        for k in chosen:
            state.apply(moves[k])
        accepted += len(chosen)
        since_exact += len(chosen)
        if since_exact >= REFIT_EVERY:
            fit, since_exact = state.refit(), 0
        elif len(chosen) == 1:  # the scored fit (parabolic theta) stands in for a refit
            fit = state.fit = _Fit(theta={"main": theta[m, 0], "full": theta[m, 1]}, estimate=est[m], se=se[m])
        else:
            fit = state.refit(exact=False)
        loss = float(_loss(fit.estimate, fit.se, target))
        if _done(fit.estimate, fit.se, target):
            fit, since_exact = state.refit(), 0
            loss = float(_loss(fit.estimate, fit.se, target))
            done = _done(fit.estimate, fit.se, target)
        if loss < best:
            if loss < best * (1.0 - GAIN):
                last_gain = steps
            if _met(fit.estimate, fit.se, target):
                patience = STALL_MET
            best, best_y = loss, state.y.copy()
        temperature *= cooling
    if not _same(best_y, state.y):
        _restore(state, best_y)
    fit = state.refit()
    return SearchResult(measure=measure, steps=steps, accepted=accepted, loss_start=start,
                        loss=float(_loss(fit.estimate, fit.se, target)), done=_done(fit.estimate, fit.se, target))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(np.nan_to_num(a), np.nan_to_num(b)))


def _combine(moves, est, se, cand, fit, loss, target) -> list[int]:
    """Improving moves on disjoint participants whose effects, added up, keep lowering the loss.

    Far from the target many moves help at once; their effects on the coefficients are
    nearly additive, so the combined fit is predicted by adding each move's change. The
    best move is always taken; the others join in order of merit while the predicted
    loss falls (at most :data:`MOVES_PER_STEP`).
    """
    order = np.argsort(cand, kind="stable")
    chosen = [int(order[0])]
    used = {int(moves[order[0], 2]), int(moves[order[0], 3])}
    d_est, d_se = est[order[0]] - fit.estimate, se[order[0]] - fit.se
    predicted = float(cand[order[0]])
    for k in order[1:]:
        if len(chosen) >= MOVES_PER_STEP or cand[k] >= loss:
            break
        i, j = int(moves[k, 2]), int(moves[k, 3])
        if i in used or j in used:
            continue
        e2, s2 = d_est + est[k] - fit.estimate, d_se + se[k] - fit.se
        value = float(_loss(fit.estimate + e2, fit.se + s2, target))
        if value < predicted:
            chosen.append(int(k))
            used.update((i, j))
            d_est, d_se, predicted = e2, s2, value
    return chosen


def _restore(state: MeasureLinkage, y: np.ndarray) -> None:
    state.y = y.copy()
    for c in range(len(state.cell_visit)):
        who = np.concatenate([state.answered[c, :state.n_answered[c]], state.missing[c, :state.n_missing[c]]])
        seen = ~np.isnan(state.y[who, state.cell_visit[c]])
        a, m = np.sort(who[seen]), np.sort(who[~seen])
        state.answered[c, :len(a)], state.missing[c, :len(m)] = a, m
    state._totals()
    state.refit()


def _targets_by_measure() -> dict[str, dict[str, np.ndarray]]:
    t = linkage_targets()
    out = {}
    for name, part in t.groupby("measure", sort=False):
        part = part.set_index("term").loc[list(TERMS)]
        out[str(name)] = {"estimate": part["target_estimate"].to_numpy(float), "se": part["printed_se"].to_numpy(float),
                     "significant": part["significant"].to_numpy(bool),
                     "tolerance": np.where(part["source_inconsistent"], INCONSISTENT_TOLERANCE, ESTIMATE_TOLERANCE)}
    return out


def link_visits(
    table: pd.DataFrame,
    eligible: Mapping[tuple[str, str, str], np.ndarray],
    *,
    seed,
    budget: int = DEFAULT_BUDGET,
    measures: Sequence[str] | None = None,
    spec=ADOPTED,
    respondents_searched: Sequence[str] = RESPONDENTS_SEARCHED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Search each measure's linkage so that Table 4 refits close to the printed table.

    Parameters
    ----------
    table : DataFrame
        Participant table with ``group`` and the ``<measure>_<visit>`` columns, rows in
        a fixed order (positions are used as participant indices).
    eligible : mapping (measure, visit, group) -> row positions
        Who may answer; the current respondents must be among them.
    seed : int or sequence of int
        Seed of the search's generator.
    budget : int
        Most annealing steps per measure (:data:`DEFAULT_BUDGET`).
    measures : list of str, optional
        Measure stems (default: all nine).
    respondents_searched : list of str
        Measures whose respondents the search may choose (shift moves); the others keep
        the response status of `table` (swaps only). Default
        :data:`RESPONDENTS_SEARCHED`.
    spec : Spec
        Must be :data:`ipsrep.analyses.mixed.ADOPTED`.

    Returns
    -------
    (DataFrame, DataFrame)
        The table with relinked measure columns, and one row per measure:
        ``measure, steps, accepted, loss_start, loss, done, cpu_seconds`` (processor
        time of the search; the only column that varies between runs).
    """
    _check_spec(spec)
    names = [m.name for m in MEASURES] if measures is None else list(measures)
    targets = _targets_by_measure()
    ips = (table["group"].to_numpy() == GROUPS[0]).astype(float)
    out = table.copy()
    rows = []
    for k, name in enumerate(names):
        cols = [f"{name}_{v}" for v in VISITS]
        values = out[cols].to_numpy(dtype=float)
        elig = {(GROUPS.index(g), VISITS.index(v)): np.asarray(eligible[(name, v, g)], dtype=int)
                for g in GROUPS for v in VISITS}
        state = MeasureLinkage(values, ips, elig)
        rng = np.random.default_rng([*np.atleast_1d(seed).tolist(), 3, k])
        clock = time.process_time()
        res = search_measure(state, targets[name], rng, budget=budget, measure=name,
                             shifts=name in respondents_searched)
        out[cols] = state.y
        rows.append({**res.__dict__, "cpu_seconds": time.process_time() - clock})
    return out, pd.DataFrame(rows)


# ---------------------------------------------------------------------------- reporting
def linkage_report(trial: pd.DataFrame, fitted: pd.DataFrame | None = None) -> pd.DataFrame:
    """The adopted Table 4 refit on `trial` beside the targets, coefficient by coefficient.

    Parameters
    ----------
    trial : DataFrame
        Participant table in the data contract (normally the bundled reconstruction).
    fitted : DataFrame, optional
        :func:`ipsrep.analyses.mixed.table4` of `trial` (fitted here when not given).

    Returns
    -------
    DataFrame
        ``measure, term, estimate, target_estimate, printed_estimate, printed_se,
        distance`` ((estimate - target) / printed SE), ``se, se_ratio, z, printed_z, p,
        printed_p, source_inconsistent, estimate_ok`` (|distance| <= 0.5), ``se_ok``
        (SE within 10%), ``p_ok`` (p on the printed side of .05), ``all_ok``.
    """
    fitted = table4(trial) if fitted is None else fitted
    t = linkage_targets()
    both = fitted[["measure", "term", "estimate", "se", "z", "p"]].merge(t, on=["measure", "term"], how="inner")
    both["distance"] = (both["estimate"] - both["target_estimate"]) / both["printed_se"]
    both["se_ratio"] = both["se"] / both["printed_se"]
    both["estimate_ok"] = both["distance"].abs() <= ESTIMATE_TOLERANCE
    both["se_ok"] = (both["se_ratio"] - 1.0).abs() <= SE_TOLERANCE
    both["p_ok"] = (both["p"] < 0.05) == both["significant"]
    both["all_ok"] = both["estimate_ok"] & both["se_ok"] & both["p_ok"]
    return both[["measure", "term", "estimate", "target_estimate", "printed_estimate", "printed_se", "distance",
                 "se", "se_ratio", "z", "printed_z", "p", "printed_p", "source_inconsistent", "estimate_ok",
                 "se_ok", "p_ok", "all_ok"]]


def linkage_summary(report: pd.DataFrame) -> dict[str, int]:
    """How many coefficients of :func:`linkage_report` meet each target, and in all."""
    return {
        "coefficients": len(report),
        "estimate_ok": int(report["estimate_ok"].sum()),
        "se_ok": int(report["se_ok"].sum()),
        "p_ok": int(report["p_ok"].sum()),
        "all_ok": int(report["all_ok"].sum()),
        "interactions_p_below_05": int(((report["term"] == "interaction") & (report["p"] < 0.05)).sum()),
        "printed_interactions_p_below_05": int(
            ((report["term"] == "interaction") & (report["printed_p"] < 0.05)).sum()
        ),
    }


def linkage_markdown(report: pd.DataFrame) -> str:
    """The coefficient-by-coefficient table of :func:`linkage_report` as Markdown."""
    lines = [
        "| measure | term | refit | target | distance (printed SE) | SE | printed SE | SE ratio "
        "| z | printed z | p | printed p | targets met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _, r in report.iterrows():
        met = "yes" if r["all_ok"] else "no: " + ", ".join(
            w for w, ok in (("estimate", r["estimate_ok"]), ("SE", r["se_ok"]), ("p", r["p_ok"])) if not ok)
        flag = " (printed row inconsistent; target from its z)" if r["source_inconsistent"] else ""
        lines.append(f"| {r['measure']} | {r['term']}{flag} | {r['estimate']:.3f} | {r['target_estimate']:.3f} | "
                     f"{r['distance']:+.2f} | {r['se']:.3f} | {r['printed_se']:.2f} | {r['se_ratio']:.3f} | "
                     f"{r['z']:.2f} | {r['printed_z']:.2f} | {r['p']:.3f} | {r['printed_p']:.3f} | {met} |")
    return "\n".join(lines)


def search_markdown(search: pd.DataFrame) -> str:
    """The search's account (:func:`link_visits`, second frame) as a Markdown table, with totals."""
    lines = ["| measure | steps | moves made | loss at start | loss at end | stopped because | CPU seconds |",
             "|---|---:|---:|---:|---:|---|---:|"]
    for _, r in search.iterrows():
        why = "well inside the targets" if r["done"] else "budget or no further gain"
        lines.append(f"| {r['measure']} | {int(r['steps'])} | {int(r['accepted'])} | {r['loss_start']:.2f} | "
                     f"{r['loss']:.2f} | {why} | {r['cpu_seconds']:.2f} |")
    lines.append(f"| all | {int(search['steps'].sum())} | {int(search['accepted'].sum())} | | | | "
                 f"{search['cpu_seconds'].sum():.2f} |")
    return "\n".join(lines)


README_START = "<!-- linkage: generated by ipsrep.synthetic.reconstruct.write_linkage_readme; do not edit -->"
README_END = "<!-- end of generated linkage section -->"


def readme_section(search: pd.DataFrame, report: pd.DataFrame, *, budget: int) -> str:
    """The generated part of ``data/reconstructed/README.md``: time and closeness of the search.

    Parameters
    ----------
    search : DataFrame
        The search's account for the committed seed (:func:`link_visits`).
    report : DataFrame
        :func:`linkage_report` of the committed reconstruction.
    budget : int
        The budget the committed file was searched with.
    """
    n = linkage_summary(report)
    total = float(search["cpu_seconds"].sum())
    return "\n".join([
        README_START,
        "",
        (f"Search for the committed seed (budget {budget} steps per measure, {BATCH} candidate moves scored per "
         f"step): {int(search['steps'].sum())} steps and {int(search['accepted'].sum())} moves in "
         f"{total:.1f} s of processor time (one core, measured when this section was written; the result "
         "depends on the seed and the budget only)."),
        "",
        search_markdown(search),
        "",
        (f"Refit of the adopted specification on the committed file ({n['coefficients']} coefficients): "
         f"{n['estimate_ok']} estimates within {ESTIMATE_TOLERANCE:g} printed SE of their target, "
         f"{n['se_ok']} SEs within {SE_TOLERANCE:.0%} of the printed SE, {n['p_ok']} p-values on the printed "
         f"side of .05; {n['all_ok']} meet all three. Group-by-time interactions with p < .05: "
         f"{n['interactions_p_below_05']} (printed: {n['printed_interactions_p_below_05']})."),
        "",
        linkage_markdown(report),
        "",
        README_END,
    ])


def agreement_text(report: pd.DataFrame, *, spec_label: str, linkage: str) -> str:
    """How the Table 4 refit compares with the targets, as Markdown for notebook 03.

    Parameters
    ----------
    report : DataFrame
        :func:`linkage_report` of the data in use.
    spec_label : str
        The specification fitted (:attr:`ipsrep.analyses.mixed.Spec.label`).
    linkage : str
        How the visits of the data were linked (said in the text).
    """
    n = linkage_summary(report)
    inter = report[report["term"] == "interaction"]
    return (f"With {spec_label} ({linkage}): **{n['estimate_ok']} of {n['coefficients']}** estimates lie within "
            f"{ESTIMATE_TOLERANCE:g} printed SE of their target, **{n['se_ok']}** SEs within {SE_TOLERANCE:.0%} of "
            f"the printed SE, and **{n['p_ok']}** p-values on the printed side of .05. "
            f"Group-by-time interactions with p < .05: **{n['interactions_p_below_05']} of {len(inter)}** "
            f"(printed: {n['printed_interactions_p_below_05']}); "
            f"{int((np.sign(inter['estimate']) == np.sign(inter['printed_estimate'])).sum())} of {len(inter)} "
            "have the printed sign.")


def misses_text(report: pd.DataFrame) -> str:
    """The coefficients of :func:`linkage_report` that miss a target, one clause each (Markdown)."""
    bad = report[~report["all_ok"]]
    if not len(bad):
        return "Every coefficient meets all three targets."
    clauses = []
    for _, r in bad.iterrows():
        est_text = f"estimate {r['estimate']:.2f} against {r['target_estimate']:.2f}, {r['distance']:+.2f} printed SE"
        why = [w for w, ok in ((est_text, r["estimate_ok"]),
                               (f"SE ratio {r['se_ratio']:.2f}", r["se_ok"]),
                               (f"p = {r['p']:.3f} against printed {r['printed_p']:.3f}", r["p_ok"])) if not ok]
        clauses.append(f"{r['measure']} {r['term']} ({'; '.join(why)})")
    return "Missing a target: " + "; ".join(clauses) + "."
