"""Which participants and values each output of the report is computed from.

Disclosure control needs, for every number and figure a report adds, the cells behind
it: the counts of a frequency table, the contributions to a mean, the observations of a
model. The report's notebooks compute these from the participant table; here the same
cells are computed again from the same table, by the output's ledger key or by the
plotting function that drew a figure.

A ledger key is matched against :data:`KEY_RULES` (a pattern and the evidence it
needs). Keys of the namespaces in :data:`DATA_NAMESPACES` come from the participant
data; every other key is computed from the printed numbers, the pilot's and interviews'
structured files or the committed ensemble, none of which is the data file. A
data-derived key that no rule matches has unknown cells, and is suppressed.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ipsrep.analyses import baseline
from ipsrep.inputs import measures
from ipsrep.release.rules import Check, Rules, dof_check, extreme_check, frequency_checks, magnitude_checks

GROUPS = measures.GROUPS

DATA_NAMESPACES = ("t1", "t2", "t3", "t4", "rq1", "rq2", "attrition", "flow", "hist", "evidence")
"""Ledger key prefixes whose values come (at least in part) from the participant data."""

DATA_KEYS = re.compile(r"^audit\.[\w.]*(observed|achieved)_12m(_sim)?$")
"""Keys of other namespaces computed from the data: the audit's power and sample size at
the employment rates observed at 12 months."""

PUBLIC_KEYS = re.compile(r"^(flow\.(randomised|withdrew)|hist\.(hc_count|hc_n|hc_pct|df))$")
"""Keys in those namespaces that are printed numbers used as given (the historical
controls, the randomised and withdrawn counts), not computed from the data."""

QUANTITY_TYPES = ("count", "percentage", "mean", "sd", "min", "max", "test statistic", "p",
                  "odds ratio", "confidence limit", "regression coefficient", "standard error",
                  "expected count", "power", "sample size", "derived statistic", "other")


def quantity_type(key: str) -> str:
    """The kind of statistic a ledger key holds, from its last part.

    >>> [quantity_type(k) for k in ("t2.12m.ips_count", "t3.odi.6m.tau_sd", "t4.odi.group.z", "rq2.hours.ips_max")]
    ['count', 'sd', 'test statistic', 'max']
    """
    last = key.rsplit(".", 1)[-1]
    tail = last.rsplit("_", 1)[-1]
    if ".power." in key:
        return "power"
    if ".n_per_group" in key:
        return "sample size"
    if key.startswith("evidence.") and not (last == "p" or last.endswith("_p")):
        return "derived statistic"  # posterior summaries, fragility and tipping counts of one 2x2 table
    if last in ("estimate",):
        return "regression coefficient"
    if last == "se":
        return "standard error"
    if last in ("z", "chi2", "t"):
        return "test statistic"
    if last in ("or",):
        return "odds ratio"
    if last in ("or_lo", "or_hi", "ci_low", "ci_high"):
        return "confidence limit"
    if last == "p" or last.startswith("p_") or last.endswith("_p"):
        return "p"
    if last == "min_expected":
        return "expected count"
    if tail in ("count", "n", "missing", "analysed", "total") or last in ("analysed", "n_total", "df"):
        return "count"
    if tail == "pct" or last in ("response_rate_max", "response_rate_min"):
        return "percentage"
    if tail in ("mean", "sd", "min", "max"):
        return tail
    return "other"


@dataclass
class Evidence:
    """What the disclosure checks of one output look at: frequency tables (cell name to
    count), magnitude cells (cell name to contributions), a model's residual degrees of
    freedom, or an extreme value."""

    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    magnitudes: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    dof: dict[str, int] = field(default_factory=dict)
    extreme: str | None = None
    printed: dict[str, str] = field(default_factory=dict)
    """Frequency tables whose cells the papers print: table label to the ledger key
    prefix of its printed counts and percentages (``t2.12m`` for ``t2.12m.ips_count``...)."""

    def checks(self, rules: Rules) -> list[Check]:
        out: list[Check] = []
        if self.extreme:
            out += extreme_check(self.extreme)
        for label, counts in self.tables.items():
            public = printed_table(counts, self.printed.get(label)) if rules.printed_numbers_are_public else None
            out += [Check("printed", "pass", f"{label}: {public}")] if public else frequency_checks(
                counts, rules, label=label)
        for label, cells in self.magnitudes.items():
            out += magnitude_checks(cells, rules, label=label)
        for label, dof in self.dof.items():
            out += dof_check(dof, rules, label=label)
        return out


# ------------------------------------------------------------------------------ cells
def printed_table(counts: dict[str, int], prefix: str | None) -> str | None:
    """Why the yes/no table `counts` (cells ``"<group>, <var>=1"`` and ``=0``) is public, or
    None: for every group in it, the papers print the count of 1s (``<prefix>.<group>_count``)
    and a percentage (``<prefix>.<group>_pct``) that the table's count and total give.

    >>> printed_table({"IPS, employed_12m=1": 19, "IPS, employed_12m=0": 17,
    ...                "TAU, employed_12m=1": 7, "TAU, employed_12m=0": 11}, "t2.12m")
    'every cell follows from printed numbers (IPS 19 of 36, TAU 7 of 18)'
    """
    from ipsrep.inputs.published import load_published
    from ipsrep.methods.rounding import rounds_to

    if not prefix:
        return None
    published = load_published()
    shown = []
    for g in GROUPS:
        yes = [v for k, v in counts.items() if k.startswith(f"{g}, ") and k.endswith("=1")]
        no = [v for k, v in counts.items() if k.startswith(f"{g}, ") and k.endswith("=0")]
        if not yes:
            continue
        count_key, pct_key = f"{prefix}.{g.lower()}_count", f"{prefix}.{g.lower()}_pct"
        if count_key not in published.index or pct_key not in published.index:
            return None
        n = yes[0] + no[0]
        if (published.at[count_key, "relation"] != "=" or float(published.at[count_key, "value"]) != yes[0]
                or n == 0 or not rounds_to(100 * yes[0] / n, str(published.at[pct_key, "printed"]),
                                           str(published.at[pct_key, "relation"]))):
            return None
        shown.append(f"{g} {yes[0]} of {n}")
    return f"every cell follows from printed numbers ({', '.join(shown)})" if shown else None


def group_table(trial: pd.DataFrame, values: pd.Series, name: str) -> dict[str, int]:
    """Counts of the group x `values` (0/1) table over participants with a value."""
    ok = values.notna()
    out = {}
    for g in GROUPS:
        in_group = ok & (trial["group"] == g)
        for level in (1, 0):
            out[f"{g}, {name}={level}"] = int((values[in_group] == level).sum())
    return out


def answered_table(trial: pd.DataFrame, column: str) -> dict[str, int]:
    """Counts of the group x answered/missing table of `column`."""
    out = {}
    for g in GROUPS:
        cells = trial.loc[trial["group"] == g, column]
        out[f"{g}, {column} answered"] = int(cells.notna().sum())
        out[f"{g}, {column} missing"] = int(cells.isna().sum())
    return out


def group_values(trial: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Non-missing values of `column` per group."""
    return {f"{g}, {column}": pd.to_numeric(trial.loc[trial["group"] == g, column], errors="coerce")
            .dropna().to_numpy(dtype=float) for g in GROUPS}


