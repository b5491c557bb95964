"""A synthetic participant-level data set that reproduces the trial paper's summaries.

The IPS in Pain participant data are confidential (Sveinsdottir et al. 2022, data
availability statement), so the report runs on a reconstruction: 38 IPS and 20 TAU
rows in the data contract (data/README.md) whose counts, percentages, means, SDs and
test results print exactly as Tables 1-3 and the hours / 20-hour results do. It is
*synthetic*: any relation the paper does not print (who answered which visit, which
scores belong to the same person) is drawn from a fixed seed or, for the health
scores, chosen by a search that makes Table 4 refit as printed.

How each part is made:

- categorical baseline rows (Table 1): counts and valid n as printed, missing cells and
  holders of each value drawn at random;
- employment (Table 2): a first-job time per participant (by 6, 12, 24 months or
  never) and response sets per follow-up chosen so that the printed counts among
  respondents hold and employment is cumulative;
- hours and the >= 20 h indicator: hours only for those employed by 12 months, on a
  half-hour grid (the printed IPS mean cannot come from whole hours), with the printed
  maximum, mean, SD and Student p (:mod:`ipsrep.synthetic.sprite`);
- health outcomes (Tables 1 and 3): per group and visit a sample on the instrument's
  grid with the printed n, mean and SD whose Student or Welch p prints as published,
  Levene's test agreeing with the variant the paper printed (:mod:`ipsrep.synthetic.sprite`);
  respondents per group and visit are the first n of one response order shared by all
  nine measures (one response status per participant and visit, as far as the printed
  n allow); then the values of consecutive visits are matched to participants by rank on a
  latent score whose correlation across visits is ``within_person_r`` (a parameter:
  the paper does not print it, and Table 4 depends on it);
- the linkage (who holds which score among a visit's respondents; the response status
  stays shared, :data:`ipsrep.synthetic.linkage.RESPONDENTS_SEARCHED`) is then searched, by moves
  that change no printed summary, so that Table 4 refits close to the
  printed table (:mod:`ipsrep.synthetic.linkage`; ``link=False`` skips it). What the
  search decides is synthetic: Table 4 agrees with the paper by construction.

The same seed gives the same bytes on every machine: no decision depends on
floating-point noise (``tests/test_determinism.py``; :mod:`ipsrep.methods.portable`).

ODI: several printed means are impossible for whole-number (let alone step-2) scores at
the printed n (GRIM). The ODI's rule for skipped items explains it: the score is then
``100 * sum / (5 * answered)``, off the step-2 grid. The reconstruction gives the fewest
participants such prorated scores (7-9 items answered) that make every ODI mean and SD
printable, and marks nothing else as special about them.
"""
from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep import paths
from ipsrep.inputs.measures import GROUPS, HSCL_CUTOFF, MEASURES, Measure
from ipsrep.inputs.published import load_published
from ipsrep.synthetic.sprite import Grid, PairResult, Printed, moment_candidates, reconstruct_pair

DEFAULT_SEED = 20220211
"""Seed of the committed reconstruction (the paper's acceptance date)."""

FALLBACK_WITHIN_PERSON_R = 0.6
"""Correlation across visits used for a measure that has not been calibrated."""


def default_within_person_r(path: str | Path = paths.WITHIN_PERSON_R_CSV) -> dict[str, float]:
    """Correlation across visits per measure for the committed reconstruction.

    The paper prints no within-person correlation; the values are calibrated against
    Table 4's printed standard errors by :func:`ipsrep.synthetic.calibration.write_calibration` (which
    passes its candidate values explicitly, so the calibration does not depend on this
    default) and read from ``data/reconstructed/within_person_r.csv``. A measure missing
    there takes :data:`FALLBACK_WITHIN_PERSON_R`.
    """
    r = {m.name: FALLBACK_WITHIN_PERSON_R for m in MEASURES}
    if Path(path).exists():
        table = pd.read_csv(path)
        r.update({str(k): float(v) for k, v in zip(table["measure"], table["r"], strict=True) if k in r})
    return r

