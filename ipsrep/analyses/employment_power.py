"""Research question 1, planning: the trial paper's sample-size paragraph (31 per group for
61% versus 23%; :func:`sample_size_table`, :func:`published_design`), the power at the trial's
size (:func:`power_at_trial_size`, :func:`power_on_data`, :func:`power_sentence`) and the
ledger rows of the sample size. The formulas live in :mod:`ipsrep.methods.power`.

Split from :mod:`ipsrep.analyses.employment`.
"""
from __future__ import annotations

import math

import pandas as pd

from ipsrep.analyses.paper import compare
from ipsrep.inputs.published import value
from ipsrep.methods.power import (
    SAMPLE_SIZE_METHODS,
    n_per_group_two_proportions,
    power_two_proportions,
    simulated_power_chi2,
)

__all__ = [
    "power_on_data",
    "power_sentence",
    "published_design",
    "sample_size_table",
    "power_at_trial_size",
    "sample_size_ledger",
]


def power_on_data(p_ips: float, p_tau: float, table: pd.DataFrame, *, alpha: float = 0.05,
                  n_sim: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Power of the paper's test at the 12-month group sizes of the data in use, for the
    design difference (`p_ips`, `p_tau`) and the observed one (:func:`power_at_trial_size`).

    Returns the two rows indexed ``design difference`` and ``observed difference``, or an
    empty frame with a ``reason`` attribute (``.attrs["reason"]``) when a group has no
    12-month answers. `seed` seeds the simulation (page 07 uses the same).
    """
    r = table.set_index("follow_up").loc["12m"]
    ips_n, tau_n = int(r["n1"]), int(r["n2"])
    if r.get("reason"):
        out = pd.DataFrame(columns=["p_ips", "p_tau", "n_ips", "n_tau", "power_normal", "power_simulated", "mc_se"])
        out.attrs["reason"] = str(r["reason"])
        return out
    o_ips, o_tau = r["pct1"] / 100, r["pct2"] / 100
    frames = [power_at_trial_size(p_ips, p_tau, ips_n, tau_n, alpha=alpha, n_sim=n_sim, seed=seed)]
    if 0 < o_ips < 1 and 0 < o_tau < 1 and o_ips != o_tau:
        frames.append(power_at_trial_size(o_ips, o_tau, ips_n, tau_n, alpha=alpha, n_sim=n_sim, seed=seed))
    else:  # no difference to detect, or a rate of 0 or 1: power is not defined
        frames.append(pd.DataFrame([{"p_ips": o_ips, "p_tau": o_tau, "n_ips": ips_n, "n_tau": tau_n,
                                     "power_normal": math.nan, "power_simulated": math.nan, "mc_se": math.nan}]))
    return pd.concat(frames, keys=["design difference", "observed difference"]).droplevel(1)


def power_sentence(power: pd.DataFrame) -> str:
    """One sentence on :func:`power_on_data` output: the simulated power for the design
    and the observed difference, or why it was not computed."""
    if power.empty:
        return f"The power at the trial's 12-month size was {power.attrs.get('reason', 'not computed')}."
    observed = power["power_simulated"].iloc[1]
    return (f"With {int(power['n_ips'].iloc[0])} IPS and {int(power['n_tau'].iloc[0])} TAU respondents at "
            f"12 months, the simulated power is {power['power_simulated'].iloc[0]:.0%} for the design difference "
            + (f"and {observed:.0%} for the observed one." if not math.isnan(observed) else
               f"and not computed for the observed one (rates {power['p_ips'].iloc[1]:.0%} and "
               f"{power['p_tau'].iloc[1]:.0%}: power needs two different rates strictly between 0 and 100%)."))



_FORMULAS = {
    "unpooled": "normal approximation, unpooled variance under H0 and H1",
    "pooled": "Fleiss: pooled variance under H0",
    "pooled_cc": "Fleiss, Tytun & Ury: pooled, continuity-corrected",
    "arcsine": "Cohen's h (arcsine transformation)",
}


def published_design() -> dict[str, float]:
    """The sample-size assumptions the paper prints (Methods, Sample Size), as proportions.

    Returns
    -------
    dict
        ``p_ips``, ``p_tau`` (assumed employment proportions), ``alpha``, ``power``
        (from the percentages under ``ss.*`` in ``data/published/``).
    """
    return {"p_ips": value("ss.ips_rate") / 100, "p_tau": value("ss.tau_rate") / 100,
            "alpha": value("ss.alpha") / 100, "power": value("ss.power") / 100}


def sample_size_table(p_ips: float, p_tau: float, *, alpha: float = 0.05, power: float = 0.9) -> pd.DataFrame:
    """Participants per group for the trial's design assumptions, by four textbook formulas.

    Parameters
    ----------
    p_ips, p_tau : float
        Assumed employment proportions with IPS and in controls (the paper: 0.61 and
        0.23, from earlier IPS trials).
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.9
        Desired power.

    Returns
    -------
    pandas.DataFrame
        One row per formula: ``method``, ``formula`` (a short description),
        ``n_exact``, ``n_per_group`` (rounded up), ``n_total`` (both groups).

    Notes
    -----
    Formulas as in :func:`ipsrep.methods.power.n_per_group_two_proportions`. The paper gives
    only the inputs and the answer (Methods, Sample Size), so which formula it used is
    found by which one returns its number.
    """
    table = n_per_group_two_proportions(p_ips, p_tau, alpha=alpha, power=power,
                                              method=list(SAMPLE_SIZE_METHODS))
    table.insert(1, "formula", table["method"].map(_FORMULAS))
    table["n_total"] = 2 * table["n_per_group"]
    return table[["method", "formula", "p1", "p2", "alpha", "power", "n_exact", "n_per_group", "n_total"]]


def power_at_trial_size(p_ips: float, p_tau: float, ips_n: int, tau_n: int, *, alpha: float = 0.05,
                        n_sim: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Power of the trial's 2x2 test for given true rates and group sizes.

    Parameters
    ----------
    p_ips, p_tau : float
        True employment proportions (e.g. the design's 0.61 and 0.23, or the observed
        12-month rates).
    n_ips, n_tau : int
        Group sizes (e.g. the 12-month respondents).
    alpha : float, default 0.05
        Two-sided significance level.
    n_sim, seed : int
        Monte Carlo trials and seed of the simulation.

    Returns
    -------
    pandas.DataFrame
        One row: ``p_ips, p_tau, n_ips, n_tau, power_normal`` (two-proportion z-test,
        pooled, :func:`ipsrep.methods.power.power_two_proportions`), ``power_simulated`` (the
        paper's rule, Pearson or Fisher, :func:`ipsrep.methods.power.simulated_power_chi2`)
        and ``mc_se``.
    """
    normal = power_two_proportions(p_ips, p_tau, ips_n, tau_n, alpha, method="pooled")
    sim = simulated_power_chi2(p_ips, p_tau, ips_n, tau_n, alpha=alpha, n_sim=n_sim, seed=seed,
                                     binary_test="rule")
    return pd.DataFrame([{"p_ips": p_ips, "p_tau": p_tau, "n_ips": int(ips_n), "n_tau": int(tau_n),
                          "power_normal": normal, "power_simulated": float(sim.loc[0, "power"]),
                          "mc_se": float(sim.loc[0, "mc_se"])}])



def sample_size_ledger(table: pd.DataFrame, *, method: str = "unpooled", bundled: bool) -> pd.DataFrame:
    """Ledger rows for :func:`sample_size_table`: ``ss.n_per_group`` by the formula `method`,
    plus our own ``ss.n_per_group.<method>`` for every formula in the table.

    The rows use only the design's printed assumptions, so they check the paper's
    arithmetic (status ``consistent`` or ``inconsistent``) and their values are the
    same whatever participant data are in use; the printed number and status are
    filled only when `bundled` (pass ``ctx.bundled``). The formula is fixed: the paper
    does not name it, and the default is the one that gives its printed number.
    """
    by_method = table.set_index("method")
    if method not in by_method.index:
        raise ValueError(f"method must be one of {', '.join(by_method.index)}; got {method!r}")
    values = {"ss.n_per_group": by_method.at[method, "n_per_group"]}
    notes = {"ss.n_per_group": f"{method} formula ({_FORMULAS[method]})"}
    for m, r in by_method.iterrows():
        key = f"ss.n_per_group.{m}"
        values[key] = r["n_per_group"]
        notes[key] = f"n per group, {_FORMULAS[m]} (unrounded {r['n_exact']:.2f})"
    return compare(values, bundled=bundled, notes=notes, check=True)