def group_sizes(trial: pd.DataFrame) -> dict[str, int]:
    return {g: int((trial["group"] == g).sum()) for g in GROUPS}


def mixed_model_dof(trial: pd.DataFrame, measure: str) -> int:
    """Residual degrees of freedom of Table 4's model for `measure`: observed visits
    (long format) minus the four fixed effects (intercept, group, time, interaction)."""
    cols = [f"{measure}_{v}" for v in measures.VISITS]
    return int(trial[cols].notna().to_numpy().sum()) - 4


def _t1(trial: pd.DataFrame, var: str, stat: str, group: str | None) -> Evidence:
    spec = {c.key: c for c in baseline.CHARACTERISTICS}.get(var)
    if spec is None:
        raise KeyError(var)
    if spec.kind == "binary":
        return Evidence(tables={f"group x {var}": group_table(trial, baseline.indicator(trial, var), var)},
                        printed={f"group x {var}": f"t1.{var}"})
    column = spec.column
    if stat in ("min", "max"):
        return Evidence(extreme=f"the {stat} of {column}")
    cells = group_values(trial, column)
    if group is not None:
        cells = {k: v for k, v in cells.items() if k.startswith(group.upper())}
    return Evidence(magnitudes={column: cells})


def _values(trial, column, group, stat):
    if stat in ("min", "max"):
        return Evidence(extreme=f"the {stat} of {column}" + (f" in {group.upper()}" if group else ""))
    cells = group_values(trial, column)
    if group is not None:
        cells = {k: v for k, v in cells.items() if k.startswith(group.upper())}
    return Evidence(magnitudes={column: cells})


def _employed(trial, visit):
    col = f"employed_{visit}"
    return Evidence(tables={f"group x {col}": group_table(trial, pd.to_numeric(trial[col]), col)},
                    printed={f"group x {col}": f"t2.{visit}"})


def _ips_employed(trial, visit):
    col = f"employed_{visit}"
    ips = trial.loc[trial["group"] == "IPS", col]
    return Evidence(tables={f"IPS x {col}": {f"IPS, {col}=1": int((ips == 1).sum()),
                                              f"IPS, {col}=0": int((ips == 0).sum())}},
                    printed={f"IPS x {col}": f"t2.{visit}"})


KEY_RULES: list[tuple[re.Pattern, Callable[..., Evidence]]] = [
    (re.compile(r"^(t1|flow)\.(ips|tau)_n$|^flow\.analysed$"),
     lambda t, m: Evidence(tables={"group sizes": group_sizes(t)})),
    (re.compile(r"^t1\.(?P<var>\w+)\.(?:(?P<group>ips|tau)_(?P<stat>count|pct|mean|sd|min|max)|p)$"),
     lambda t, m: _t1(t, m["var"], m["stat"] or "p", m["group"])),
    (re.compile(r"^t2\.(?P<visit>\d+m)\.((ips|tau)_(count|pct)|or|or_lo|or_hi|p|p_fisher|p_yates|p_pearson|min_expected|chi2)$"),
     lambda t, m: _employed(t, m["visit"])),
    (re.compile(r"^rq1\.rate\.(?P<visit>\d+m)\.(ips|tau)\.ci_(low|high)$"),
     lambda t, m: _employed(t, m["visit"])),
    (re.compile(r"^t3\.(?P<measure>\w+?)\.(?P<visit>\d+m)\.(?:(?P<group>ips|tau)_(?P<stat>mean|sd|n|min|max)|p\w*)$"),
     lambda t, m: _values(t, f"{m['measure']}_{m['visit']}", m["group"], m["stat"])),
    (re.compile(r"^t4\.(?P<measure>\w+?)\.(intercept|group|time|interaction)\.(estimate|se|z|p)$"),
     lambda t, m: Evidence(dof={f"mixed model for {m['measure']}": mixed_model_dof(t, m["measure"])})),
    (re.compile(r"^rq2\.20h\.((ips|tau)_(count|pct)|or|or_lo|or_hi|p|p_fisher|p_yates|p_pearson|min_expected)$"),
     lambda t, m: Evidence(tables={"group x worked_20h_week_12m": group_table(
         t, pd.to_numeric(t["worked_20h_week_12m"]), "worked_20h_week_12m")},
         printed={"group x worked_20h_week_12m": "rq2.20h"})),
    (re.compile(r"^rq2\.hours\.(?:(?P<group>ips|tau)_(?P<stat>mean|sd|n|min|max)|p|p_student|p_welch|levene_p)$"),
     lambda t, m: _values(t, "hours_12m", m["group"], m["stat"])),
    (re.compile(r"^attrition\.(?P<visit>\d+m)\.(ips|tau)\.(missing|response_pct)$"),
     lambda t, m: Evidence(tables={f"group x employed_{m['visit']} answered":
                                   answered_table(t, f"employed_{m['visit']}")})),
    (re.compile(r"^flow\.response_rate_(max|min)$"),
     lambda t, m: Evidence(tables={f"group x employed_{v} answered": answered_table(t, f"employed_{v}")
                                   for v in measures.FOLLOW_UPS})),
    (DATA_KEYS, lambda t, m: _employed(t, "12m")),
    (re.compile(r"^evidence\.(?P<visit>\d+m)\."), lambda t, m: _employed(t, m["visit"])),
    (re.compile(r"^hist\.(ips_count|ips_pct|ips_n|n_total|chi2|p|or|or_lo|or_hi|min_expected)$"),
     lambda t, m: _ips_employed(t, "12m")),
]


