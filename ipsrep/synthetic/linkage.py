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

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsrep.analyses.mixed import ADOPTED, TERMS
from ipsrep.analyses.mixed_printed import published_consistency
from ipsrep.inputs.measures import GROUPS, MEASURES, VISITS
from ipsrep.methods import portable
from ipsrep.synthetic.linkage_fit import LinkageFit, MeasureLinkage

__all__ = [
    "ESTIMATE_TOLERANCE",
    "SE_TOLERANCE",
    "DEFAULT_BUDGET",
    "linkage_targets",
    "SearchResult",
    "search_measure",
    "link_visits",
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
            fit = state.fit = LinkageFit(theta={"main": theta[m, 0], "full": theta[m, 1]}, estimate=est[m], se=se[m])
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
