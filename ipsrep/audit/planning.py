"""Planning the next trial from this one: the sample-size paragraph, achieved power, and
the participants a definitive trial would need.

- :func:`sample_size_reproduction`: the paper's 31 per group (61% versus 23%, alpha
  .05, power .90; Methods, Sample Size) under four textbook formulas
  (:func:`ipsrep.analyses.employment_power.sample_size_table`), and which one gives 31.
- :func:`observed_rates`: the 12-month employment rates of the data in use.
- :func:`achieved_power`: the power the trial had, at the group sizes it achieved, to
  detect a given difference -- normal approximation to the Pearson chi-squared test
  and Monte Carlo simulation of the test itself (:mod:`ipsrep.methods.power`).
- :func:`n_per_group_analytic`, :func:`n_per_group_simulated`: the participants per
  group a new trial needs for a target power, by formula and by simulating the
  chi-squared test over a grid of sizes (optionally with a text progress bar).
- :func:`scenario_table`, :func:`power_curve`: the same for the benchmark rates the
  paper cites (55% versus 25% from its ref. 14; the design's 61% versus 23%) and the
  trial's own estimate, and power over a range of true rates for the figure.

Power is for a two-sided test at level alpha, equal allocation in the new trial.

References
----------
Fleiss JL, Levin B, Paik MC. Statistical Methods for Rates and Proportions. 3rd ed.
Wiley; 2003, ch. 4. Bond GR et al. World Psychiatry 2020;19:390-1 (the paper's ref.
14, the IPS meta-analytic rates). Sveinsdottir et al. Pain Med 2022, Methods (Sample
Size) and Discussion.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ipsrep.analyses.employment import employment_column, employment_counts, no_answers_reason
from ipsrep.analyses.employment_power import sample_size_table
from ipsrep.analyses.evidence import sample_size_reason
from ipsrep.inputs.measures import GROUPS
from ipsrep.inputs.published import value
from ipsrep.methods.power import (
    SAMPLE_SIZE_METHODS,
    n_per_group_two_proportions,
    power_two_proportions,
    simulated_power_chi2,
)

__all__ = [
    "planning_reason",
    "design_inputs",
    "benchmark_rates",
    "sample_size_reproduction",
    "observed_rates",
    "achieved_power",
    "n_per_group_analytic",
    "n_per_group_simulated",
    "scenario_table",
    "power_curve",
    "power_by_size",
]

ANALYTIC_METHOD = "pooled"
"""Formula used for 'n per group' headline numbers: Fleiss' pooled-variance formula,
whose test statistic is the square root of the Pearson chi-squared the trial used."""


def design_inputs() -> dict[str, float]:
    """The sample-size paragraph's inputs as proportions: ``p_ips, p_tau, alpha, power``.

    >>> design_inputs()
    {'p_ips': 0.61, 'p_tau': 0.23, 'alpha': 0.05, 'power': 0.9}
    """
    return {k: round(value(f"ss.{src}") / 100, 10) for k, src in
            (("p_ips", "ips_rate"), ("p_tau", "tau_rate"), ("alpha", "alpha"), ("power", "power"))}


def benchmark_rates() -> dict[str, tuple[float, float]]:
    """Benchmark employment proportions (IPS, control) the paper cites.

    ``meta-analysis (ref. 14)``: 55% versus 25% over 28 trials in severe mental
    illness (Introduction); ``design (ref. 27)``: 61% versus 23% (Sample Size).

    >>> benchmark_rates()["meta-analysis (ref. 14)"]
    (0.55, 0.25)
    """
    d = design_inputs()
    return {
        "meta-analysis (ref. 14)": (value("background.meta_ips_pct") / 100, value("background.meta_control_pct") / 100),
        "design (ref. 27)": (d["p_ips"], d["p_tau"]),
    }


def sample_size_reproduction() -> pd.DataFrame:
    """The paper's sample size under four formulas, and which reproduce its 31.

    Returns
    -------
    pandas.DataFrame
        :func:`ipsrep.analyses.employment_power.sample_size_table` for the design inputs, plus
        ``published`` (the printed n per group) and ``matches`` (bool).
    """
    d = design_inputs()
    table = sample_size_table(d["p_ips"], d["p_tau"], alpha=d["alpha"], power=d["power"])
    table["published"] = int(value("ss.n_per_group"))
    table["matches"] = table["n_per_group"] == table["published"]
    return table


def observed_rates(trial: pd.DataFrame, follow_up: str = "12m") -> pd.DataFrame:
    """Employed respondents per group at a follow-up (:func:`ipsrep.analyses.employment.employment_counts`).

    Returns one row per group: ``follow_up, group, employed, n, pct`` and ``rate``
    (a proportion; NaN for a group without answers, which :func:`planning_reason` names).
    """
    counts = employment_counts(trial, follow_up)
    counts["rate"] = [e / n if n else math.nan for e, n in zip(counts["employed"], counts["n"], strict=True)]
    return counts


def planning_reason(observed: pd.DataFrame) -> str:
    """Why power and sample size cannot start from the rates of :func:`observed_rates`, or "".

    A group without answers leaves no rate; equal rates, or a rate of 0 or 1 (as two
    participants per arm can give), leave no difference to power a test for.
    """
    o = observed.set_index("group")
    follow_up = str(observed["follow_up"].iloc[0])
    reason = no_answers_reason(employment_column(follow_up), {g: int(o.at[g, "n"]) for g in GROUPS})
    return reason or _rates_reason(float(o.at["IPS", "rate"]), float(o.at["TAU", "rate"]))


def _rates_reason(p_ips: float, p_tau: float, ips_n: int = 1, tau_n: int = 1) -> str:
    """:func:`ipsrep.analyses.evidence.sample_size_reason` for power, with group sizes checked."""
    if ips_n < 1 or tau_n < 1:
        return f"not computed: power needs participants in both groups ({ips_n} and {tau_n})"
    return sample_size_reason(p_ips, p_tau).replace("a sample size needs", "power and sample size need")


def achieved_power(p_ips: float, p_tau: float, ips_n: int, tau_n: int, *, alpha: float = 0.05,
                   n_sim: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Power to detect p_ips versus p_tau at the given group sizes, three ways.

    Returns
    -------
    pandas.DataFrame
        One row per method: ``method`` (``normal, pooled`` -- the approximation to the
        Pearson chi-squared; ``normal, unpooled``; ``simulated Pearson
        chi-squared``; ``simulated, paper's rule`` -- Fisher's exact p when an expected
        count is below 5), ``power``, ``mc_se`` (Monte Carlo SE, simulations only) and
        ``reason``: empty, or why the power is not computed (rates equal, 0 or 1, or a
        group without participants; ``power`` NaN).
    """
    methods = ["normal, pooled", "normal, unpooled", "simulated Pearson chi-squared", "simulated, paper's rule"]
    reason = _rates_reason(p_ips, p_tau, ips_n, tau_n)
    if reason:
        rows = [{"method": m, "power": math.nan, "mc_se": math.nan, "reason": reason} for m in methods]
    else:
        rows = [
            {"method": f"normal, {m}", "power": power_two_proportions(p_ips, p_tau, ips_n, tau_n, alpha, method=m),
             "mc_se": math.nan, "reason": ""}
            for m in ("pooled", "unpooled")
        ]
        for rule, label in (("pearson", methods[2]), ("rule", methods[3])):
            sim = simulated_power_chi2(p_ips, p_tau, ips_n, tau_n, alpha=alpha, n_sim=n_sim, seed=seed,
                                       binary_test=rule)
            rows.append({"method": label, "power": float(sim.loc[0, "power"]), "mc_se": float(sim.loc[0, "mc_se"]),
                         "reason": ""})
    out = pd.DataFrame(rows)
    out.insert(0, "n_tau", int(tau_n))
    out.insert(0, "n_ips", int(ips_n))
    out.insert(0, "p_tau", float(p_tau))
    out.insert(0, "p_ips", float(p_ips))
    return out


def n_per_group_analytic(p_ips: float, p_tau: float, *, alpha: float = 0.05,
                         powers: Sequence[float] = (0.8, 0.9)) -> pd.DataFrame:
    """Participants per group for each target power, by each textbook formula.

    Returns :func:`ipsrep.methods.power.n_per_group_two_proportions` rows for every method and
    power (``method, p1, p2, alpha, power, n_exact, n_per_group``) and ``reason``: empty,
    or why no size follows from the rates (``n_exact``, ``n_per_group`` NaN).
    """
    reason = _rates_reason(p_ips, p_tau)
    if reason:
        return pd.DataFrame([{"method": m, "p1": p_ips, "p2": p_tau, "alpha": alpha, "power": float(pw),
                              "n_exact": math.nan, "n_per_group": math.nan, "reason": reason}
                             for pw in powers for m in SAMPLE_SIZE_METHODS])
    frames = [n_per_group_two_proportions(p_ips, p_tau, alpha=alpha, power=pw,
                                                method=list(SAMPLE_SIZE_METHODS)) for pw in powers]
    return pd.concat(frames, ignore_index=True).assign(reason="")


def _progress(iterable, *, total: int, desc: str, enabled: bool):
    """A text progress bar with no timings, so that its final state is reproducible."""
    from tqdm.std import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=not enabled, file=sys.stderr, ascii=True, ncols=72,
                mininterval=0, miniters=max(1, total // 10), leave=True,
                bar_format="{desc}: {n_fmt}/{total_fmt} sizes |{bar}|")