def from_data(key: str) -> bool:
    """True when the ledger value under `key` is computed (at least in part) from the
    participant data."""
    return bool((key.split(".", 1)[0] in DATA_NAMESPACES and not PUBLIC_KEYS.match(key)) or DATA_KEYS.match(key))


def ledger_evidence(key: str, trial: pd.DataFrame) -> Evidence | None:
    """The cells behind the ledger value under `key`, computed from `trial`; None when
    no rule of :data:`KEY_RULES` matches (its cells are unknown)."""
    for pattern, make in KEY_RULES:
        m = pattern.match(key)
        if m:
            try:
                return make(trial, m)
            except KeyError:
                return None
    return None


# ------------------------------------------------------------------------------ figures
@dataclass(frozen=True)
class FigureRule:
    """What a figure-making function shows: ``source`` is ``data`` (computed from the
    participant table, checked by ``evidence``) or a description of the public material
    it draws (printed numbers, the pilot's and interviews' structured files, the
    committed ensemble)."""

    source: str
    shows: str
    evidence: Callable[[pd.DataFrame, dict], Evidence] | None = None


def _hours_bins(trial: pd.DataFrame, parameters: dict) -> Evidence:
    from ipsrep.analyses.productivity_sensitivity import hours_histogram

    hist = hours_histogram(trial, bin_width=float(parameters.get("bin_width", 200)))
    # by position: a row's `.count` is the tuple method to the type checker (the column shadows it at run time)
    counts = {f"{group}, hours {hours_bin}": int(n)
              for group, hours_bin, n in hist[["group", "bin", "count"]].itertuples(index=False, name=None)}
    return Evidence(tables={"histogram of hours_12m by group": counts},
                    extreme="the top bin's upper edge (the largest hours, to the bin width)")


def _trajectories(trial: pd.DataFrame, parameters: dict) -> Evidence:
    cols = {f"{m.name} {v}": f"{m.name}_{v}" for m in measures.MEASURES for v in measures.VISITS}
    return Evidence(magnitudes={label: group_values(trial, col) for label, col in cols.items()})


def _flow(trial: pd.DataFrame, parameters: dict) -> Evidence:
    from ipsrep.analyses.flow import respondents

    table = respondents(trial)
    out = {}
    for (item, visit), rows in table.groupby(["item", "visit"], sort=False):
        counts = {}
        for group, answered, analysed in rows[["group", "respondents", "analysed"]].itertuples(index=False, name=None):
            counts[f"{group} answered"] = int(answered)
            counts[f"{group} missing"] = int(analysed - answered)
        out[f"respondents to {item} at {visit}"] = counts
    return Evidence(tables=out)


