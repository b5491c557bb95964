"""A CONSORT-style participant flow diagram, drawn from aggregates only.

The trunk (randomised, withdrew, analysed) follows the Results of Sveinsdottir et al.
(2022), "Participant Flow and Characteristics", and its Figure 1; below each group's box
one box per visit gives the respondents to the employment items, the hours worked and
the health questionnaires, with response rates, as counted by
:func:`ipsrep.analyses.flow.follow_up_summary`. The figure is a
:class:`matplotlib.figure.Figure` made without pyplot, so a notebook shows it once,
as the value of its cell.
"""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ipsrep.analyses.flow import ParticipantFlow
from ipsrep.inputs.measures import GROUPS
from ipsrep.plots import GROUP_COLORS

VISIT_LABELS = {"0m": "Baseline", "6m": "6 months", "12m": "12 months", "24m": "24 months"}
DOMAIN_LABELS = {"employment": "Employment", "hours": "Hours worked", "questionnaires": "Questionnaires"}
GROUP_TITLES = {"IPS": "IPS + usual pain treatment", "TAU": "Usual pain treatment (TAU)"}


def _span(low: float, high: float, fmt: str) -> str:
    return fmt.format(low) if round(low) == round(high) else f"{fmt.format(low)}\u2013{fmt.format(high)}"


def visit_box_text(summary: pd.DataFrame, group: str, visit: str) -> str:
    """The text of one follow-up box: visit, then one line per domain with respondents.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`ipsrep.analyses.flow.follow_up_summary` (aggregates per group, visit and
        domain).
    group, visit : str
        Which box, e.g. ``"IPS"``, ``"6m"``.

    Returns
    -------
    str
        E.g. ``"6 months\\nEmployment: 34 (89%)\\nQuestionnaires: 28\u201329 (74\u201376%)"``;
        a domain whose items differ in respondents shows the range.

    Examples
    --------
    >>> s = pd.DataFrame({"group": ["IPS"], "visit": ["6m"], "domain": ["employment"],
    ...                   "n_min": [34], "n_max": [34], "pct_min": [89.47], "pct_max": [89.47]})
    >>> visit_box_text(s, "IPS", "6m")
    '6 months\\nEmployment: 34 (89%)'
    """
    rows = summary[(summary["group"] == group) & (summary["visit"] == visit)]
    lines = [VISIT_LABELS.get(visit, visit)]
    for _, r in rows.iterrows():
        count = _span(r["n_min"], r["n_max"], "{:.0f}")
        if pd.isna(r["pct_min"]):
            lines.append(f"{DOMAIN_LABELS.get(r['domain'], r['domain'])}: {count}")
            continue
        pct = _span(r["pct_min"], r["pct_max"], "{:.0f}")
        lines.append(f"{DOMAIN_LABELS.get(r['domain'], r['domain'])}: {count} ({pct}%)")
    return "\n".join(lines)


def _box(ax, x: float, y: float, w: float, h: float, text: str, *, edge: str = "#333333",
         weight: str = "normal", size: float = 9.0) -> None:
    ax.add_patch(
        FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.4,rounding_size=1.2",
                       linewidth=1.2, edgecolor=edge, facecolor="white")
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=size, fontweight=weight, linespacing=1.35)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 1.1, "shrinkA": 0, "shrinkB": 0})


def _count(n: int | None) -> str:
    return "n not in the data" if n is None else f"n = {n}"


def flow_figure(flow: ParticipantFlow, summary: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Draw the participant flow: trunk, the two groups, and respondents per visit.

    Parameters
    ----------
    flow : ParticipantFlow
        Trunk counts (:func:`ipsrep.analyses.flow.participant_flow`); ``randomised`` and
        ``withdrew`` may be None (then the boxes say they are not in the data).
    summary : DataFrame
        Respondents per group, visit and domain (:func:`ipsrep.analyses.flow.follow_up_summary`).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    visits = [v for v in VISIT_LABELS if v in set(summary["visit"])]
    y_rand, y_analysed, y_group = 95.0, 77.0, 61.0
    gap, line = 5.0, 2.3
    texts = {g: [visit_box_text(summary, g, v) for v in visits] for g in GROUPS}
    heights = [line * max(texts[g][i].count("\n") + 1 for g in GROUPS) + 0.6 for i in range(len(visits))]
    tops = []
    top = y_group - 3.6 - gap
    for h in heights:
        tops.append(top)
        top -= h + 1.8 + gap
    bottom = top + gap - 2.0

    fig = Figure(figsize=(8.5, 0.095 * (100.0 - bottom)))
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.95 if title else 1.0))
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom, 100.0)
    ax.axis("off")

    _box(ax, 50, y_rand, 34, 4.5, f"Included and randomised\n{_count(flow.randomised)}")
    _box(ax, 84, (y_rand + y_analysed) / 2, 26, 4.5, f"Withdrew after randomisation\n{_count(flow.withdrew)}")
    _box(ax, 50, y_analysed, 34, 4.5, f"Final sample analysed\nn = {flow.analysed}", weight="bold")
    _arrow(ax, (50, y_rand - 3.6), (50, y_analysed + 3.6))
    _arrow(ax, (50, (y_rand + y_analysed) / 2), (84 - 13 - 0.9, (y_rand + y_analysed) / 2))

    xs = {"IPS": 27.0, "TAU": 73.0}
    y_split = (y_analysed + y_group) / 2
    ax.plot([50, 50], [y_analysed - 3.6, y_split], color="#333333", linewidth=1.1)
    ax.plot([xs["IPS"], xs["TAU"]], [y_split, y_split], color="#333333", linewidth=1.1)
    for g in GROUPS:
        x, edge = xs[g], GROUP_COLORS.get(g, "#333333")
        _arrow(ax, (x, y_split), (x, y_group + 3.6))
        _box(ax, x, y_group, 40, 4.5, f"{GROUP_TITLES.get(g, g)}\nn = {flow.by_group[g]}", edge=edge, weight="bold")
        previous = y_group - 3.6
        for text, top, h in zip(texts[g], tops, heights, strict=False):
            _arrow(ax, (x, previous), (x, top))
            _box(ax, x, top - 0.9 - h / 2, 40, h, text, edge=edge, size=8.5)
            previous = top - h - 1.8
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig
