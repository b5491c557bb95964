"""Figures for research question 2 (job productivity), drawn from aggregates only.

:func:`hours_distribution_figure` shows how hours worked during 12 months are spread
in each group (most participants worked none); :func:`job_types_figure` shows the
sectors of the jobs IPS participants took, as printed in Sveinsdottir et al. (2022),
Results. Both return a :class:`matplotlib.figure.Figure` made without pyplot.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ipsrep.inputs.measures import GROUPS
from ipsrep.plots import GROUP_COLORS


def hours_distribution_figure(histogram: pd.DataFrame, summary: pd.DataFrame | None = None) -> Figure:
    """Share of each group per band of hours worked, zero hours as its own band.

    Parameters
    ----------
    histogram : pandas.DataFrame
        Output of :func:`ipsrep.analyses.productivity_sensitivity.hours_histogram` (``group, bin, count,
        n, share``), bins in order, the zero bin first.
    summary : pandas.DataFrame, optional
        Output of :func:`ipsrep.analyses.productivity.hours_summary`; when given, each group's
        mean and median are written in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        Side-by-side bars (percent of the group's respondents) per band, with the
        count above each non-empty bar.
    """
    bins = list(dict.fromkeys(histogram["bin"]))
    fig = Figure(figsize=(8.0, 4.2))
    ax = fig.subplots()
    x = np.arange(len(bins))
    width = 0.4
    for i, group in enumerate(GROUPS):
        g = histogram[histogram["group"] == group].set_index("bin").reindex(bins)
        label = f"{group} (n = {int(g['n'].iloc[0])})"
        if summary is not None:
            s = summary.set_index("group").loc[group]
            label += f": mean {s['mean']:.0f} h, median {s['median']:.0f} h"
        pos = x + (i - 0.5) * width
        ax.bar(pos, 100 * g["share"], width=width, color=GROUP_COLORS[group], label=label)
        for xi, share, count in zip(pos, g["share"], g["count"], strict=True):
            if count:
                ax.text(xi, 100 * share + 1, str(int(count)), ha="center", fontsize=8)
    ax.set_xticks(x, bins, rotation=45, ha="right")
    ax.set_xlabel("Hours worked during the 12-month follow-up")
    ax.set_ylabel("Share of group (%)")
    ax.set_ylim(0, min(100.0, 100 * float(histogram["share"].max()) + 12))
    ax.set_title("Hours worked during follow-up, by group")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def job_types_figure(jobs: pd.DataFrame, implied: pd.DataFrame | None = None) -> Figure:
    """Sectors of the jobs IPS participants attained, as printed percentages.

    Parameters
    ----------
    jobs : pandas.DataFrame
        Output of :func:`ipsrep.analyses.productivity.job_types` (``category, label, pct``).
    implied : pandas.DataFrame, optional
        Rows of :func:`ipsrep.analyses.productivity.implied_job_totals` for one total
        (``category, jobs, n_jobs``); when given, each bar is labelled with the
        implied number of jobs.

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars, named sectors first, the unnamed remainder last in grey;
        with `implied`, each bar also reads "(k of n jobs)".
    """
    fig = Figure(figsize=(7.0, 3.4))
    ax = fig.subplots()
    y = np.arange(len(jobs))[::-1]
    colors = [GROUP_COLORS["IPS"] if c != "other" else "0.65" for c in jobs["category"]]
    ax.barh(y, jobs["pct"], color=colors)
    counts = {}
    if implied is not None:
        counts = implied.set_index("category")["jobs"].to_dict()
        n_jobs = int(implied["n_jobs"].iloc[0])
        counts["other"] = n_jobs - sum(counts.values())
    for yi, (_, r) in zip(y, jobs.iterrows(), strict=True):
        text = f"{r['pct']:.0f}%"
        if r["category"] in counts:
            text += f"  ({counts[r['category']]} of {n_jobs} jobs)"
        ax.text(r["pct"] + 0.8, yi, text, va="center", fontsize=9)
    ax.set_yticks(y, jobs["label"].tolist())
    ax.set_xlim(0, max(50.0, float(jobs["pct"].max()) * 1.75))
    ax.set_xlabel("Share of jobs in the IPS group (%, as printed)")
    ax.set_title("Types of jobs attained with IPS")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