FAMILY = {"hscl": "distress", "anxiety": "distress", "depression": "distress",
          "bpi_current": "pain", "bpi_worst": "pain", "bpi_average": "pain", "bpi_least": "pain",
          "odi": "odi", "eqvas": "eqvas"}
FAMILY_SHARE = 0.6
"""Share of a measure's latent variance common to its family (distress, pain)."""

HOURS_GRID = Grid.of(0, 1800, Fraction(1, 2))
MIN_WORKED_HOURS = Fraction(15, 2)
"""Least hours of anyone employed: the paper counts employment from one working day."""
ODI_ANSWERED = (9, 8, 7)
"""Numbers of answered ODI items for which a prorated score is allowed here."""
CONTRACT_ORDER = [
    "participant_id", "group", "female", "age", "higher_education", "married", "has_children",
    "benefits", "out_of_work_over_2y", "employed_6m", "employed_12m", "employed_24m",
    "hours_12m", "worked_20h_week_12m",
] + [m.column(v) for m in MEASURES for v in ("0m", "6m", "12m")]


def _grid(m: Measure) -> Grid:
    return Grid.of(m.low, m.high, m.step)


def _printed(key: str) -> str:
    return str(load_published().at[key, "printed"])


def _pn(key: str) -> int:
    return int(float(_printed(key)))


def printed_test(prefix: str, n_a: int, n_b: int) -> str:
    """Which t-test variant the paper's p under `prefix` matches best at the printed values.

    Compares the printed p with Student's and Welch's p computed from the printed means
    and SDs; the nearer one is taken as the variant the paper printed.
    """
    from scipy import stats

    f = lambda s: float(_printed(prefix + s))  # noqa: E731
    args = (f("ips_mean"), f("ips_sd"), n_a, f("tau_mean"), f("tau_sd"), n_b)
    p_s = stats.ttest_ind_from_stats(*args, equal_var=True).pvalue
    p_w = stats.ttest_ind_from_stats(*args, equal_var=False).pvalue
    p = f("p")
    return "student" if abs(p_s - p) <= abs(p_w - p) else "welch"


def odi_prorated_values(answered: tuple[int, ...] = ODI_ANSWERED) -> list[Fraction]:
    """ODI scores possible only when items were skipped: ``100 * sum / (5 * answered)``
    for the given numbers of answered items, excluding those on the complete-form grid."""
    values = {Fraction(100 * s, 5 * k) for k in answered for s in range(5 * k + 1)}
    return sorted(v for v in values if v % 2 != 0)


def _odi_extras(target: Printed, grid: Grid, rng: np.random.Generator, limit: int = 2):
    """Fewest prorated ODI scores making the printed mean and SD possible; yields
    candidate tuples of such scores, fewest first, each near the printed mean."""
    if not moment_candidates(target, grid).empty:
        yield ()
    pool = sorted(odi_prorated_values(), key=lambda v: abs(float(v) - float(target.mean)))[:24]
    for r in range(1, limit + 1):
        combos = list(itertools.combinations_with_replacement(pool, r))
        for i in rng.permutation(len(combos))[:80]:
            if not moment_candidates(target, grid, combos[i]).empty:
                yield combos[i]


def reconstruct_measure_pair(
    m: Measure, a: Printed, b: Printed, p: str | None, rng: np.random.Generator, *,
    preferred: str | None = None, accept=None,
) -> PairResult:
    """Both groups' samples of one measure at one visit (see :func:`sprite.reconstruct_pair`).

    For the ODI, prorated scores are added where the printed mean needs them.
    """
    grid = _grid(m)
    if m.name != "odi":
        return reconstruct_pair(a, b, grid, p, rng, preferred=preferred, accept=accept)
    last = None
    for ea in _odi_extras(a, grid, rng):
        for eb in itertools.islice(_odi_extras(b, grid, rng), 6):
            try:
                res = reconstruct_pair(a, b, grid, p, rng, preferred=preferred, accept=accept,
                                       extras_a=ea, extras_b=eb, tries=60)
            except ValueError:
                continue
            if res.hit:
                return res
            last = last or res
    if last is None:
        raise ValueError(f"ODI: no sample reproduces {a} / {b}")
    return last


def _cutoff_accept():
    """Samples must put as many above the HSCL-25 cut-off as Table 1 prints."""
    above_a, above_b = _pn("t1.hscl_above_cutoff.ips_count"), _pn("t1.hscl_above_cutoff.tau_count")

    def accept(xa, xb):
        return int((xa >= HSCL_CUTOFF).sum()) == above_a and int((xb >= HSCL_CUTOFF).sum()) == above_b

    return accept


@lru_cache(maxsize=2)
def baseline_sample_sizes(
    candidates_a: range = range(38, 29, -1), candidates_b: range = range(20, 14, -1),
) -> pd.DataFrame:
    """The baseline n per group that Table 1's printed means, SDs and p admit, per measure.

    Table 1 prints no n for its continuous rows. For the HSCL-25 and its subscales the
    cut-off row gives it (respondents = its valid n); for the others we list every
    (n_IPS, n_TAU) pair, largest first, for which some grid sample reproduces the printed
    mean, SD and p under Student's or Welch's test, and choose the first (fewest missing).
    Returns one row per measure: measure, n_ips, n_tau, admitted (how many pairs), rule.
    """
    rows = []
    hs_a = round(_pn("t1.hscl_above_cutoff.ips_count") / float(_printed("t1.hscl_above_cutoff.ips_pct")) * 100)
    hs_b = round(_pn("t1.hscl_above_cutoff.tau_count") / float(_printed("t1.hscl_above_cutoff.tau_pct")) * 100)
    for m in MEASURES:
        grid = _grid(m)
        prefix = f"t1.{m.name}."
        if FAMILY[m.name] == "distress":
            rows.append({"measure": m.name, "n_ips": hs_a, "n_tau": hs_b, "admitted": 1,
                         "rule": "valid n of the HSCL-25 cut-off row"})
            continue
        admitted = []
        for n_a, n_b in itertools.product(candidates_a, candidates_b):
            a = Printed(n_a, _printed(prefix + "ips_mean"), _printed(prefix + "ips_sd"))
            b = Printed(n_b, _printed(prefix + "tau_mean"), _printed(prefix + "tau_sd"))
            if m.name == "odi":
                ok = _odi_pair_admits(a, b, grid, _printed(prefix + "p"))
            else:
                from ipsrep.synthetic.sprite import pair_candidates

                pc = pair_candidates(a, b, grid, _printed(prefix + "p"))
                ok = bool(len(pc)) and bool((pc["student_ok"] | pc["welch_ok"]).any())
            if ok:
                admitted.append((n_a, n_b))
        admitted.sort(key=lambda t: (-(t[0] + t[1]), -t[0]))
        if not admitted:
            raise ValueError(f"Table 1 {m.name}: no n in the searched range admits the printed p")
        n_a, n_b = admitted[0]
        rows.append({"measure": m.name, "n_ips": n_a, "n_tau": n_b, "admitted": len(admitted),
                     "rule": "largest n admitted by the printed mean, SD and p"})
    return pd.DataFrame(rows)


def _odi_pair_admits(a: Printed, b: Printed, grid: Grid, p: str) -> bool:
    from ipsrep.synthetic.sprite import pair_candidates

    rng = np.random.default_rng(0)
    for ea in itertools.islice(_odi_extras(a, grid, rng, limit=2), 4):
        for eb in itertools.islice(_odi_extras(b, grid, rng, limit=2), 4):
            pc = pair_candidates(a, b, grid, p, ea, eb)
            if len(pc) and bool((pc["student_ok"] | pc["welch_ok"]).any()):
                return True
    return False


