"""Figures for the pilot study (notebook 04), drawn from :mod:`ipsrep.analyses.pilot`'s tables.

- :func:`follow_up_figure`: each participant's year of job support and follow-up, with
  the cumulative number employed at each registration.
- :func:`rate_comparison_figure`: the pilot's 12-month employment rate with its exact
  interval, beside the trial's arms and the ranges of earlier studies.
- :func:`interview_samples_figure`: where the whole-minute samples that fit the printed
  interview statistics put each ordered interview.

All return a :class:`matplotlib.figure.Figure` built without pyplot.

References
----------
Rødevand L, et al. BMC Musculoskelet Disord 2017;18:550 (the pilot).
"""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ipsrep.analyses.pilot import REGISTRATION_MONTHS, employment_by_month
from ipsrep.plots import GROUP_COLORS

_PHASE_COLORS = {"IPS job support": GROUP_COLORS["IPS"], "clinical follow-up only": "#c9d6df"}


def follow_up_figure(participants: pd.DataFrame, basis: pd.DataFrame) -> Figure:
    """Swimmer plot of each participant's year, with the cumulative employment step.

    Parameters
    ----------
    participants : pandas.DataFrame
        The eight reconstructed participants, :func:`ipsrep.analyses.pilot.load_participants`
        (interview codes, arm lengths and dates, no personal data).
    basis : pandas.DataFrame
        :func:`ipsrep.analyses.pilot.cell_basis`: what each cell rests on.

    Returns
    -------
    matplotlib.figure.Figure
        Left: one lane per participant (interview code), job support from month 0 for
        ``ips_months`` and clinical follow-up to month 12 after it; a cross where the
        drop-out left, a star at the registration that first found a job. Lanes whose
        arm or employment is reconstructed rather than stated carry an asterisk.
        Right: the number employed at each registration
        (:func:`ipsrep.analyses.pilot.employment_by_month`, a step function).
    """
    fig = Figure(figsize=(9.0, 4.2))
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.3, 1]})
    b = basis.set_index(["participant", "column"])["basis"]
    lanes = participants.iloc[::-1].reset_index(drop=True)
    labels = []
    for y, r in lanes.iterrows():
        ax.barh(y, r["ips_months"], left=0, height=0.55, color=_PHASE_COLORS["IPS job support"])
        if r["dropped_out"]:
            ax.plot(r["ips_months"], y, marker="X", ms=10, color="#333333", ls="none")
        else:
            ax.barh(y, 12 - r["ips_months"], left=r["ips_months"], height=0.55,
                    color=_PHASE_COLORS["clinical follow-up only"])
        if pd.notna(r["employed_from_month"]):
            ax.plot(r["employed_from_month"], y, marker="*", ms=16, color=GROUP_COLORS["TAU"], ls="none")
        guessed = any(b[(r["participant"], c)] == "reconstructed" for c in ("follow_up", "employed_from_month"))
        labels.append(f"{r['participant']}{' *' if guessed else ''}")
    for m in REGISTRATION_MONTHS:
        ax.axvline(m, color="#888888", lw=0.8, ls=":")
    ax.set_yticks(range(len(lanes)), labels)
    ax.set_xticks([0, *REGISTRATION_MONTHS])
    ax.set_xlim(0, 12.6)
    ax.set_xlabel("Months since inclusion")
    ax.set_title("Job support and employment per participant")
    handles = [Patch(color=c, label=k) for k, c in _PHASE_COLORS.items()] + [
        Line2D([], [], marker="*", ms=12, color=GROUP_COLORS["TAU"], ls="none", label="job first registered"),
        Line2D([], [], marker="X", ms=8, color="#333333", ls="none", label="dropped out")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False, fontsize=8)
    steps = employment_by_month(participants)
    ax2.step(steps["month"], steps["employed"], where="post", color=GROUP_COLORS["IPS"], lw=2)
    ax2.plot(steps["month"], steps["employed"], "o", color=GROUP_COLORS["IPS"])
    ax2.set_xticks(steps["month"])
    ax2.set_ylim(0, len(participants))
    ax2.set_xlabel("Months since inclusion")
    ax2.set_ylabel(f"Employed (of {len(participants)})")
    ax2.set_title("Employed by registration")
    fig.tight_layout()
    return fig


def rate_comparison_figure(table: pd.DataFrame) -> Figure:
    """Employment rates with exact intervals beside the ranges of earlier studies.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`ipsrep.analyses.pilot.rate_comparison` (``label, kind, count, n, pct,
        ci_low, ci_high, level``; ``pct`` in percent, the interval on the 0-1 scale, drawn
        in percent).

    Returns
    -------
    matplotlib.figure.Figure
        One row per estimate (point with its Clopper-Pearson interval, labelled
        ``count/n``) and per range of earlier studies (a grey bar, labelled with its
        ends).
    """
    fig = Figure(figsize=(8.0, 3.6))
    ax = fig.subplots()
    rows = table.iloc[::-1].reset_index(drop=True)
    for y, r in rows.iterrows():
        low, high = 100 * r["ci_low"], 100 * r["ci_high"]  # the 0-1 interval, drawn in percent
        if r["kind"] == "range":
            ax.barh(y, high - low, left=low, height=0.45, color="#bbbbbb", alpha=0.8)
            ax.annotate(f"{low:.0f}-{high:.0f}%", (high, y), xytext=(5, -3),
                        textcoords="offset points", fontsize=8)
        else:
            color = GROUP_COLORS["TAU"] if "TAU" in r["label"] else GROUP_COLORS["IPS"]
            ax.errorbar(r["pct"], y, xerr=[[r["pct"] - low], [high - r["pct"]]], fmt="o",
                        color=color, capsize=4, lw=1.8)
            ax.annotate(f"{int(r['count'])}/{int(r['n'])}", (high, y), xytext=(5, -3),
                        textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(rows)), rows["label"])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Employed (%)")
    level = table["level"].dropna().iloc[0]
    ax.set_title(f"Employment within 12 months, {100 * level:g}% Clopper-Pearson intervals")
    fig.tight_layout()
    return fig


def interview_samples_figure(summary: pd.DataFrame, n_samples: int) -> Figure:
    """Range of each ordered interview length over every sample that fits the statistics.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ipsrep.analyses.pilot.interview_sample_summary` (``rank, min, median, max``).
    n_samples : int
        Number of fitting samples, for the title.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per rank (1 = shortest interview) from its smallest to its largest
        length over the samples, with the median marked.
    """
    fig = Figure(figsize=(7.0, 3.4))
    ax = fig.subplots()
    ax.vlines(summary["rank"], summary["min"], summary["max"], color=GROUP_COLORS["IPS"], lw=6, alpha=0.5)
    ax.plot(summary["rank"], summary["median"], "o", color=GROUP_COLORS["IPS"], label="median over samples")
    ax.set_xticks(summary["rank"])
    ax.set_xlabel("Interview, ordered from shortest to longest")
    ax.set_ylabel("Length (minutes)")
    ax.set_title(f"Interview lengths in the {n_samples} samples that fit")
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig
