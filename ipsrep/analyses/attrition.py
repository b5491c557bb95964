"""Attrition: who is missing, per randomised arm and visit, and what an analysis assumes
about them.

The trial paper says its analyses follow intention to treat by randomised group, yet 9
of 67 randomised participants withdrew after randomisation and are in no analysis, and
the text does not say from which arm (Sveinsdottir et al. 2022, Results, Participant
Flow; Statistical Analyses). Among the 58 analysed, the employment question was
answered by 85-97% of a group at each follow-up (Discussion, Methodological
Considerations) and the health questionnaires by fewer. This module describes the
missing answers of the data in use:

- :func:`withdrawal_splits`: the arms the withdrawals could have come from, and the
  allocation each split implies (printed counts only);
- :func:`missing_by_visit`: per arm and visit, analysed, answered, missing and the
  response rate, for the employment item, hours and the health questionnaires;
- :func:`missing_patterns`: per arm, which of the three employment follow-ups each
  participant answered;
- :func:`answered_vs_missing`: baseline characteristics of those who answered a
  follow-up against those who did not, per arm.

On the bundled synthetic reconstruction the missing cells were placed at random (only
their number per arm and visit is fixed by the paper; ``data/reconstructed/README.md``),
so the last two describe that assumption, not the trial's non-responders.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ipsrep.analyses.flow import follow_up_summary
from ipsrep.inputs.measures import FOLLOW_UPS, GROUPS

__all__ = ["BASELINE_TRAITS", "withdrawal_splits", "withdrawal_table", "missing_by_visit", "missing_patterns",
           "answered_vs_missing", "attrition_ledger_values"]

BASELINE_TRAITS: dict[str, str] = {
    "age": "age (years), mean",
    "female": "female, %",
    "higher_education": "higher education, %",
    "out_of_work_over_2y": "out of work > 2 years, %",
    "odi_0m": "ODI at baseline, mean",
    "hscl_0m": "HSCL-25 at baseline, mean",
}
"""Baseline columns of the data contract compared between respondents and non-respondents
(0/1 columns as percentages, the rest as means)."""


def withdrawal_splits(randomised: int, withdrew: int, ips_n: int, tau_n: int) -> pd.DataFrame:
    """Every way the withdrawals could split between the arms, with the allocation implied.

    Parameters
    ----------
    randomised, withdrew : int
        Participants randomised and withdrawn after randomisation (the paper: 67, 9).
    ips_n, tau_n : int
        Participants analysed per arm (the paper: 38, 20).

    Returns
    -------
    pandas.DataFrame
        One row per split: ``withdrew_ips, withdrew_tau``, ``randomised_ips,
        randomised_tau`` and ``ips_share`` (% of the randomised allocated to IPS: 50 under
        1:1 throughout, 66.7 under 2:1 throughout).

    Raises
    ------
    ValueError
        When the analysed and withdrawn do not add up to the randomised.

    Examples
    --------
    >>> withdrawal_splits(10, 2, 5, 3)[["randomised_ips", "randomised_tau"]].values.tolist()
    [[5, 5], [6, 4], [7, 3]]
    """
    if ips_n + tau_n + withdrew != randomised:
        raise ValueError(f"flow: {ips_n} + {tau_n} analysed and {withdrew} withdrawn do not make "
                         f"{randomised} randomised")
    w_ips = np.arange(withdrew + 1)
    table = pd.DataFrame({"withdrew_ips": w_ips, "withdrew_tau": withdrew - w_ips})
    table["randomised_ips"] = ips_n + table["withdrew_ips"]
    table["randomised_tau"] = tau_n + table["withdrew_tau"]
    table["ips_share"] = 100.0 * table["randomised_ips"] / randomised
    return table


def withdrawal_table(trunk) -> pd.DataFrame:
    """:func:`withdrawal_splits` for a flow trunk (:class:`ipsrep.analyses.flow.ParticipantFlow`);
    an empty table (same columns) when the randomised or withdrawn count is not known.

    >>> from ipsrep.analyses.flow import ParticipantFlow
    >>> len(withdrawal_table(ParticipantFlow(None, None, 6, {"IPS": 4, "TAU": 2})))
    0
    """
    if trunk.randomised is None or trunk.withdrew is None:
        return withdrawal_splits(0, 0, 0, 0).iloc[0:0]
    return withdrawal_splits(trunk.randomised, trunk.withdrew, trunk.by_group["IPS"], trunk.by_group["TAU"])


def missing_by_visit(trial: pd.DataFrame) -> pd.DataFrame:
    """Analysed, answered and missing per arm, visit and item, with the response rate.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract.

    Returns
    -------
    pandas.DataFrame
        One row per arm, visit (6, 12, 24 months) and domain (``employment``, ``hours``,
        ``questionnaires``): ``group, visit, domain, analysed``, ``answered`` (for the
        questionnaires the fewest over the nine health scores, as ``min-max`` in
        ``answered_range``), ``missing`` (analysed minus the fewest answered) and
        ``response_pct`` (fewest answered over analysed, %).
    """
    summary = follow_up_summary(trial)
    summary = summary[summary["visit"] != "0m"].copy()
    summary["answered"] = summary["n_min"]
    summary["answered_range"] = [
        f"{a}" if a == b else f"{a}-{b}" for a, b in zip(summary["n_min"], summary["n_max"], strict=True)
    ]
    summary["missing"] = summary["analysed"] - summary["n_min"]
    summary["response_pct"] = summary["pct_min"]
    order = {v: i for i, v in enumerate(FOLLOW_UPS)}
    summary = summary.sort_values(["visit", "group"], key=lambda s: s.map(order) if s.name == "visit" else s)
    return summary[["group", "visit", "domain", "analysed", "answered", "answered_range", "missing",
                    "response_pct"]].reset_index(drop=True)


def missing_patterns(trial: pd.DataFrame) -> pd.DataFrame:
    """Which employment follow-ups each participant answered, counted per arm.

    Returns
    -------
    pandas.DataFrame
        One row per pattern present in the data: ``pattern`` (e.g. ``6m, 12m, 24m`` or
        ``12m, 24m``; ``none`` for no answer), then one column of counts per arm.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["IPS", "IPS", "TAU"], "employed_6m": [1, None, 0],
    ...                   "employed_12m": [1, 1, 0], "employed_24m": [1, 1, None]})
    >>> int(missing_patterns(t).set_index("pattern").loc["12m, 24m", "IPS"])
    1
    """
    answered = pd.DataFrame({f: trial[f"employed_{f}"].notna() for f in FOLLOW_UPS})
    pattern = answered.apply(lambda r: ", ".join(f for f in FOLLOW_UPS if r[f]) or "none", axis=1)
    counts = pd.crosstab(pattern, trial["group"]).reindex(columns=list(GROUPS), fill_value=0)
    counts = counts.sort_values(list(GROUPS), ascending=False)
    counts.index.name, counts.columns.name = "pattern", None
    return counts.reset_index()


def answered_vs_missing(trial: pd.DataFrame, column: str) -> pd.DataFrame:
    """Baseline characteristics of those who answered `column` against those who did not.

    Parameters
    ----------
    trial : pandas.DataFrame
        Participant table of the data contract.
    column : str
        A follow-up column (e.g. ``employed_12m`` or ``odi_12m``).

    Returns
    -------
    pandas.DataFrame
        One row per arm and trait of :data:`BASELINE_TRAITS` present in `trial`:
        ``group, trait``, ``answered_n, answered`` (mean or %) and ``missing_n,
        missing`` (NaN when nobody is missing). Descriptive only: with a handful
        missing per arm no test is meaningful.
    """
    if column not in trial.columns:
        raise ValueError(f"trial data: column '{column}' is missing; the data contract (data/README.md) requires it")
    rows = []
    for group in GROUPS:
        arm = trial[trial["group"] == group]
        seen = arm[column].notna()
        for trait, label in BASELINE_TRAITS.items():
            if trait not in arm.columns:
                continue
            values = pd.to_numeric(arm[trait], errors="coerce").astype(float)
            scale = 100.0 if label.endswith("%") else 1.0
            rows.append({"group": group, "trait": label,
                         "answered_n": int(seen.sum()), "answered": scale * values[seen].mean(),
                         "missing_n": int((~seen).sum()),
                         "missing": scale * values[~seen].mean() if (~seen).any() else np.nan})
    return pd.DataFrame(rows)


def attrition_ledger_values(trial: pd.DataFrame) -> tuple[dict[str, float], dict[str, str]]:
    """Our own ledger quantities for attrition (none is printed per arm and visit).

    Returns
    -------
    tuple of dict
        Values and quantity descriptions keyed ``attrition.<visit>.<arm>.missing`` and
        ``attrition.<visit>.<arm>.response_pct`` for the employment item at 6, 12 and
        24 months (arm ``ips`` or ``tau``).
    """
    table = missing_by_visit(trial)
    table = table[table["domain"] == "employment"]
    values, quantities = {}, {}
    for _, r in table.iterrows():
        stem = f"attrition.{r['visit']}.{r['group'].lower()}."
        values[stem + "missing"] = r["missing"]
        values[stem + "response_pct"] = r["response_pct"]
        quantities[stem + "missing"] = f"{r['group']} participants without an employment answer at {r['visit']}"
        quantities[stem + "response_pct"] = f"{r['group']} response to the employment question at {r['visit']} (%)"
    return values, quantities
