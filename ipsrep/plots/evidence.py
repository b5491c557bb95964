"""Figures for the page on the strength of the evidence (:mod:`ipsrep.analyses.evidence`).

:func:`posterior_figure` draws the posterior of the odds ratio under the sceptical,
neutral and enthusiastic priors (exact, with the normal approximation dashed and the
prior dotted); :func:`tipping_figure` is the heat map of every completion of the missing
outcomes. Both take aggregates and return a :class:`matplotlib.figure.Figure`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

PRIOR_COLORS = {"sceptical": "#6c757d", "neutral": "#1b6ca8", "enthusiastic": "#e07a1f"}
"""Colour per prior of the re-analysis."""


def posterior_figure(curves: pd.DataFrame, *, planned_or: float, follow_up: str = "12m") -> Figure:
    """Posterior densities of the odds ratio under three priors, on a log axis.

    Parameters
    ----------
    curves : pandas.DataFrame
        :func:`ipsrep.analyses.evidence.posterior_curves` output (``prior, curve,
        odds_ratio, density``).
    planned_or : float
        The planned effect, marked by a vertical line beside the line of no effect.
    follow_up : str
        Named in the title.
    """
    fig = Figure(figsize=(8.0, 4.6))
    ax = fig.subplots()
    styles = {"posterior, exact": ("-", 2.2), "posterior, normal approximation": ("--", 1.3), "prior": (":", 1.5)}
    for prior in ("sceptical", "neutral", "enthusiastic"):
        for curve, (ls, lw) in styles.items():
            c = curves[(curves["prior"] == prior) & (curves["curve"] == curve)]
            if c.empty:
                continue
            label = prior if curve == "posterior, exact" else None
            ax.plot(c["odds_ratio"], c["density"], ls=ls, lw=lw, color=PRIOR_COLORS[prior], label=label)
    ax.set_xscale("log")
    ticks = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(0.1, 60)
    peak = float(curves["density"].max())
    ax.set_ylim(0, 1.3 * peak)
    ax.axvline(1.0, color="black", lw=1)
    ax.axvline(planned_or, color="black", lw=1, ls="-.")
    ax.text(1.0, 1.27 * peak, "no effect ", va="top", ha="right")
    ax.text(planned_or, 1.27 * peak, f" planned OR {planned_or:.2f}", va="top", ha="left")
    ax.set_xlabel("Odds ratio of employment, IPS versus usual care (log scale)")
    ax.set_ylabel("Density per unit log OR")
    ax.set_title(f"Posterior odds ratio at {follow_up}: solid exact, dashed normal approx., dotted prior")
    ax.legend(loc="center right", frameon=False, title="prior")
    fig.tight_layout()
    return fig


def tipping_figure(grid: pd.DataFrame, *, alpha: float, observed_p: float, follow_up: str = "12m") -> Figure:
    """Heat map of the paper's-rule p for every completion of the missing outcomes.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`ipsrep.analyses.evidence.tipping_point` output (``x1, x2, p,
        significant, odds_ratio``).
    alpha : float
        Significance level; cells with p below it are red.
    observed_p : float
        The rule's p of the answers actually given; the title says whether any completion
        changes its verdict (the paper's conclusion, on the paper's counts).
    follow_up : str
        Named in the title.

    Notes
    -----
    Columns: how many of the IPS participants without an answer were employed; rows: the
    same for TAU. Each cell shows the completed table's p and odds ratio; the colour
    bands are p < alpha, alpha to 0.2, 0.2 to 0.5 and above 0.5, so the paper's
    conclusion ("no significant difference") holds in every cell outside the first band.
    """
    m1, m2 = int(grid["x1"].max()), int(grid["x2"].max())
    p = np.full((m2 + 1, m1 + 1), np.nan)
    for _, r in grid.iterrows():
        p[int(r["x2"]), int(r["x1"])] = r["p"]
    width = min(9.0, max(5.0, 1.1 * (m1 + 1) + 3.5))
    height = min(7.0, max(3.6, 0.8 * (m2 + 1) + 2.2))
    fig = Figure(figsize=(width, height))
    ax = fig.subplots()
    bounds = [0.0, alpha, max(alpha, 0.2) + 1e-9, 0.5, 1.0]
    cmap = ListedColormap(["#c0392b", "#f4d03f", "#aed6f1", "#d6eaf8"])
    mesh = ax.pcolormesh(np.arange(m1 + 2) - 0.5, np.arange(m2 + 2) - 0.5, p, cmap=cmap,
                         norm=BoundaryNorm(bounds, cmap.N), edgecolors="white",
                         linewidth=1.5 if (m1 + 1) * (m2 + 1) <= 400 else 0.0)
    if (m1 + 1) * (m2 + 1) <= 64:
        for _, r in grid.iterrows():
            ax.text(r["x1"], r["x2"], f"p {r['p']:.2f}\nOR {r['odds_ratio']:.2f}", ha="center", va="center")
    ax.set_xticks(range(m1 + 1)) if m1 <= 20 else None
    ax.set_yticks(range(m2 + 1)) if m2 <= 20 else None
    ax.set_xlabel(f"Of the {m1} IPS participants without an answer, employed")
    ax.set_ylabel(f"Of the {m2} TAU without an answer, employed")
    sig = int(grid["significant"].sum())
    observed_sig = observed_p < alpha
    changed = int((grid["significant"] != observed_sig).sum())
    verdict = (f"the verdict of the answers given ({'significant' if observed_sig else 'not significant'}) "
               f"holds in every cell" if changed == 0 else f"{changed} change the verdict of the answers given")
    ax.set_title(f"{follow_up}: {sig} of {len(grid)} completions reach p < {alpha:g};\n{verdict}")
    cbar = fig.colorbar(mesh, ax=ax, ticks=bounds)
    cbar.ax.set_yticklabels([f"{b:.2g}" for b in bounds])
    cbar.set_label("p, paper's rule")
    fig.tight_layout()
    return fig