def n_per_group_simulated(p_ips: float, p_tau: float, *, power: float = 0.9, alpha: float = 0.05,
                          n_sim: int = 20_000, seed: int = 0, span: tuple[float, float] = (0.8, 1.25),
                          progress: bool = False, desc: str = "simulating") -> tuple[int, pd.DataFrame]:
    """Smallest n per group whose simulated chi-squared power reaches `power`.

    Parameters
    ----------
    p_ips, p_tau : float
        True employment proportions.
    power : float, default 0.9
        Target power.
    alpha : float, default 0.05
        Two-sided level of the Pearson chi-squared test (no continuity correction).
    n_sim : int, default 20000
        Simulated trials per size.
    seed : int, default 0
        Base seed; size n uses ``seed + n`` so every size has its own reproducible draws.
    span : (float, float), default (0.8, 1.25)
        The sizes simulated run from ``span[0]`` to ``span[1]`` times the pooled
        formula's answer (step 1, or about 1% of it for large n); widened once if the
        target is not crossed.
    progress : bool, default False
        Show a text progress bar (no timings, so the notebook's output is the same on
        every run).

    Returns
    -------
    n : int
        The smallest simulated size with power at least `power` (the first size of
        the grid, if all reach it).
    table : pandas.DataFrame
        ``n_per_group, power, mc_se`` for every size simulated.

    Notes
    -----
    Each size is simulated by :func:`ipsrep.methods.power.simulated_power_chi2`; the answer is
    uncertain by a few participants because each power carries a Monte Carlo SE of
    about :math:`\\sqrt{0.9 \\times 0.1 / n_{sim}}`.
    """
    if not 0 < power < 1:
        raise ValueError(f"power must be strictly between 0 and 1, got {power!r}")
    n0 = float(n_per_group_two_proportions(p_ips, p_tau, alpha=alpha, power=power, method=ANALYTIC_METHOD)
               .loc[0, "n_exact"])
    for widen in (1.0, 2.0):
        lo = max(2, math.floor(n0 * span[0] / widen))
        hi = max(lo + 1, math.ceil(n0 * span[1] * widen))
        step = max(1, round(n0 / 100))
        grid = list(range(lo, hi + 1, step))
        rows = []
        for n in _progress(grid, total=len(grid), desc=desc, enabled=progress):
            sim = simulated_power_chi2(
                p_ips, p_tau, n, n, alpha=alpha, n_sim=n_sim, seed=seed + n, binary_test="pearson"
            )
            rows.append({"n_per_group": n, "power": float(sim.loc[0, "power"]), "mc_se": float(sim.loc[0, "mc_se"])})
        table = pd.DataFrame(rows)
        reached = table[table["power"] >= power]
        if not reached.empty and table["power"].iloc[-1] >= power:
            return int(reached["n_per_group"].iloc[0]), table
    raise ValueError(f"simulated power never reached {power} between {lo} and {hi} per group")


def scenario_table(scenarios: Mapping[str, tuple[float, float]], ips_n: int, tau_n: int, *, alpha: float = 0.05,
                   powers: Sequence[float] = (0.8, 0.9)) -> pd.DataFrame:
    """For each scenario: power at the achieved sizes, and n per group for each target.

    Parameters
    ----------
    scenarios : mapping of label -> (p_ips, p_tau)
        True rates to plan for (e.g. the trial's estimate, the meta-analysis).
    n_ips, n_tau : int
        The achieved group sizes.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: ``scenario, p_ips, p_tau, difference``,
        ``power_achieved`` (pooled normal approximation), and ``n_per_group_<pct>``
        (pooled formula) for each target power, and ``reason``: empty, or why a value of
        the row is not computed (NaN).
    """
    rows = []
    for label, (p1, p2) in scenarios.items():
        rates, sizes = _rates_reason(p1, p2), _rates_reason(p1, p2, ips_n, tau_n)
        row = {"scenario": label, "p_ips": p1, "p_tau": p2, "difference": p1 - p2,
               "power_achieved": math.nan if sizes else power_two_proportions(p1, p2, ips_n, tau_n, alpha,
                                                                              method="pooled")}
        for pw in powers:
            row[f"n_per_group_{round(100 * pw)}"] = math.nan if rates else int(
                n_per_group_two_proportions(p1, p2, alpha=alpha, power=pw, method=ANALYTIC_METHOD)
                .loc[0, "n_per_group"])
        row["reason"] = rates or sizes
        rows.append(row)
    return pd.DataFrame(rows)


