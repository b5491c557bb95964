"""What the trial can and cannot tell: the strength of the evidence behind "no significant difference".

For the employment outcome of research question 1 (any competitive job since baseline,
at 6, 12 and 24 months; Table 2 of Sveinsdottir et al. 2022), recomputed from the
participant table in use:

- :func:`bayesian_reanalysis`: posteriors of the odds ratio and the risk difference under
  a sceptical, a neutral and an enthusiastic prior (:mod:`ipsrep.methods.bayes`), exact
  (quadrature) with the normal approximation on the log odds ratio beside it;
- :func:`fragility_table`: the reverse fragility index and fragility quotient by the
  paper's test rule (:mod:`ipsrep.methods.fragility`);
- :func:`tipping_point`: every way the participants without an outcome could have
  turned out, by arm;
- :func:`interval_reading`: what the confidence intervals rule out, against the effect
  the trial was planned for and a smaller one that would still matter;
- :func:`needed_sample_size`: participants per group the observed rates would have
  needed;
- :func:`credibility`: Matthews' reverse-Bayes Analysis of Credibility.

Every function reads aggregates of the participant table (``group``,
``employed_<follow-up>``) and returns tidy frames; nothing is printed. The planned effect
comes from the sample-size paragraph in ``data/published/`` (``ss.*``).
"""
from __future__ import annotations

import math
from typing import TypedDict

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep

from ipsrep.analyses import employment, employment_power
from ipsrep.analyses.paper import compare
from ipsrep.methods import bayes, fragility, stats

__all__ = [
    "planned_effect",
    "important_effect",
    "bayesian_reanalysis",
    "posterior_curves",
    "fragility_table",
    "missing_outcomes",
    "tipping_point",
    "tipping_summary",
    "interval_reading",
    "needed_sample_size",
    "sample_size_reason",
    "sample_size_sentence",
    "credibility",
    "bayes_ledger",
    "fragility_ledger",
    "tipping_ledger",
    "interval_ledger",
    "bayes_display",
    "reading_sentence",
    "not_computed",
]

PRIORS = ("sceptical", "neutral", "enthusiastic")
"""The three priors of the re-analysis, in display order."""


# ------------------------------------------------------------------- the planned effect
class PlannedEffect(TypedDict):
    """The planned effect: both rates, their odds ratio and difference, and where it comes from."""

    p_ips: float
    p_tau: float
    odds_ratio: float
    rd: float
    source: str


def planned_effect(planned_or: float | None = None) -> PlannedEffect:
    """The effect the trial was planned to detect, as odds ratio and risk difference.

    Parameters
    ----------
    planned_or : float, optional
        An odds ratio to use instead of the paper's; ``None`` takes the rates of the
        sample-size paragraph (``ss.ips_rate``, ``ss.tau_rate`` in ``data/published/``).

    Returns
    -------
    dict
        ``p_ips, p_tau`` (the planned rates; with `planned_or`, the IPS rate that odds
        ratio gives at the paper's control rate), ``odds_ratio``, ``rd`` (risk
        difference, IPS minus control) and ``source`` (in words).
    """
    design = employment_power.published_design()
    p_tau = design["p_tau"]
    if planned_or is None:
        p_ips = design["p_ips"]
        source = f"the sample-size paragraph: {100 * p_ips:g}% with IPS against {100 * p_tau:g}% in controls"
    else:
        planned_or = float(planned_or)
        if not (math.isfinite(planned_or) and planned_or > 1):
            raise ValueError(f"planned_or must be an odds ratio above 1, got {planned_or!r}")
        p_ips = planned_or * p_tau / (1 - p_tau + planned_or * p_tau)
        source = f"the parameter planned_or = {planned_or:g}, at the paper's control rate of {100 * p_tau:g}%"
    return {"p_ips": p_ips, "p_tau": p_tau, "odds_ratio": bayes.odds_ratio_of_rates(p_ips, p_tau),
            "rd": p_ips - p_tau, "source": source}


