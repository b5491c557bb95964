"""Figures for research question 1 (competitive employment), drawn from aggregates only.

:func:`employment_rates_figure` redraws the trial paper's Figure 2 (employment rate per
group at 6, 12 and 24 months; Sveinsdottir et al. 2022) with the confidence intervals
the paper leaves out; :func:`odds_ratio_forest` sets the odds ratios of Table 2 (and,
optionally, other comparisons) on one log axis. Both return a
:class:`matplotlib.figure.Figure` made without pyplot, shown once as a cell's value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ipsrep.inputs.measures import GROUPS
from ipsrep.plots import GROUP_COLORS

_INTERVAL_NAMES = {"wilson": "Wilson", "wald": "Wald", "clopper_pearson": "Clopper-Pearson",
                   "agresti_coull": "Agresti-Coull", "jeffreys": "Jeffreys"}


def employment_rates_figure(rates: pd.DataFrame) -> Figure:
    """Employment since baseline per group over follow-up, with confidence intervals.

    Parameters
    ----------
    rates : pandas.DataFrame
        Output of :func:`ipsrep.analyses.employment.employment_rates`: ``months, group,
        employed, n, rate, ci_low, ci_high, method, level``.

    Returns
    -------
    matplotlib.figure.Figure
        Percent employed (y) at each follow-up month (x), one line per group, the
        groups nudged sideways so their intervals do not overlap; each point is
        labelled with its count over respondents.
    """
    fig = Figure(figsize=(7.0, 4.2))
    ax = fig.subplots()
    nudge = {"IPS": -0.35, "TAU": 0.35}
    for group in GROUPS:
        g = rates[rates["group"] == group].sort_values("months")
        x = g["months"].to_numpy(dtype=float) + nudge[group]
        y = 100 * g["rate"].to_numpy()
        err = np.vstack([y - 100 * g["ci_low"].to_numpy(), 100 * g["ci_high"].to_numpy() - y])
        ax.errorbar(x, y, yerr=err, marker="o", capsize=4, color=GROUP_COLORS[group], label=group, lw=1.8)
        above = group == GROUPS[0]
        for xi, yi, (_, r) in zip(x, y, g.iterrows(), strict=True):
            ax.annotate(f"{r['employed']}/{r['n']}", (xi, yi), textcoords="offset points",
                        xytext=(-7, 7) if above else (7, -11), ha="right" if above else "left",
                        fontsize=8, color=GROUP_COLORS[group])
    months = sorted(rates["months"].unique())
    ax.set_xticks(months, [f"{m} months" for m in months])
    ax.set_xlim(min(months) - 3, max(months) + 3)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Employed since baseline (%)")
    method = _INTERVAL_NAMES.get(rates["method"].iloc[0], rates["method"].iloc[0])
    level = rates["level"].iloc[0] if "level" in rates else 0.95
    ax.set_title(f"Competitive employment by follow-up, {100 * level:g}% {method} intervals")
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def odds_ratio_forest(table: pd.DataFrame, *, label: str = "follow_up", level: float = 0.95) -> Figure:
    """Forest plot of odds ratios with their confidence intervals, on a log axis.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per comparison with ``odds_ratio, ci_low, ci_high`` and a label
        column (e.g. :func:`ipsrep.analyses.employment.employment_table`).
    label : str, default "follow_up"
        Column naming each row.
    level : float, default 0.95
        Confidence level of the intervals (for the axis label only).

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal interval per row, top to bottom in table order, with the
        estimate and interval written at the right and a line at OR = 1 (no
        difference).
    """
    fig = Figure(figsize=(7.0, 0.7 * len(table) + 1.4))
    ax = fig.subplots()
    y = np.arange(len(table))[::-1]
    ax.hlines(y, table["ci_low"], table["ci_high"], color=GROUP_COLORS["IPS"], lw=2)
    ax.plot(table["odds_ratio"], y, "s", color=GROUP_COLORS["IPS"], ms=8)
    ax.axvline(1.0, color="0.3", lw=1, ls="--")
    ax.set_xscale("log")
    low = min(0.2, float(table["ci_low"].min()) / 1.3)
    high = max(5.0, float(table["ci_high"].max()) * 1.3)
    ax.set_xlim(low, high * 3.2)
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, table[label].astype(str).tolist())
    ax.set_ylim(-0.7, len(table) - 0.3)
    for yi, (_, r) in zip(y, table.iterrows(), strict=True):
        ax.text(high * 1.25, yi, f"{r['odds_ratio']:.2f} ({r['ci_low']:.2f}\u2013{r['ci_high']:.2f})",
                va="center", fontsize=9)
    ax.set_xlabel(f"Odds ratio, IPS vs comparison ({100 * level:g}% CI, log scale)")
    top = ax.get_xaxis_transform()
    ax.text(1 / 1.08, 1.02, "\u2190 favours comparison", transform=top, ha="right", fontsize=8, color="0.35")
    ax.text(1.08, 1.02, "favours IPS \u2192", transform=top, ha="left", fontsize=8, color="0.35")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