@dataclass
class Marginals:
    """Everything the reconstruction fixes before matching values to participants."""

    table: pd.DataFrame  # participants with group, baseline categories, employment, hours
    outcomes: dict = field(default_factory=dict)  # (measure, visit, group) -> sorted values
    respondents: dict = field(default_factory=dict)  # (measure, visit, group) -> participant index
    fits: list = field(default_factory=list)  # per measure/visit: tests, p's, Levene, hit
    pools: dict = field(default_factory=dict)  # (visit, group) -> participants who may answer that visit


def _binary(rng, n: int, n_valid: int, ones: int) -> np.ndarray:
    out = np.full(n, np.nan)
    valid = rng.permutation(n)[:n_valid]
    out[valid[:ones]] = 1.0
    out[valid[ones:]] = 0.0
    return out


def _first_job_times(rng, n: int, resp: dict, counts: dict) -> np.ndarray | None:
    """First-job month (6, 12, 24, or inf for never) per participant, such that among the
    respondents at each follow-up exactly ``counts[v]`` were employed by then."""
    t = np.full(n, np.inf)
    for month in (6, 12, 24):
        r = resp[month]
        already = int((t[r] <= month).sum())
        need = counts[month] - already
        free = [i for i in r if np.isinf(t[i])]
        if need < 0 or need > len(free):
            return None
        t[rng.permutation(free)[:need]] = month
    return t


def _categorical(rng, ips_n: int, tau_n: int) -> pd.DataFrame:
    rows = []
    for group, n in (("IPS", ips_n), ("TAU", tau_n)):
        g = group.lower()
        cols: dict[str, list[str] | np.ndarray] = {"group": [group] * n}
        for var in ("female", "higher_education", "married", "has_children", "out_of_work_over_2y"):
            ones = _pn(f"t1.{var}.{g}_count")
            n_valid = n if var == "female" else round(ones / float(_printed(f"t1.{var}.{g}_pct")) * 100)
            cols[var] = _binary(rng, n, n_valid, ones)
        recipients = _pn(f"t1.benefit_recipient.{g}_count")
        kinds = (["work_assessment_allowance"] * _pn(f"t1.benefit_waa.{g}_count")
                 + ["disability"] * _pn(f"t1.benefit_disability.{g}_count")
                 + ["other"] * _pn(f"t1.benefit_other.{g}_count"))
        if len(kinds) != recipients:
            raise ValueError(f"Table 1 benefit kinds for {group} do not add up to the recipients")
        cols["benefits"] = list(rng.permutation(kinds + ["none"] * (n - recipients)))
        rows.append(pd.DataFrame(cols))
    return pd.concat(rows, ignore_index=True)


def _employment(rng, table: pd.DataFrame) -> None:
    for group in GROUPS:
        g = group.lower()
        idx = np.flatnonzero(table["group"].to_numpy() == group)
        n = len(idx)
        sizes = {m: round(_pn(f"t2.{m}m.{g}_count") / float(_printed(f"t2.{m}m.{g}_pct")) * 100) for m in (6, 12, 24)}
        counts = {m: _pn(f"t2.{m}m.{g}_count") for m in (6, 12, 24)}
        for _ in range(1000):
            resp = {m: list(rng.permutation(n)[:sizes[m]]) for m in (6, 12, 24)}
            t = _first_job_times(rng, n, resp, counts)
            if t is not None:
                break
        else:
            raise ValueError(f"no cumulative employment pattern fits Table 2 for {group}")
        for m in (6, 12, 24):
            col = np.full(n, np.nan)
            col[resp[m]] = (t[resp[m]] <= m).astype(float)
            table.loc[idx, f"employed_{m}m"] = col
        table.loc[idx, "_first_job"] = t