def important_effect(rd: float, control_rate: float) -> dict[str, float]:
    """A risk difference `rd` at `control_rate`, with its odds ratio and number needed to treat.

    >>> e = important_effect(0.10, 7 / 18)
    >>> round(e["odds_ratio"], 2), round(e["nnt"])
    (1.5, 10)
    """
    rd, control_rate = float(rd), float(control_rate)
    if not 0 < rd < 1:
        raise ValueError(f"important_rd must be a risk difference between 0 and 1, got {rd!r}")
    if not 0 < control_rate < 1 - rd:
        raise ValueError(f"the control rate {control_rate:.3f} leaves no room for a difference of {rd:g}")
    return {"rd": rd, "control_rate": control_rate, "p_ips": control_rate + rd,
            "odds_ratio": bayes.odds_ratio_of_rates(control_rate + rd, control_rate), "nnt": 1 / rd}


# ------------------------------------------------------------------ Bayesian re-analysis
def _posteriors(row, priors: pd.DataFrame):
    """Exact and normal-approximation posteriors for one Table 2 row, per prior."""
    a, n1, b, n2 = (int(row[k]) for k in ("a", "n1", "b", "n2"))
    out = {}
    for _, p in priors.iterrows():
        shape = (float(p["beta_a"]), float(p["beta_b"]))
        if p["kind"] == "beta per arm":
            exact = bayes.beta_binomial_posterior(a, n1, b, n2, prior=shape)
            approx = bayes.normal_approximation(a, n1, b, n2)
        else:
            exact = bayes.log_or_prior_posterior(a, n1, b, n2, mean=float(p["mean"]), sd=float(p["sd"]),
                                                 control_prior=shape)
            approx = bayes.normal_approximation(a, n1, b, n2, mean=float(p["mean"]), sd=float(p["sd"]))
        out[p["prior"]] = (exact, approx)
    return out


def bayesian_reanalysis(table2: pd.DataFrame, *, planned: dict, tail: float = 0.05, neutral: str = "jeffreys",
                        level: float = 0.95) -> pd.DataFrame:
    """Posterior odds ratio and risk difference at each follow-up under three priors.

    Parameters
    ----------
    table2 : pandas.DataFrame
        :func:`ipsrep.analyses.employment.employment_table` output (``follow_up, a, n1,
        b, n2``).
    planned : dict
        :func:`planned_effect` output (``odds_ratio, rd``).
    tail, neutral :
        The priors' settings (:func:`ipsrep.methods.bayes.prior_settings`).
    level : float, default 0.95
        Probability of the central credible intervals.

    Returns
    -------
    pandas.DataFrame
        One row per follow-up, prior and method (``exact``: quadrature with the binomial
        likelihood; ``normal``: normal approximation on the log odds ratio):
        ``follow_up, prior, method, or_median, or_low, or_high, p_or_above_1``
        (posterior probability of any benefit), ``p_or_above_planned`` (of a benefit at
        least the planned odds ratio), ``rd_median, rd_low, rd_high, p_rd_above_0,
        p_rd_above_planned`` (exact rows only; NaN for the normal approximation), and
        ``reason``: empty, or why the follow-up was not computed (every number NaN).
    """
    priors = bayes.prior_settings(planned["odds_ratio"], tail=tail, neutral=neutral)
    rows = []
    for _, r in table2.iterrows():
        if r.get("reason"):  # nobody (in a group) answered at this follow-up: rows that say so
            rows += [{"follow_up": r["follow_up"], "prior": prior, "method": method, "reason": str(r["reason"])}
                     for prior in PRIORS for method in ("exact", "normal")]
            continue
        for prior, (exact, approx) in _posteriors(r, priors).items():
            rows.append({"follow_up": r["follow_up"], "prior": prior, "method": "exact", "reason": "",
                         **exact.summary(planned_or=planned["odds_ratio"], planned_rd=planned["rd"], level=level)})
            rows.append({"follow_up": r["follow_up"], "prior": prior, "method": "normal", "reason": "",
                         **approx.summary(planned_or=planned["odds_ratio"], level=level)})
    return pd.DataFrame(rows)


def not_computed(row: pd.Series, what: str) -> str:
    """`what` at the follow-up of a Table 2 `row` that has a ``reason``, in one sentence
    (the follow-up is the row's ``follow_up``, or its name when indexed by follow-up).

    >>> not_computed(pd.Series({"follow_up": "12m", "reason": "not computed: no answers"}), "The re-analysis")
    'The re-analysis at 12m was not computed: no answers.'
    """
    return f"{what} at {row.get('follow_up', row.name)} was {row['reason']}."


def posterior_curves(table2: pd.DataFrame, follow_up: str, *, planned: dict, tail: float = 0.05,
                     neutral: str = "jeffreys") -> pd.DataFrame:
    """Prior and posterior densities of the log odds ratio at one follow-up, for the figure.

    Returns
    -------
    pandas.DataFrame
        Rows ``prior, curve`` (``posterior, exact``; ``posterior, normal``; ``prior``),
        ``odds_ratio`` and ``density`` (per unit of log odds ratio). The neutral prior's
        curve is omitted (it is flat on no scale shown: Beta priors on the rates).
    """
    row = table2.set_index("follow_up").loc[follow_up]
    if row.get("reason"):
        raise ValueError(f"trial data: employment at {follow_up} {row['reason']}; this page's analyses need "
                         f"answers in both groups at follow_up (choose another: -p follow_up 6m or 24m)")
    priors = bayes.prior_settings(planned["odds_ratio"], tail=tail, neutral=neutral)
    grid = np.linspace(math.log(0.1), math.log(60.0), 600)
    frames = []
    for _, p in priors.iterrows():
        exact, approx = _posteriors(row, priors[priors["prior"] == p["prior"]])[p["prior"]]
        d = exact.density_log_or()
        frames.append(pd.DataFrame({"prior": p["prior"], "curve": "posterior, exact", "odds_ratio": np.exp(grid),
                                    "density": np.interp(grid, d["log_or"], d["density"], left=0, right=0)}))
        n = approx.density_log_or(grid)
        frames.append(pd.DataFrame({"prior": p["prior"], "curve": "posterior, normal approximation",
                                    "odds_ratio": np.exp(grid), "density": n["density"]}))
        if p["kind"] != "beta per arm":
            frames.append(pd.DataFrame({"prior": p["prior"], "curve": "prior", "odds_ratio": np.exp(grid),
                                        "density": sps.norm.pdf(grid, p["mean"], p["sd"])}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- fragility
def fragility_table(table2: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Fragility of each follow-up's comparison by the paper's rule (:func:`ipsrep.methods.fragility.fragility_index`).

    Returns the rows of :func:`~ipsrep.methods.fragility.fragility_index` for each
    follow-up, with ``follow_up, a, n1, b, n2`` in front and ``reason`` last: empty, or
    why a follow-up without answers in a group was not searched (its numbers NaN).
    """
    frames = []
    for _, r in table2.iterrows():
        if r.get("reason"):  # no table to search from: one row per search, saying why
            fi = pd.DataFrame({"search": ["either arm", "group 1 only", "group 2 only"], "direction": "",
                               "reason": str(r["reason"])})
        else:
            fi = fragility.fragility_index(int(r["a"]), int(r["n1"]), int(r["b"]), int(r["n2"]), alpha=alpha)
            fi["reason"] = ""
        for k in ("n2", "b", "n1", "a"):
            fi.insert(0, k, int(r[k]))
        fi.insert(0, "follow_up", r["follow_up"])
        frames.append(fi)
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------- missing outcomes
def missing_outcomes(trial: pd.DataFrame, follow_up: str = "12m") -> pd.DataFrame:
    """Participants of each group with and without an employment answer at `follow_up`.

    Returns one row per group: ``group, employed, n`` (respondents), ``missing``
    (participants in the data without an answer) and ``in_data`` (``n + missing``).
    """
    counts = employment.employment_counts(trial, follow_up)
    column = employment.employment_column(follow_up)
    values = employment.binary_outcome(trial, column)
    counts["missing"] = [int((values.isna() & trial["group"].eq(g)).sum()) for g in counts["group"]]
    counts["in_data"] = counts["n"] + counts["missing"]
    return counts[["group", "employed", "n", "missing", "in_data"]]


def tipping_point(trial: pd.DataFrame, follow_up: str = "12m", *, alpha: float = 0.05) -> pd.DataFrame:
    """Every way the missing answers at `follow_up` could have turned out, by arm, tested by the rule.

    Returns :func:`ipsrep.methods.fragility.tipping_grid` for the counts of
    :func:`missing_outcomes` (IPS as group 1): ``x1`` IPS and ``x2`` TAU participants
    among the missing counted as employed, the completed table, its odds ratio and the
    paper's-rule p. Without respondents in a group there is no verdict to tip: an empty
    grid whose ``attrs["reason"]`` says why.
    """
    counts = missing_outcomes(trial, follow_up).set_index("group")
    ips, tau = counts.loc["IPS"], counts.loc["TAU"]
    reason = employment.no_answers_reason(employment.employment_column(follow_up),
                                          {"IPS": int(ips["n"]), "TAU": int(tau["n"])})
    if reason:
        empty = pd.DataFrame(columns=["x1", "x2", "a_full", "n1_full", "b_full", "n2_full", "rd", "odds_ratio",
                                      "p", "significant"])
        empty.attrs["reason"] = reason
        return empty
    return fragility.tipping_grid(int(ips["employed"]), int(ips["n"]), int(tau["employed"]), int(tau["n"]),
                                  int(ips["missing"]), int(tau["missing"]), alpha=alpha)


def tipping_summary(grid: pd.DataFrame) -> pd.DataFrame:
    """Best case, worst case and the completion at each arm's observed rate, from :func:`tipping_point`.

    Returns one row per case (``"best case for IPS"``: every missing IPS participant
    employed and no missing TAU participant; ``"worst case for IPS"``: the reverse;
    ``"as observed"``: each arm's missing filled at its own observed rate, rounded to
    whole participants), with ``x1, x2, odds_ratio, rd, p, significant``; on an empty
    grid (:func:`tipping_point` without respondents) the numbers are NaN.
    """
    if grid.empty:
        return pd.DataFrame([{"case": case, "x1": math.nan, "x2": math.nan, "odds_ratio": math.nan, "rd": math.nan,
                              "p": math.nan, "significant": False}
                             for case in ("best case for IPS", "worst case for IPS", "as observed")])
    m1, m2 = int(grid["x1"].max()), int(grid["x2"].max())
    first = grid.iloc[0]  # x1 = x2 = 0: the observed counts over the completed group sizes
    n1, n2 = int(first["n1_full"]) - m1, int(first["n2_full"]) - m2
    a, b = int(first["a_full"]), int(first["b_full"])
    at_rate = (math.floor(m1 * a / n1 + 0.5), math.floor(m2 * b / n2 + 0.5))
    g = grid.set_index(["x1", "x2"])
    rows = []
    for case, key in (("best case for IPS", (m1, 0)), ("worst case for IPS", (0, m2)), ("as observed", at_rate)):
        r = g.loc[key]
        rows.append({"case": case, "x1": key[0], "x2": key[1], "odds_ratio": float(r["odds_ratio"]),
                     "rd": float(r["rd"]), "p": float(r["p"]), "significant": bool(r["significant"])})
    return pd.DataFrame(rows)


# -------------------------------------------------------------- what the interval rules out
def interval_reading(row: pd.Series, *, planned: dict, important_rd: float = 0.10, level: float = 0.95) -> pd.DataFrame:
    """Which effects the confidence intervals of one follow-up rule out.

    Parameters
    ----------
    row : pandas.Series
        A row of :func:`ipsrep.analyses.employment.employment_table` (``a, n1, b, n2,
        ci_low, ci_high``: the Woolf interval of the odds ratio at `level`).
    planned : dict
        :func:`planned_effect` output.
    important_rd : float, default 0.10
        A smaller benefit that would still matter, as a risk difference; its odds ratio
        is taken at the observed control rate.
    level : float
        Confidence level of the intervals (as in `row`).

    Returns
    -------
    pandas.DataFrame
        One row per reference effect (``planned``, ``smaller but important``, ``no
        effect``, ``harm as large as the important benefit``): ``effect``,
        ``odds_ratio``, ``rd``, ``or_inside`` (inside the Woolf interval of the odds
        ratio), ``rd_inside`` (inside Newcombe's hybrid score interval of the risk
        difference), ``verdict`` (``"compatible"`` when inside both, ``"ruled out"``
        when outside both, else ``"borderline"``); the intervals are in ``or_low,
        or_high, rd_low, rd_high`` on every row, and ``reason``: empty, or why a follow-up
        without answers in a group was not read (numbers NaN, verdict ``not computed``).

    Notes
    -----
    An effect outside a 95% interval is rejected by a two-sided test at 5%; an
    equivalence claim ("IPS makes no important difference") would need the whole interval
    inside (-important, +important) (at the 90% level, two one-sided tests). The
    risk-difference interval is Newcombe's (1998) method 10 (statsmodels
    ``confint_proportions_2indep``, ``method="newcomb"``).

    References
    ----------
    Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 1998;17:873-90.
    """
    if row.get("reason"):  # no answers in a group: every reference effect, not read
        return pd.DataFrame([{"effect": name, "odds_ratio": math.nan, "rd": math.nan, "or_inside": None,
                              "rd_inside": None, "verdict": "not computed", "or_low": math.nan, "or_high": math.nan,
                              "rd_low": math.nan, "rd_high": math.nan, "reason": str(row["reason"])}
                             for name in ("planned", "smaller but important", "no effect",
                                          "harm as large as the important benefit")])
    a, n1, b, n2 = (int(row[k]) for k in ("a", "n1", "b", "n2"))
    rd_low, rd_high = confint_proportions_2indep(a, n1, b, n2, method="newcomb", compare="diff", alpha=1 - level)
    control = b / n2
    imp = important_effect(important_rd, control) if 0 < control < 1 - important_rd else None
    harm_rd = -important_rd
    harm_or = bayes.odds_ratio_of_rates(control + harm_rd, control) if control + harm_rd > 0 else math.nan
    effects = [("planned", planned["odds_ratio"], planned["rd"]),
               ("smaller but important", imp["odds_ratio"] if imp else math.nan, important_rd),
               ("no effect", 1.0, 0.0),
               ("harm as large as the important benefit", harm_or, harm_rd)]
    rows = []
    for name, odds, rd in effects:
        or_in = bool(row["ci_low"] <= odds <= row["ci_high"]) if math.isfinite(odds) else None
        rd_in = bool(rd_low <= rd <= rd_high)
        verdict = ("compatible" if or_in and rd_in else "ruled out" if (or_in is False and not rd_in)
                   else "borderline")
        rows.append({"effect": name, "odds_ratio": odds, "rd": rd, "or_inside": or_in, "rd_inside": rd_in,
                     "verdict": verdict, "or_low": float(row["ci_low"]), "or_high": float(row["ci_high"]),
                     "rd_low": float(rd_low), "rd_high": float(rd_high), "reason": ""})
    return pd.DataFrame(rows)


def needed_sample_size(row: pd.Series, *, alpha: float = 0.05, powers=(0.8, 0.9),
                       method: str = "pooled") -> pd.DataFrame:
    """Participants per group a trial needs if the true rates were the observed ones.

    Rows of :func:`ipsrep.methods.power.n_per_group_two_proportions` for each power
    (``method`` default ``"pooled"``: Fleiss' formula, whose test is the Pearson
    chi-squared the trial used, and the one page 07 uses for its headline numbers),
    with ``reason`` empty. When the row has no answers in a group, or the observed rates
    are equal or one is 0 or 1 (no difference, or a rate with no variance: the formula
    has no answer), one row per power with ``n_exact`` and ``n_per_group`` NaN and
    ``reason`` saying why.
    """
    reason = str(row.get("reason") or "")
    p1 = row["a"] / row["n1"] if row["n1"] else math.nan
    p2 = row["b"] / row["n2"] if row["n2"] else math.nan
    if not reason:
        reason = sample_size_reason(p1, p2)
    if reason:
        return pd.DataFrame([{"method": method, "p1": p1, "p2": p2, "alpha": alpha, "power": float(pw),
                              "n_exact": math.nan, "n_per_group": math.nan, "reason": reason} for pw in powers])
    return pd.concat([stats.n_per_group_two_proportions(p1, p2, alpha=alpha, power=pw, method=method)
                      for pw in powers], ignore_index=True).assign(reason="")


def sample_size_reason(p1: float, p2: float) -> str:
    """Why no sample size (or power) follows from the rates `p1`, `p2`, in words, or "".

    >>> sample_size_reason(1.0, 0.0)[:50]
    'not computed: the observed rates are 100% and 0%; '
    >>> sample_size_reason(0.5, 0.3)
    ''
    >>> sample_size_reason(math.nan, 0.3)
    'not computed: a group has no answers, so there are no observed rates to plan from'
    """
    if 0 < p1 < 1 and 0 < p2 < 1 and p1 != p2:
        return ""
    if math.isnan(p1) or math.isnan(p2):
        return "not computed: a group has no answers, so there are no observed rates to plan from"
    return (f"not computed: the observed rates are {p1:.0%} and {p2:.0%}; a sample size needs two different "
            f"rates strictly between 0 and 100%")


def sample_size_sentence(sizes: pd.DataFrame, row: pd.Series, follow_up: str) -> str:
    """:func:`needed_sample_size` in one sentence, or why it was not computed."""
    if sizes["reason"].iloc[0]:
        return f"The sample size at the observed {follow_up} rates was {sizes['reason'].iloc[0]}."
    return ("At the observed rates a trial would need "
            + " and ".join(f"**{int(s['n_per_group'])} per group** for {s['power']:.0%} power"
                           for _, s in sizes.iterrows())
            + f", against the {row['n1']} and {row['n2']} the trial analysed at {follow_up}.")


# ------------------------------------------------------------------- reverse Bayes
def credibility(row: pd.Series) -> dict:
    """Matthews' Analysis of Credibility for one follow-up's odds-ratio interval.

    Returns ``significant`` (the interval excludes 1), ``limit`` (the Advocacy Limit
    of a non-significant interval, or the Scepticism Limit of a significant one;
    :func:`ipsrep.methods.bayes.advocacy_limit`, :func:`~ipsrep.methods.bayes.scepticism_limit`),
    ``kind`` (``"advocacy"`` or ``"scepticism"``) and ``prior_mean_or``, ``prior_sd``
    (the critical prior on the log odds ratio: 95% interval from 1 to AdL, or from
    1/SL to SL); for a row with a ``reason`` (no answers in a group) the numbers are
    NaN, ``kind`` is empty and ``reason`` says why.
    """
    if row.get("reason"):
        return {"significant": False, "kind": "", "limit": math.nan, "prior_mean_or": math.nan,
                "prior_sd": math.nan, "reason": str(row["reason"])}
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    z = float(sps.norm.ppf(0.975))
    if lo < 1 < hi:
        limit = bayes.advocacy_limit(lo, hi)
        mean, sd = math.log(limit) / 2, abs(math.log(limit)) / (2 * z)
        return {"significant": False, "kind": "advocacy", "limit": limit, "prior_mean_or": math.exp(mean),
                "prior_sd": sd}
    limit = bayes.scepticism_limit(lo, hi)
    return {"significant": True, "kind": "scepticism", "limit": limit, "prior_mean_or": 1.0,
            "prior_sd": abs(math.log(limit)) / z}


# ------------------------------------------------------------------------- ledger
def bayes_ledger(post: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows ``evidence.<follow-up>.<prior>.<quantity>`` (exact) and ``...normal.<quantity>``.

    Our own values (no printed counterpart): posterior median and interval of the odds
    ratio and the risk difference, and the probabilities of any benefit and of a
    benefit at least the planned one.
    """
    values, quantities = {}, {}
    words = {
        "or_median": "posterior median odds ratio",
        "or_low": "credible interval of the odds ratio, lower",
        "or_high": "credible interval of the odds ratio, upper",
        "p_or_above_1": "posterior probability of any benefit (OR > 1)",
        "p_or_above_planned": "posterior probability of OR above the planned OR",
        "rd_median": "posterior median risk difference",
        "rd_low": "credible interval of the risk difference, lower",
        "rd_high": "credible interval of the risk difference, upper",
        "p_rd_above_planned": "posterior probability of a risk difference above the planned one",
    }
    notes = {}
    for _, r in post.iterrows():
        stem = f"evidence.{r['follow_up']}.{r['prior']}." + ("normal." if r["method"] == "normal" else "")
        reason = str(r.get("reason") or "")
        for q, w in words.items():
            normal_rd = r["method"] == "normal" and "rd" in q  # the approximation has no risk difference
            if (q in r and pd.notna(r[q])) or (reason and not normal_rd):
                values[stem + q] = r.get(q, math.nan)
                quantities[stem + q] = (
                    f"{r['follow_up']}, {r['prior']} prior, "
                    f"{'normal approximation' if r['method'] == 'normal' else 'exact'}: {w} (not printed)"
                )
                if reason:
                    notes[stem + q] = reason
    return compare(values, bundled=bundled, quantities=quantities, notes=notes)


def fragility_ledger(frag: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows ``evidence.<follow-up>.fragility.<search>`` and ``.quotient`` (our own values)."""
    values, quantities, notes = {}, {}, {}
    slug = {"either arm": "either_arm", "group 1 only": "ips_only", "group 2 only": "tau_only"}
    for _, r in frag.iterrows():
        k = f"evidence.{r['follow_up']}.fragility.{slug[r['search']]}"
        values[k], values[k + ".quotient"] = r["index"], r["quotient"]
        direction = f"{r['direction']} " if r["direction"] else ""
        what = f"{r['follow_up']}: {direction}fragility index, changes in {r['search']}, paper's test rule"
        quantities[k] = what + " (not printed)"
        quantities[k + ".quotient"] = what + ", divided by the participants analysed (not printed)"
        if r.get("reason"):
            notes[k] = notes[k + ".quotient"] = str(r["reason"])
    return compare(values, bundled=bundled, quantities=quantities, notes=notes)


def tipping_ledger(grid: pd.DataFrame, summary: pd.DataFrame, follow_up: str, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows ``evidence.<follow-up>.tipping.*``: best/worst-case p and odds ratio, and
    how many completions of the missing outcomes are significant (our own values)."""
    s = summary.set_index("case")
    k = f"evidence.{follow_up}.tipping."
    values = {k + "best_p": s.at["best case for IPS", "p"], k + "best_or": s.at["best case for IPS", "odds_ratio"],
              k + "worst_p": s.at["worst case for IPS", "p"], k + "worst_or": s.at["worst case for IPS", "odds_ratio"],
              k + "n_significant": int(grid["significant"].sum()), k + "n_completions": len(grid)}
    quantities = {k + "best_p": "every missing IPS participant employed, no missing TAU one: rule p",
                  k + "best_or": "the same completion: odds ratio",
                  k + "worst_p": "no missing IPS participant employed, every missing TAU one: rule p",
                  k + "worst_or": "the same completion: odds ratio",
                  k + "n_significant": "completions of the missing outcomes with p < alpha",
                  k + "n_completions": "completions of the missing outcomes tested"}
    if grid.empty:  # no respondents in a group: the rows say why
        values = dict.fromkeys(values, math.nan)
    reason = grid.attrs.get("reason", "")
    return compare(
        values, bundled=bundled, quantities={q: f"{follow_up}: {w} (not printed)" for q, w in quantities.items()},
        notes=dict.fromkeys(values, reason) if reason else None,
    )


def interval_ledger(reading: pd.DataFrame, sizes: pd.DataFrame, cred: dict, follow_up: str, *,
                    bundled: bool) -> pd.DataFrame:
    """Ledger rows for what the interval rules out, the sample size needed and the credibility limit."""
    k = f"evidence.{follow_up}."
    r0 = reading.iloc[0]
    values = {k + "rd_ci_low": r0["rd_low"], k + "rd_ci_high": r0["rd_high"],
              k + "planned_or": reading.set_index("effect").at["planned", "odds_ratio"],
              k + "important_or": reading.set_index("effect").at["smaller but important", "odds_ratio"]}
    quantities = {k + "rd_ci_low": "Newcombe interval of the risk difference, lower",
                  k + "rd_ci_high": "Newcombe interval of the risk difference, upper",
                  k + "planned_or": "odds ratio the trial was planned to detect",
                  k + "important_or": "odds ratio of the smaller important difference at the observed control rate"}
    notes = {}
    for _, s in sizes.iterrows():
        key = k + f"n_per_group_power{round(100 * s['power'])}"
        values[key] = s["n_per_group"]
        quantities[key] = (
            f"participants per group for {s['power']:.0%} power at the observed rates ({s['method']} formula)"
        )
        if s.get("reason"):
            notes[key] = str(s["reason"])
    # one key whatever the data, so that two trials' ledgers join on it; the quantity names the limit
    values[k + "credibility_limit"] = cred["limit"]
    quantities[k + "credibility_limit"] = (
        f"Matthews' {cred['kind'] or 'advocacy or scepticism'} limit (odds ratio) of the Analysis of Credibility"
    )
    if r0.get("reason"):
        notes.update({q: str(r0["reason"]) for q in values if q not in notes})
    return compare(
        values, bundled=bundled, quantities={q: f"{follow_up}: {w} (not printed)" for q, w in quantities.items()},
        notes=notes,
    )


# ------------------------------------------------------------------------ display
BAYES_COLUMNS = ("OR (95% CrI), exact", "OR (95% CrI), normal", "P(OR > 1) %, exact", "P(OR > 1) %, normal",
                 "P(OR > planned) %, exact", "P(OR > planned) %, normal", "RD points (95% CrI), exact",
                 "P(RD > planned) %, exact")
"""The columns of :func:`bayes_display`."""


def bayes_display(post: pd.DataFrame) -> pd.DataFrame:
    """The re-analysis for reading: one row per follow-up and prior, exact and normal side by side.

    Columns: ``OR (95% CrI)`` exact and normal, ``P(OR > 1)`` exact and normal,
    ``P(OR > planned)`` exact and normal, ``RD (95% CrI)`` and ``P(RD > planned)``
    (exact), probabilities in percent, as text with one decimal; ``not computed`` in
    every column of a follow-up with a ``reason`` (the page says why).
    """
    def ci(r, s, scale=1.0, fmt="{:.2f}"):
        return (f"{fmt.format(scale * r[s + '_median'])} ({fmt.format(scale * r[s + '_low'])} to "
                f"{fmt.format(scale * r[s + '_high'])})")

    rows = []
    for (fu, prior), g in post.groupby(["follow_up", "prior"], sort=False):
        if g["reason"].iloc[0] if "reason" in g else False:
            rows.append({"follow-up": fu, "prior": prior, **dict.fromkeys(BAYES_COLUMNS, "not computed")})
            continue
        e = g[g["method"] == "exact"].iloc[0]
        n = g[g["method"] == "normal"].iloc[0]
        rows.append({"follow-up": fu, "prior": prior,
                     "OR (95% CrI), exact": ci(e, "or"), "OR (95% CrI), normal": ci(n, "or"),
                     "P(OR > 1) %, exact": f"{100 * e['p_or_above_1']:.1f}",
                     "P(OR > 1) %, normal": f"{100 * n['p_or_above_1']:.1f}",
                     "P(OR > planned) %, exact": f"{100 * e['p_or_above_planned']:.1f}",
                     "P(OR > planned) %, normal": f"{100 * n['p_or_above_planned']:.1f}",
                     "RD points (95% CrI), exact": ci(e, "rd", 100, "{:.1f}"),
                     "P(RD > planned) %, exact": f"{100 * e['p_rd_above_planned']:.1f}"})
    return pd.DataFrame(rows).set_index(["follow-up", "prior"])


def reading_sentence(reading: pd.DataFrame) -> str:
    """:func:`interval_reading` in words: each reference effect with its verdict, and whether
    equivalence within the important difference can be claimed (the whole risk-difference
    interval inside plus or minus it; at the 95% level, a conservative reading of two one-sided tests)."""
    r0 = reading.iloc[0]
    parts = []
    for _, r in reading.iterrows():
        odds = f"OR {r['odds_ratio']:.2f}, " if math.isfinite(r["odds_ratio"]) else ""
        detail = ""
        if r["verdict"] == "borderline":
            detail = (" (inside the odds-ratio interval, outside the risk-difference one)" if r["or_inside"]
                      else " (outside the odds-ratio interval, inside the risk-difference one)")
        parts.append(f"{r['effect']} ({odds}{100 * r['rd']:+.0f} points): **{r['verdict']}**{detail}")
    important = float(reading.loc[reading["effect"] == "smaller but important", "rd"].iloc[0])
    equivalent = -important < r0["rd_low"] and r0["rd_high"] < important
    return (f"Odds ratio interval {r0['or_low']:.2f} to {r0['or_high']:.2f}; risk-difference interval "
            f"{100 * r0['rd_low']:.1f} to {100 * r0['rd_high']:.1f} percentage points. "
            + "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + ". "
            + (f"The whole risk-difference interval lies within plus or minus {100 * important:.0f} points: "
               f"no important difference either way." if equivalent else
               f"The interval reaches beyond plus or minus {100 * important:.0f} points, so equivalence "
               f"(no important difference) cannot be claimed."))
