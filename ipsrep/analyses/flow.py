"""Participant flow: who was randomised, who was analysed, who answered at each follow-up.

The participant-level data hold only the analysed participants (the trial's final
sample), so the first two steps of the flow -- how many were randomised and how many
withdrew before analysis -- cannot be counted from them. They are passed in (in the
report: the numbers printed in the Results, "Participant Flow and Characteristics", of
Sveinsdottir et al. 2022) and checked for consistency with the analysed count. Every
later step is counted from the data: the size of each group, and for each follow-up the
number of participants with an answer (a non-missing cell) to the employment items, the
hours worked and each health questionnaire.

Response rates are valid-response shares of the analysed group, in per cent, the
denominator the paper uses when it says how complete its primary outcome was
(Discussion, "Methodological Considerations").
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ipsrep.inputs.measures import FOLLOW_UPS, GROUPS, MEASURES, VISITS

EMPLOYMENT_COLUMNS: dict[str, str] = {visit: f"employed_{visit}" for visit in FOLLOW_UPS}
"""Primary outcome column at each follow-up (any competitive job since baseline)."""

VISIT_ORDER: tuple[str, ...] = ("0m", "6m", "12m", "24m")


@dataclass(frozen=True)
class FlowItem:
    """One data item whose respondents are counted: a contract column at a visit."""

    item: str
    domain: str
    label: str
    visit: str
    column: str


def flow_items() -> list[FlowItem]:
    """The items counted in the flow, in report order.

    Employment (primary outcome) at 6, 12 and 24 months; hours worked and the
    >= 20 hours in a week indicator over the first 12 months; each health measure
    (``ipsrep.inputs.measures.MEASURES``) at baseline, 6 and 12 months.
    """
    items = [
        FlowItem("employment", "employment", "Employment since baseline", visit, column)
        for visit, column in EMPLOYMENT_COLUMNS.items()
    ]
    items.append(FlowItem("hours", "hours", "Hours worked in 12 months", "12m", "hours_12m"))
    items.append(
        FlowItem("worked_20h_week", "hours", "Worked ≥ 20 hours in a week", "12m", "worked_20h_week_12m")
    )
    for visit in VISITS:
        for m in MEASURES:
            items.append(FlowItem(m.name, "questionnaires", m.label, visit, m.column(visit)))
    return items


def require_columns(trial: pd.DataFrame, columns: list[str]) -> None:
    """Raise ``ValueError`` naming every column of `columns` that `trial` lacks.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table (the data contract, ``data/README.md``).
    columns : list of str
        Contract columns the caller reads.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"group": ["IPS"]}), ["group", "age"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: participant table lacks column(s) age; the data contract ...
    """
    missing = [c for c in columns if c not in trial.columns]
    if missing:
        raise ValueError(
            f"participant table lacks column(s) {', '.join(missing)}; the data contract "
            "(data/README.md) lists the columns a trial file must have"
        )


def group_sizes(trial: pd.DataFrame) -> pd.DataFrame:
    """Number of analysed participants per randomised group.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table (one row per participant, column ``group``).

    Returns
    -------
    DataFrame
        One row per group in ``GROUPS`` order (a group absent from the data counts 0):
        ``group``, ``n``.
    """
    require_columns(trial, ["group"])
    counts = trial["group"].value_counts()
    return pd.DataFrame({"group": list(GROUPS), "n": [int(counts.get(g, 0)) for g in GROUPS]})


def respondents(trial: pd.DataFrame) -> pd.DataFrame:
    """Respondents per group for every item of :func:`flow_items`.

    A respondent is an analysed participant whose cell for the item is not missing.

    Returns
    -------
    DataFrame
        One row per item, visit and group: ``item``, ``domain``, ``label``, ``visit``,
        ``column``, ``group``, ``analysed`` (group size), ``respondents``,
        ``response_pct`` (100 * respondents / analysed; NaN for an empty group).
    """
    items = flow_items()
    require_columns(trial, ["group"] + [it.column for it in items])
    sizes = group_sizes(trial).set_index("group")["n"]
    rows = []
    for it in items:
        answered = trial[it.column].notna().groupby(trial["group"]).sum()
        for g in GROUPS:
            n = int(sizes[g])
            k = int(answered.get(g, 0))
            rows.append(
                {
                    "item": it.item,
                    "domain": it.domain,
                    "label": it.label,
                    "visit": it.visit,
                    "column": it.column,
                    "group": g,
                    "analysed": n,
                    "respondents": k,
                    "response_pct": 100.0 * k / n if n else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def follow_up_summary(trial: pd.DataFrame) -> pd.DataFrame:
    """Respondents per group, visit and domain, as a CONSORT box reports them.

    Within a domain (employment, hours, questionnaires) the items can have different
    respondent counts (e.g. one questionnaire skipped); the summary gives the smallest
    and the largest count.

    Returns
    -------
    DataFrame
        One row per group, visit and domain, visits in time order: ``group``, ``visit``,
        ``domain``, ``analysed``, ``n_min``, ``n_max``, ``pct_min``, ``pct_max``.
    """
    table = respondents(trial)
    summary = (
        table.groupby(["group", "visit", "domain"], sort=False)
        .agg(
            analysed=("analysed", "first"),
            n_min=("respondents", "min"),
            n_max=("respondents", "max"),
            pct_min=("response_pct", "min"),
            pct_max=("response_pct", "max"),
        )
        .reset_index()
    )
    summary["visit_rank"] = summary["visit"].map(VISIT_ORDER.index)
    summary["group_rank"] = summary["group"].map(GROUPS.index)
    return (
        summary.sort_values(["group_rank", "visit_rank"], kind="stable")
        .drop(columns=["visit_rank", "group_rank"])
        .reset_index(drop=True)
    )


def primary_response_rates(trial: pd.DataFrame) -> pd.DataFrame:
    """Response to the primary outcome (employment) at each follow-up, per group and pooled.

    Returns
    -------
    DataFrame
        One row per follow-up and group (``IPS``, ``TAU``, then ``both``): ``visit``,
        ``group``, ``analysed``, ``respondents``, ``response_pct``.
    """
    table = respondents(trial)
    emp = table[table["item"] == "employment"][["visit", "group", "analysed", "respondents"]]
    pooled = emp.groupby("visit", sort=False)[["analysed", "respondents"]].sum().reset_index()
    pooled["group"] = "both"
    out = pd.concat([emp, pooled], ignore_index=True)
    out["response_pct"] = 100.0 * out["respondents"] / out["analysed"].where(out["analysed"] > 0)
    out["visit_rank"] = out["visit"].map(VISIT_ORDER.index)
    out["group_rank"] = out["group"].map({g: i for i, g in enumerate((*GROUPS, "both"))})
    return (
        out.sort_values(["visit_rank", "group_rank"], kind="stable")
        .drop(columns=["visit_rank", "group_rank"])
        .reset_index(drop=True)[["visit", "group", "analysed", "respondents", "response_pct"]]
    )


def primary_response_range(trial: pd.DataFrame) -> tuple[float, float]:
    """Lowest and highest response rate (%) to the primary outcome over groups and follow-ups.

    The paper's "85% to 97%" (Discussion, Methodological Considerations) is matched by
    the group-wise rates (each group at each of 6, 12, 24 months), not by pooled ones;
    this function therefore takes the range over the six group-by-follow-up rates.
    """
    rates = primary_response_rates(trial)
    by_group = rates.loc[rates["group"] != "both", "response_pct"].dropna()
    return float(by_group.min()), float(by_group.max())


@dataclass(frozen=True)
class ParticipantFlow:
    """Counts of the flow diagram's trunk.

    ``randomised`` and ``withdrew`` are None when not known (they are not in the data).
    """

    randomised: int | None
    withdrew: int | None
    analysed: int
    by_group: dict[str, int]

    @property
    def consistent(self) -> bool | None:
        """Whether randomised - withdrew equals the analysed count (None when unknown)."""
        if self.randomised is None or self.withdrew is None:
            return None
        return self.randomised - self.withdrew == self.analysed

    def describe(self) -> str:
        """One sentence: the trunk's counts and whether they add up.

        >>> ParticipantFlow(67, 9, 58, {"IPS": 38, "TAU": 20}).describe()
        'Randomised 67, withdrew 9, analysed 58 (IPS 38, TAU 20): the counts add up.'
        >>> ParticipantFlow(None, None, 6, {"IPS": 4, "TAU": 2}).describe()
        'Analysed 6 (IPS 4, TAU 2); how many were randomised and withdrew is not known from the data.'
        """
        groups = ", ".join(f"{g} {n}" for g, n in self.by_group.items())
        if self.consistent is None:
            return (f"Analysed {self.analysed} ({groups}); how many were randomised and withdrew "
                    "is not known from the data.")
        verdict = "the counts add up" if self.consistent else "the counts do NOT add up"
        return (
            f"Randomised {self.randomised}, withdrew {self.withdrew}, analysed {self.analysed} ({groups}): {verdict}."
        )


def participant_flow(
    trial: pd.DataFrame, *, randomised: int | None = None, withdrew: int | None = None
) -> ParticipantFlow:
    """The trunk of the flow: randomised and withdrawn (given) and analysed (counted).

    Parameters
    ----------
    trial : DataFrame
        Participant-level table of the analysed participants.
    randomised, withdrew : int or None
        Participants randomised and those who withdrew afterwards; the data cannot
        tell these, so they come from the trial report (or stay None).
    """
    sizes = group_sizes(trial).set_index("group")["n"]
    return ParticipantFlow(
        randomised=None if randomised is None else int(randomised),
        withdrew=None if withdrew is None else int(withdrew),
        analysed=int(sizes.sum()),
        by_group={g: int(sizes[g]) for g in GROUPS},
    )


def flow_ledger_values(trial: pd.DataFrame) -> dict[str, float]:
    """Flow numbers computed from the data, under the report's ledger keys.

    ``flow.analysed``, ``flow.ips_n``, ``flow.tau_n`` (analysed participants) and
    ``flow.response_rate_min`` / ``flow.response_rate_max`` (see
    :func:`primary_response_range`).
    """
    flow = participant_flow(trial)
    low, high = primary_response_range(trial)
    return {
        "flow.analysed": flow.analysed,
        "flow.ips_n": flow.by_group["IPS"],
        "flow.tau_n": flow.by_group["TAU"],
        "flow.response_rate_min": low,
        "flow.response_rate_max": high,
    }