def _hours(rng, table: pd.DataFrame) -> list[dict]:
    """Hours over 12 months and the >= 20 h indicator, reproducing the printed results."""
    g = {grp: grp.lower() for grp in GROUPS}
    fits, plan = [], {}
    for group in GROUPS:
        idx = np.flatnonzero(table["group"].to_numpy() == group)
        emp = table.loc[idx, "employed_12m"].to_numpy()
        responders = idx[~np.isnan(emp)]
        n_h = _pn(f"rq2.hours.{g[group]}_n")
        plan[group] = (idx, responders, n_h)
    a_n, b_n = plan["IPS"][2], plan["TAU"][2]
    printed = {
        grp: Printed(plan[grp][2], _printed(f"rq2.hours.{g[grp]}_mean"), _printed(f"rq2.hours.{g[grp]}_sd"))
        for grp in GROUPS
    }
    for _attempt in range(200):
        chosen = {}
        for group in GROUPS:
            idx, responders, n_h = plan[group]
            h_set = rng.permutation(responders)[:n_h]
            employed = h_set[table.loc[h_set, "employed_12m"].to_numpy() == 1]
            chosen[group] = (h_set, employed)
        k_a, k_b = len(chosen["IPS"][1]), len(chosen["TAU"][1])
        ex_a = (0,) * (a_n - k_a) + (Fraction(_printed("rq2.hours.ips_max")),)
        ex_b = (0,) * (b_n - k_b) + (Fraction(_printed("rq2.hours.tau_max")),)
        try:
            res = reconstruct_pair(printed["IPS"], printed["TAU"], HOURS_GRID, _printed("rq2.hours.p"), rng,
                                   preferred="student", extras_a=ex_a, extras_b=ex_b,
                                   bottom=int(MIN_WORKED_HOURS / HOURS_GRID.step), skewed=True, tries=40)
        except ValueError:
            continue
        if res.hit:
            break
    else:
        raise ValueError("no hours sample reproduces the printed hours results")
    fits.append({"measure": "hours_12m", "visit": "12m", "test": res.test, "p_student": res.p_student,
                 "p_welch": res.p_welch, "levene_p": res.levene_p, "hit": res.hit})
    table["hours_12m"] = np.nan
    table["worked_20h_week_12m"] = np.nan
    for group, values in (("IPS", res.a), ("TAU", res.b)):
        h_set, employed = chosen[group]
        positives = np.sort(values[values > 0])[::-1]
        # earlier first jobs tend to give more hours: rank employed by first-job time plus noise
        order = employed[
            np.argsort(table.loc[employed, "_first_job"].to_numpy() + rng.normal(0, 6, len(employed)), kind="stable")
        ]
        table.loc[h_set, "hours_12m"] = 0.0
        table.loc[order, "hours_12m"] = positives
        ones = _pn(f"rq2.20h.{g[group]}_count")
        n_w = round(ones / float(_printed(f"rq2.20h.{g[group]}_pct")) * 100)
        w_set = rng.permutation(h_set)[:n_w]
        hours_w = table.loc[w_set, "hours_12m"].to_numpy()
        ranked = w_set[np.argsort(-hours_w, kind="stable")]
        eligible = [i for i in ranked if table.at[i, "hours_12m"] >= 20]
        pool = eligible[: max(ones + 3, ones)]
        picked = rng.permutation(pool)[:ones]
        table.loc[w_set, "worked_20h_week_12m"] = 0.0
        table.loc[picked, "worked_20h_week_12m"] = 1.0
    return fits


def _nested_sets(order: np.ndarray, sizes: Mapping[str, int]) -> dict[str, np.ndarray]:
    """Respondent sets per measure: each the first n of one response order, so that a
    participant who answered a less-answered measure answered the more-answered ones."""
    return {name: np.sort(order[:n]) for name, n in sizes.items()}


def _outcome_marginals(rng, table: pd.DataFrame, marg: Marginals) -> None:
    t1_n = baseline_sample_sizes().set_index("measure")  # cached: a copy is not needed, it is only read
    for group in GROUPS:
        g = group.lower()
        idx = np.flatnonzero(table["group"].to_numpy() == group)
        sizes0 = {m.name: int(t1_n.at[m.name, f"n_{g}"]) for m in MEASURES}
        base = _nested_sets(rng.permutation(idx), sizes0)
        marg.pools[("0m", group)] = idx
        for name in sizes0:
            marg.respondents[(name, "0m", group)] = base[name]
        for visit, emp in (("6m", "employed_6m"), ("12m", "employed_12m")):
            pool = idx[~np.isnan(table.loc[idx, emp].to_numpy())]
            sizes = {m.name: _pn(f"t3.{m.name}.{visit}.{g}_n") for m in MEASURES}
            if max(sizes.values()) > len(pool):
                pool = idx
            marg.pools[(visit, group)] = pool
            sets = _nested_sets(rng.permutation(pool), sizes)
            for name in sizes:
                marg.respondents[(name, visit, group)] = sets[name]
    for m in MEASURES:
        for visit in ("0m", "6m", "12m"):
            prefix = f"t1.{m.name}." if visit == "0m" else f"t3.{m.name}.{visit}."
            n_a = len(marg.respondents[(m.name, visit, "IPS")])
            n_b = len(marg.respondents[(m.name, visit, "TAU")])
            a = Printed(n_a, _printed(prefix + "ips_mean"), _printed(prefix + "ips_sd"))
            b = Printed(n_b, _printed(prefix + "tau_mean"), _printed(prefix + "tau_sd"))
            preferred = printed_test(prefix, n_a, n_b)
            accept = _cutoff_accept() if (m.name == "hscl" and visit == "0m") else None
            res = reconstruct_measure_pair(m, a, b, _printed(prefix + "p"), rng, preferred=preferred, accept=accept)
            marg.outcomes[(m.name, visit, "IPS")] = res.a
            marg.outcomes[(m.name, visit, "TAU")] = res.b
            marg.fits.append({"measure": m.name, "visit": visit, "test": res.test, "p_student": res.p_student,
                              "p_welch": res.p_welch, "levene_p": res.levene_p, "hit": res.hit})


def _age(rng, table: pd.DataFrame, marg: Marginals) -> None:
    n_a, n_b = (int((table["group"] == g).sum()) for g in GROUPS)
    a = Printed(n_a, _printed("t1.age.ips_mean"), _printed("t1.age.ips_sd"))
    b = Printed(n_b, _printed("t1.age.tau_mean"), _printed("t1.age.tau_sd"))
    res = reconstruct_pair(a, b, Grid.of(18, 65, 1), _printed("t1.age.p"), rng,
                           preferred=printed_test("t1.age.", n_a, n_b))
    for group, values in (("IPS", res.a), ("TAU", res.b)):
        idx = np.flatnonzero(table["group"].to_numpy() == group)
        table.loc[idx, "age"] = rng.permutation(values)
    marg.fits.append({"measure": "age", "visit": "0m", "test": res.test, "p_student": res.p_student,
                      "p_welch": res.p_welch, "levene_p": res.levene_p, "hit": res.hit})


@lru_cache(maxsize=4)
def _marginals(seed: int) -> Marginals:
    rng = np.random.default_rng(seed)
    ips_n, tau_n = _pn("flow.ips_n"), _pn("flow.tau_n")
    table = _categorical(rng, ips_n, tau_n)
    marg = Marginals(table=table)
    _age(rng, table, marg)
    _employment(rng, table)
    marg.fits.extend(_hours(rng, table))
    _outcome_marginals(rng, table, marg)
    return marg


def _latents(seed: int, n: int, r: Mapping[str, float]) -> dict[tuple[str, str], np.ndarray]:
    """Per measure and visit a latent score per participant: family factor, measure
    factor and visit noise, with correlation ``r[measure]`` across visits."""
    rng = np.random.default_rng([seed, 1])
    families = {f: rng.standard_normal(n) for f in sorted(set(FAMILY.values()))}
    out = {}
    for m in MEASURES:
        u = math.sqrt(FAMILY_SHARE) * families[FAMILY[m.name]] + math.sqrt(1 - FAMILY_SHARE) * rng.standard_normal(n)
        rho = float(r[m.name])
        if not 0 <= rho < 1:
            raise ValueError(f"within_person_r[{m.name!r}] = {rho}: allowed 0 <= r < 1")
        for visit in ("0m", "6m", "12m"):
            out[(m.name, visit)] = math.sqrt(rho) * u + math.sqrt(1 - rho) * rng.standard_normal(n)
    return out


def reconstruct_trial(*, seed: int | None = None, within_person_r: Mapping[str, float] | None = None,
                      link: bool = True, budget: int | None = None) -> pd.DataFrame:
    """The synthetic IPS in Pain participant table (data contract columns, 38 IPS + 20 TAU).

    Parameters
    ----------
    seed : int, optional
        Random seed; default :data:`DEFAULT_SEED` (the committed file).
    within_person_r : mapping measure -> r in [0, 1), optional
        Correlation across visits of the latent score by whose rank each visit's values
        are first given to participants; missing measures take
        :func:`default_within_person_r`. Marginal summaries (Tables 1-3) do not depend
        on it; Table 4 does.
    link : bool
        Then search the linkage (who holds which score, who answered which visit) so
        that Table 4 refits close to the printed table
        (:func:`ipsrep.synthetic.linkage.link_visits`); False keeps the rank linkage.
    budget : int, optional
        Most annealing steps per measure of that search (default
        :data:`ipsrep.synthetic.linkage.DEFAULT_BUDGET`); the search stops earlier once a
        measure is well inside the targets. The result depends on the seed and the
        budget only, never on the machine's speed.

    Returns
    -------
    DataFrame with the contract's columns in contract order, one row per participant.
    """
    return reconstruct_with_search(seed=seed, within_person_r=within_person_r, link=link, budget=budget)[0]


