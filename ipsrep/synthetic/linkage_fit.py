"""One measure's linkage and the fast fits of Table 4's two models on it (:class:`MeasureLinkage`).

The state the linkage search (:mod:`ipsrep.synthetic.linkage`) moves through: the
measure's scores per participant and visit, who may answer which visit, the exact integer
sufficient statistics (D'D, the cluster totals T and their sums U), the moves (swap,
shift), the exact profiled-ML refit and the batched scoring of candidate moves. The
module docstring of :mod:`ipsrep.synthetic.linkage` explains how the search is made fast.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ipsrep.methods import portable

__all__ = ["SCORE_STENCIL", "LinkageFit", "MeasureLinkage"]

SCORE_STENCIL = (0.08, 0.01)
"""Relative half-widths of the two parabolic steps in theta by which a candidate move is scored."""

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
class LinkageFit:
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
        self.fit: LinkageFit | None = None

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

    def _coefficients_at(self, theta: dict) -> LinkageFit:
        G = self.gram(np.array([theta["main"], theta["full"]]))
        b_main, s_main = _coefficients(G[0], _MAIN, self.N)
        b_full, s_full = _coefficients(G[1], _FULL, self.N)
        est = np.array([b_main[1], b_main[2], b_full[3], b_main[0]]) / self.scale
        se = np.array([s_main[1], s_main[2], s_full[3], s_main[0]]) / self.scale
        return LinkageFit(theta=dict(theta), estimate=est, se=se)

    def refit(self, exact: bool = True) -> LinkageFit:
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