def power_curve(control_rates: Mapping[str, float], sizes: Mapping[str, tuple[int, int]], *, alpha: float = 0.05,
                ips_rates: Iterable[float] | None = None) -> pd.DataFrame:
    """Power of the chi-squared test over true IPS rates, per control rate and design.

    Parameters
    ----------
    control_rates : mapping of label -> float
        True control-group proportions (e.g. the trial's TAU rate, the meta-analytic 25%).
    sizes : mapping of label -> (n_ips, n_tau)
        Designs (e.g. the achieved 36 and 18; a new trial's n per group).
    ips_rates : iterable of float, optional
        True IPS proportions (default 0.01 to 0.95 by 0.01); those equal to a control
        rate are skipped.

    Returns
    -------
    pandas.DataFrame
        ``control, p_tau, design, n_ips, n_tau, p_ips, difference, power`` (pooled
        normal approximation, :func:`ipsrep.methods.power.power_two_proportions`).
    """
    grid = np.round(np.arange(0.01, 0.955, 0.01), 4) if ips_rates is None else np.asarray(list(ips_rates), float)
    rows = []
    for c_label, p2 in control_rates.items():
        for d_label, (n1, n2) in sizes.items():
            for p1 in grid:
                if abs(p1 - p2) < 1e-9:
                    continue
                rows.append({"control": c_label, "p_tau": p2, "design": d_label, "n_ips": n1, "n_tau": n2,
                             "p_ips": float(p1), "difference": float(p1 - p2),
                             "power": power_two_proportions(float(p1), p2, n1, n2, alpha, method="pooled")})
    return pd.DataFrame(rows)


def power_by_size(scenarios: Mapping[str, tuple[float, float]], n_values: Iterable[int], *,
                  alpha: float = 0.05) -> pd.DataFrame:
    """Power against equal group sizes for each scenario (pooled normal approximation).

    Returns
    -------
    pandas.DataFrame
        ``scenario, p_ips, p_tau, n_per_group, power``.
    """
    rows = [{"scenario": label, "p_ips": p1, "p_tau": p2, "n_per_group": int(n),
             "power": power_two_proportions(p1, p2, int(n), int(n), alpha, method="pooled")}
            for label, (p1, p2) in scenarios.items() for n in n_values]
    return pd.DataFrame(rows)


def power_figure_inputs(p_ips: float, p_tau: float, ips_n: int, tau_n: int, plan: pd.DataFrame, *,
                        follow_up: str = "12m", alpha: float = 0.05,
                        powers: Sequence[float] = (0.8, 0.9)) -> dict[str, pd.DataFrame]:
    """What :func:`ipsrep.plots.audit.power_figure` draws for notebook 07.

    Parameters
    ----------
    p_ips, p_tau : float
        The employment rates the trial observed at `follow_up`.
    n_ips, n_tau : int
        The group sizes it achieved there.
    plan : pandas.DataFrame
        :func:`scenario_table` of the trial's estimate, the meta-analysis (ref. 14) and
        the design, in that order (its ``power_achieved`` marks the left panel).
    follow_up : str
        The follow-up named in the scenarios.
    alpha : float
        Two-sided significance level.
    powers : sequence of float
        Target powers marked on the right panel.

    Returns
    -------
    dict
        ``curve`` (:func:`power_curve` over the trial's and the meta-analysis' control
        rates at the achieved sizes), ``points`` (the two scenarios on the left panel),
        ``by_size`` (:func:`power_by_size`, 10 to 600 per group) and ``size_points``
        (the size each scenario needs for each target power).
    """
    meta_ips, meta_tau = benchmark_rates()["meta-analysis (ref. 14)"]
    achieved = f"achieved sizes ({ips_n} and {tau_n})"
    controls = {f"control rate {100 * p_tau:.1f}% (trial)": p_tau,
                f"control rate {100 * meta_tau:.0f}% (ref. 14)": meta_tau}
    names = list(controls)
    points = pd.DataFrame([
        {"label": "trial's estimate", "control": names[0], "design": achieved, "p_ips": p_ips,
         "power": plan.at[0, "power_achieved"]},
        {"label": "meta-analysis", "control": names[1], "design": achieved, "p_ips": meta_ips,
         "power": plan.at[1, "power_achieved"]},
    ])
    scenarios = {f"trial's estimate ({follow_up})": (p_ips, p_tau), **benchmark_rates()}
    size_points = pd.DataFrame([
        {"scenario": r["scenario"], "n_per_group": r[f"n_per_group_{round(100 * t)}"], "power": t}
        for _, r in plan.iterrows() for t in powers
    ])
    return {"curve": power_curve(controls, {achieved: (ips_n, tau_n)}, alpha=alpha), "points": points,
            "by_size": power_by_size(scenarios, range(10, 601, 2), alpha=alpha), "size_points": size_points}


__all__.append("power_figure_inputs")
