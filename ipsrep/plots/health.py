"""Figures for research question 3 (health and quality of life), drawn from aggregates only.

:func:`trajectories_figure` shows each outcome's group means with confidence intervals at
baseline, 6 and 12 months as small multiples (the paper gives the numbers in Tables 1
and 3 but no figure); :func:`table4_distance_figure` places every reproduced Table 4
coefficient against the printed one in units of the printed standard error; and
:func:`interaction_sensitivity_figure` shows how the group-by-time interactions move with
the reconstruction's within-person correlation. Each returns a
:class:`matplotlib.figure.Figure` made without pyplot.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ipsrep.inputs.measures import GROUPS, MEASURES
from ipsrep.inputs.measures import measure as lookup_measure
from ipsrep.plots import GROUP_COLORS

_TERM_ORDER = ("group", "time", "interaction", "intercept")


def _short_label(name: str) -> str:
    return lookup_measure(name).label


HIGHER_IS_BETTER = frozenset({"eqvas"})
"""Measures on which a higher score is better (on the others a higher score is worse)."""


def trajectories_figure(traj: pd.DataFrame, *, level: float = 0.95) -> Figure:
    """Group means with confidence intervals per visit, one panel per outcome.

    Parameters
    ----------
    traj : pandas.DataFrame
        Output of :func:`ipsrep.analyses.health.trajectories`: ``measure, group, months, n,
        mean, ci_low, ci_high``.
    level : float, default 0.95
        Confidence level of the intervals (for the title only).

    Returns
    -------
    matplotlib.figure.Figure
        A 3 x 3 grid; x is months since baseline, y the instrument's score (its full
        range is noted in each panel's title); IPS and TAU are nudged sideways.
    """
    names = [m.name for m in MEASURES if m.name in set(traj["measure"])]
    ncol = 3
    nrow = int(np.ceil(len(names) / ncol))
    fig = Figure(figsize=(10.0, 3.4 * nrow + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False).ravel())
    nudge = {"IPS": -0.4, "TAU": 0.4}
    for ax, name in zip(axes, names, strict=False):
        part = traj[traj["measure"] == name]
        for group in GROUPS:
            g = part[part["group"] == group].sort_values("months")
            x = g["months"].to_numpy(dtype=float) + nudge[group]
            y = g["mean"].to_numpy(dtype=float)
            err = np.vstack([y - g["ci_low"].to_numpy(), g["ci_high"].to_numpy() - y])
            ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=3, lw=1.5, color=GROUP_COLORS[group], label=group)
        m = lookup_measure(name)
        better = "higher is better" if name in HIGHER_IS_BETTER else "higher is worse"
        ax.set_title(f"{m.label}\n(scale {m.scale}, {better})", fontsize=9)
        ax.set_xticks([0, 6, 12])
        ax.set_xlim(-2, 14)
        ax.tick_params(labelsize=8)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    for ax in axes[(nrow - 1) * ncol:]:
        ax.set_xlabel("Months since baseline", fontsize=8)
    handles, names_ = axes[0].get_legend_handles_labels()
    fig.suptitle(f"Health outcomes by group and visit: means with {100 * level:g}% confidence intervals",
                 fontweight="bold")
    fig.legend(handles, names_, loc="outside lower center", ncol=len(GROUPS), frameon=False)
    return fig


def table4_distance_figure(fit: pd.DataFrame, *, tolerance: float) -> Figure:
    """Reproduced minus target Table 4 estimates, in printed standard errors.

    Parameters
    ----------
    fit : pandas.DataFrame
        The page's one measure of fit (:func:`ipsrep.synthetic.linkage.linkage_report`):
        ``measure, term, distance`` ((estimate - target) / printed SE), ``estimate_ok``
        (|distance| within `tolerance`) and ``source_inconsistent`` (the printed row
        contradicts itself, so its target is the estimate its printed z implies; drawn
        hollow).
    tolerance : float
        The half-width of the shaded band, in printed SEs (the target of the search).

    Returns
    -------
    matplotlib.figure.Figure
        One row per outcome, one marker per term; the shaded band is +/- `tolerance` printed SE.
    """
    names = [m.name for m in MEASURES if m.name in set(fit["measure"])]
    fig = Figure(figsize=(7.5, 0.45 * len(names) + 1.6))
    ax = fig.subplots()
    ax.axvspan(-tolerance, tolerance, color="0.9", zorder=0)
    ax.axvline(0, color="0.5", lw=0.8)
    markers = dict(zip(_TERM_ORDER, ("o", "s", "D", "^"), strict=True))
    offsets = dict(zip(_TERM_ORDER, (-0.24, -0.08, 0.08, 0.24), strict=True))
    colors = dict(zip(_TERM_ORDER, ("C0", "C1", "C2", "C3"), strict=True))
    for term in _TERM_ORDER:
        part = fit[fit["term"] == term].set_index("measure").reindex(names)
        y = np.arange(len(names)) + offsets[term]
        hollow = part["source_inconsistent"].fillna(False).astype(bool).to_numpy()
        ax.scatter(part["distance"][~hollow], y[~hollow], marker=markers[term], s=30, color=colors[term],
                   label=term, zorder=3)
        if hollow.any():
            ax.scatter(part["distance"][hollow], y[hollow], marker=markers[term], s=30, facecolors="none",
                       edgecolors=colors[term], zorder=3,
                       label=f"{term} (printed row inconsistent)")
    ax.set_yticks(np.arange(len(names)), [_short_label(n) for n in names], fontsize=10)
    ax.invert_yaxis()
    reach = max(2 * tolerance, float(np.nanmax(np.abs(fit["distance"].to_numpy(dtype=float)))) + 0.1)
    ax.set_xlim(-reach, reach)  # the band shows as a band, with room on either side
    ax.set_xlabel("(reproduced - target) / printed SE")
    n_in = int(fit["estimate_ok"].sum())
    ax.set_title(f"The paper's Table 4: {n_in} of {len(fit)} estimates within {tolerance:g} printed SE of their target")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


def interaction_sensitivity_figure(calibration: pd.DataFrame, chosen: pd.DataFrame | None = None) -> Figure:
    """Group-by-time interaction estimate against the within-person correlation.

    Parameters
    ----------
    calibration : pandas.DataFrame
        Output of :func:`ipsrep.analyses.mixed.calibrate_within_person_r` (rows with
        ``term == "interaction"`` are used): ``r, measure, estimate, se, printed,
        printed_se``.
    chosen : pandas.DataFrame, optional
        Output of :func:`ipsrep.analyses.mixed.choose_within_person_r`; the chosen r is marked.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome: the reproduced interaction with +/- 1 SE (line and band)
        across r; the printed estimate as a dashed line with its +/- 1 printed SE band.
    """
    inter = calibration[calibration["term"] == "interaction"]
    names = [m.name for m in MEASURES if m.name in set(inter["measure"])]
    ncol = 3
    nrow = int(np.ceil(len(names) / ncol))
    fig = Figure(figsize=(10.0, 2.7 * nrow))
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False).ravel())
    best = {} if chosen is None else dict(zip(chosen["measure"], chosen["r"], strict=True))
    for ax, name in zip(axes, names, strict=False):
        part = inter[inter["measure"] == name].sort_values("r")
        r = part["r"].to_numpy()
        est, se = part["estimate"].to_numpy(), part["se"].to_numpy()
        printed, printed_se = part["printed"].iloc[0], part["printed_se"].iloc[0]
        ax.axhspan(printed - printed_se, printed + printed_se, color="0.88", zorder=0)
        ax.axhline(printed, color="0.3", ls="--", lw=1)
        ax.axhline(0, color="0.6", lw=0.6)
        ax.fill_between(r, est - se, est + se, color=GROUP_COLORS["IPS"], alpha=0.2)
        ax.plot(r, est, marker="o", ms=3, color=GROUP_COLORS["IPS"])
        if name in best:
            ax.axvline(best[name], color=GROUP_COLORS["TAU"], lw=1)
        ax.set_title(_short_label(name), fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    for ax in axes[(nrow - 1) * ncol:]:
        ax.set_xlabel("within-person correlation r", fontsize=8)
    fig.suptitle("Interaction group x time across within-person correlations (dashed: printed, grey: +/- 1 printed SE)",
                 fontweight="bold", fontsize=10)
    fig.tight_layout()
    return fig