def reconstruct_with_search(*, seed: int | None = None, within_person_r: Mapping[str, float] | None = None,
                            link: bool = True, budget: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`reconstruct_trial` and the linkage search's account, one row per measure.

    The second frame has ``measure, steps, accepted, loss_start, loss, done,
    cpu_seconds`` (:func:`ipsrep.synthetic.linkage.link_visits`; empty when ``link`` is
    False). ``cpu_seconds`` is the processor time of the search alone (the marginals,
    drawn before it, take a few seconds per new seed and are cached).
    """
    from ipsrep.synthetic.linkage import DEFAULT_BUDGET, link_visits

    seed = DEFAULT_SEED if seed is None else int(seed)
    r = {**default_within_person_r(), **dict(within_person_r or {})}
    marg = _marginals(seed)
    table = marg.table.copy()
    latent = _latents(seed, len(table), r)
    for (name, visit, group), values in marg.outcomes.items():
        who = marg.respondents[(name, visit, group)]
        ranked = who[np.argsort(latent[(name, visit)][who], kind="stable")]
        col = f"{name}_{visit}"
        if col not in table:
            table[col] = np.nan
        table.loc[ranked, col] = values
    search = pd.DataFrame(columns=["measure", "steps", "accepted", "loss_start", "loss", "done", "cpu_seconds"])
    if link:
        eligible = {(m.name, v, g): marg.pools[(v, g)] for m in MEASURES for v in ("0m", "6m", "12m") for g in GROUPS}
        table, search = link_visits(
            table, eligible, seed=seed, budget=DEFAULT_BUDGET if budget is None else int(budget)
        )
    order = np.random.default_rng([seed, 2]).permutation(len(table))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "participant_id", [f"syn{i + 1:03d}" for i in range(len(table))])
    return table[CONTRACT_ORDER], search


def write_linkage_readme(readme: str | Path | None = None, *, budget: int | None = None) -> str:
    """Rerun the committed reconstruction's linkage search and write its account into the README.

    Replaces the section of ``data/reconstructed/README.md`` between
    :data:`ipsrep.synthetic.linkage.README_START` and ``README_END`` with
    :func:`ipsrep.synthetic.linkage.readme_section`: the search's steps, moves and
    processor time per measure, and the refit of Table 4 on the committed file beside
    the targets, coefficient by coefficient. Refuses when the rerun does not give the
    committed file byte for byte (run ``ipsrep reconstruct`` first). Returns the section.
    """
    import io

    from ipsrep.inputs.contract import load_trial
    from ipsrep.synthetic.linkage import DEFAULT_BUDGET
    from ipsrep.synthetic.linkage_outcome import README_END, README_START, linkage_report, readme_section

    readme = Path(readme) if readme else paths.RECONSTRUCTED_CSV.parent / "README.md"
    budget = DEFAULT_BUDGET if budget is None else int(budget)
    table, search = reconstruct_with_search(budget=budget)
    buffer = io.StringIO()
    write_csv(table, buffer)
    if buffer.getvalue().encode() != paths.RECONSTRUCTED_CSV.read_bytes():
        raise ValueError(
            f"{paths.RECONSTRUCTED_CSV}: differs from a fresh reconstruction; run `ipsrep reconstruct` first"
        )
    section = readme_section(search, linkage_report(load_trial(paths.RECONSTRUCTED_CSV)), budget=budget)
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme}: no generated linkage section (markers {README_START!r} ... {README_END!r})")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme.write_text(head + section + tail)
    return section


def reconstruction_fits(seed: int | None = None) -> pd.DataFrame:
    """Per reconstructed comparison: the test variant used, its p's, Levene's p, and
    whether everything printed was hit."""
    return pd.DataFrame(_marginals(DEFAULT_SEED if seed is None else int(seed)).fits)


def write_csv(table: pd.DataFrame, path) -> None:
    """Write the table deterministically: integers as integers, others by shortest repr.

    `path` is a file path or an open text buffer."""
    out = table.copy()
    for col in out.columns:
        if col in ("participant_id", "group", "benefits"):
            continue
        vals = out[col].astype(float)
        out[col] = [("" if np.isnan(v) else (str(int(v)) if float(v).is_integer() else repr(float(v)))) for v in vals]
    if isinstance(path, (str, Path)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n")


def reconstruct_target(out: str | None) -> Path:
    """The file ``reconstruct --out`` writes: the default file, a new file, or
    ``ips_in_pain.csv`` inside a folder given as `out`. Refused (ValueError, one line):
    a folder of the project or above it, the home folder, the root (the rules of
    :mod:`ipsrep.ownership`), something that is not a regular file, and an existing
    file other than the default, which may be the user's (give a new name)."""
    import stat as stat_

    from ipsrep.ownership import folder_refusal, shown_path

    if not out:
        return paths.RECONSTRUCTED_CSV
    target = paths.resolve(out)
    if target.is_dir():
        problem = folder_refusal(target, option="--out", what="the reconstruction",
                                 allowed=(paths.RECONSTRUCTED_CSV.parent,), needs_manifest=False)
        if problem:
            raise ValueError(problem)
        target = target / paths.RECONSTRUCTED_CSV.name
    if target.resolve() == paths.RECONSTRUCTED_CSV.resolve():
        return paths.RECONSTRUCTED_CSV
    problem = folder_refusal(target.parent, option="--out", what="the reconstruction",
                             allowed=(paths.RECONSTRUCTED_CSV.parent,), needs_manifest=False)
    if problem:
        raise ValueError(
            problem.replace(f"--out {shown_path(target.parent)}:", f"--out {shown_path(target)}: its folder", 1)
        )
    if os.path.lexists(target):
        kind = "is not a regular file" if not stat_.S_ISREG(os.lstat(target).st_mode) else "exists"
        raise ValueError(f"--out {shown_path(target)}: {kind}; the reconstruction is written to a new file "
                         "only (give another name, or remove it first)")
    return target