def _employment_tables(trial: pd.DataFrame, parameters: dict) -> Evidence:
    ev = Evidence()
    for v in measures.FOLLOW_UPS:
        one = _employed(trial, v)
        ev.tables.update(one.tables)
        ev.printed.update(one.printed)
    return ev


def _table4_models(trial: pd.DataFrame, parameters: dict) -> Evidence:
    return Evidence(dof={f"mixed model for {m.name}": mixed_model_dof(trial, m.name) for m in measures.MEASURES})


_PRINTED = "numbers printed in the papers (data/published)"
FIGURE_RULES: dict[str, FigureRule] = {
    "flow_figure": FigureRule("data", "participant flow: respondents per group and visit", _flow),
    "employment_rates_figure": FigureRule("data", "employment rate per group and follow-up", _employment_tables),
    "odds_ratio_forest": FigureRule("data", "odds ratios of employment per follow-up", _employment_tables),
    "hours_distribution_figure": FigureRule("data", "histogram of hours worked per group", _hours_bins),
    "trajectories_figure": FigureRule("data", "mean score per group and visit", _trajectories),
    "table4_distance_figure": FigureRule("data", "Table 4 coefficients against the printed ones", _table4_models),
    "interaction_sensitivity_figure": FigureRule(
        "the committed calibration grid of the reconstruction (data/reconstructed)",
        "interaction z by within-person r"),
    "job_types_figure": FigureRule(_PRINTED, "job types"),
    "follow_up_figure": FigureRule("the pilot paper's participants (data/pilot)", "pilot follow-up"),
    "rate_comparison_figure": FigureRule(_PRINTED, "employment rates in the pilot and the trial"),
    "interview_samples_figure": FigureRule("the pilot paper's interview lengths (data/pilot)", "interview samples"),
    "matrix_figure": FigureRule("the interview codebook (data/qualitative)", "themes by interviewee"),
    "counts_figure": FigureRule("the interview codebook (data/qualitative)", "theme counts"),
    "process_figure": FigureRule(_PRINTED, "process measures"),
    "t_test_variants_figure": FigureRule(_PRINTED, "t test variants recomputed from printed summaries"),
    "table4_z_figure": FigureRule(_PRINTED, "Table 4 z recomputed from printed coefficients"),
    "simulated_power_figure": FigureRule("data", "simulated power at the printed and the observed 12-month rates",
                                         lambda t, p: _employed(t, "12m")),
    "power_figure": FigureRule("data", "power curves at the printed and the observed 12-month rates",
                               lambda t, p: _employed(t, "12m")),
    "table4_spread_figure": FigureRule("the committed ensemble of reconstructions (data/ensemble)", "ensemble spread"),
    "p_spread_figure": FigureRule("the committed ensemble of reconstructions (data/ensemble)", "ensemble p spread"),
    "posterior_figure": FigureRule("data", "posterior densities of the odds ratio of employment under three priors",
                                   lambda t, p: _employed(t, p.get("follow_up", "12m"))),
    "tipping_figure": FigureRule("data", "every filling of the missing employment answers, as a heat map",
                                 lambda t, p: _employed(t, p.get("follow_up", "12m"))),
    "table4_p_figure": FigureRule(
        "the committed ensembles of reconstructions (data/ensemble, data/ensemble_unsearched)",
        "Table 4 p-values of both ensembles"),
}
"""Every figure function of :mod:`ipsrep.plots` by name, and what it draws."""

FIGURE_CALL = re.compile(r"\b(" + "|".join(sorted(FIGURE_RULES, key=len, reverse=True)) + r")\(")


def figure_function(source: str) -> str | None:
    """The last figure function called in a code cell's `source` (the one whose figure
    the cell displays), None when the cell calls none of :data:`FIGURE_RULES`."""
    found = FIGURE_CALL.findall(source)
    return found[-1] if found else None
