"""Figures for the interview themes and the trial's process measures (notebook 05).

- :func:`matrix_figure`: who expressed what, code by participant, with unknown cells
  left unknown.
- :func:`counts_figure`: how many participants each code can apply to, and how many the
  paper names.
- :func:`process_figure`: the trial's process percentages with exact intervals.

All take the tables of :mod:`ipsrep.analyses.qualitative` and return a
:class:`matplotlib.figure.Figure` built without pyplot.

References
----------
Rødevand L, et al. BMC Musculoskelet Disord 2017;18:550 (the interview themes). Reme SE.
Tidsskrift for Norsk psykologforening 2022;59(10):896-8 (the process measures).
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ipsrep.analyses.qualitative import PARTICIPANTS, STATES
from ipsrep.plots import GROUP_COLORS

STATE_COLORS: dict[str, str] = {
    "named": GROUP_COLORS["IPS"],
    "implied yes": "#8fb8d8",
    "unknown": "#eeeeee",
    "implied no": "#f2c1c8",
    "stated no": GROUP_COLORS["TAU"],
}
"""Cell colour of each membership state of :data:`ipsrep.analyses.qualitative.STATES`."""


def matrix_figure(matrix: pd.DataFrame, codebook: pd.DataFrame) -> Figure:
    """Theme-by-participant matrix: a row per code (grouped by theme), a column per participant.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`ipsrep.analyses.qualitative.participant_matrix` (``code, theme, participant,
        state``).
    codebook : pandas.DataFrame
        :func:`ipsrep.analyses.qualitative.load_codebook`, for the row order and labels.

    Returns
    -------
    matplotlib.figure.Figure
        Cell colour is the state (:data:`STATE_COLORS`); unknown cells stay pale grey
        rather than being guessed; lines separate the themes.
    """
    order = codebook["code"].tolist()
    wide = matrix.pivot(index="code", columns="participant", values="state").loc[order, list(PARTICIPANTS)]
    codes = wide.apply(lambda col: col.map({s: i for i, s in enumerate(STATES)})).to_numpy(dtype=float)
    fig = Figure(figsize=(8.0, max(10.5, 0.42 * len(order) + 1.5)))
    ax = fig.subplots()
    ax.imshow(codes, cmap=ListedColormap([STATE_COLORS[s] for s in STATES]), vmin=-0.5,
              vmax=len(STATES) - 0.5, aspect="auto")
    labels = [f"{t}. {s}" for t, s in zip(codebook["theme"], codebook["summary"], strict=True)]
    # a codebook's text is the user's: shown as written, never read as mathtext ($...$)
    ax.set_yticks(range(len(order)), [textwrap.fill(lab, 64) for lab in labels], fontsize=7.5, parse_math=False)
    ax.set_xticks(range(len(PARTICIPANTS)), PARTICIPANTS)
    ax.xaxis.tick_top()
    ax.grid(False)
    ax.set_xticks(np.arange(-0.5, len(PARTICIPANTS)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(order)), minor=True)
    ax.grid(which="minor", color="white", lw=1)
    for b in np.flatnonzero(np.diff(codebook["theme"].to_numpy())):
        ax.axhline(b + 0.5, color="#333333", lw=1.2)
    ax.legend(handles=[Patch(color=STATE_COLORS[s], label=s) for s in STATES], loc="upper center",
              bbox_to_anchor=(0.5, -0.01), ncol=5, frameon=False, fontsize=8)
    ax.set_title("Who expressed what: codes of the four themes by participant", pad=24)
    fig.tight_layout()
    return fig


def counts_figure(codebook: pd.DataFrame) -> Figure:
    """Participants per code: the range the paper's wording allows, and how many it names.

    Parameters
    ----------
    codebook : pandas.DataFrame
        :func:`ipsrep.analyses.qualitative.load_codebook` (``kind, count_low, count_high,
        n_named``, ...).

    Returns
    -------
    matplotlib.figure.Figure
        One row per code: a bar over the count range (a square where the count is
        exact), coloured by kind of code, and a circle at the number named.
    """
    book = codebook.iloc[::-1].reset_index(drop=True)
    fig = Figure(figsize=(8.0, max(10.0, 0.42 * len(codebook) + 1.5)))
    ax = fig.subplots()
    kind_color = {"experience": "#7a7a7a", "helpful element": GROUP_COLORS["IPS"], "challenge": GROUP_COLORS["TAU"]}
    for y, r in book.iterrows():
        color = kind_color[r["kind"]]
        if r["count_low"] == r["count_high"]:
            ax.plot(r["count_low"], y, "s", color=color, ms=7)
        else:
            ax.plot([r["count_low"], r["count_high"]], [y, y], color=color, lw=5, alpha=0.45,
                    solid_capstyle="butt")
        ax.plot(r["n_named"], y, "o", mfc="white", mec="black", ms=5)
    ax.set_yticks(
        range(len(book)),
        [textwrap.fill(f"{t}. {s}", 64) for t, s in zip(book["theme"], book["summary"], strict=True)],
        fontsize=7.5,
        parse_math=False,
    )
    ax.set_xticks(range(len(PARTICIPANTS) + 1))
    ax.set_xlim(-0.3, len(PARTICIPANTS) + 0.3)
    ax.set_xlabel(f"Participants (of {len(PARTICIPANTS)})")
    handles = [Patch(color=c, label=k) for k, c in kind_color.items()] + [
        ax.plot([], [], "s", color="#555555", label="exact count")[0],
        ax.plot([], [], "o", mfc="white", mec="black", label="named in the paper")[0]]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, fontsize=8, frameon=False)
    ax.set_title("How many participants each code applies to")
    fig.tight_layout()
    return fig


def process_figure(counts: pd.DataFrame) -> Figure:
    """The trial's process measures as percentages with exact intervals, by domain.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`ipsrep.analyses.qualitative.process_counts` (``domain, label, count, n, pct,
        ci_low, ci_high``; ``pct`` in percent, the Clopper-Pearson interval on the 0-1
        scale, drawn in percent).

    Returns
    -------
    matplotlib.figure.Figure
        One bar per item, coloured by domain, with its interval and ``count/n``.
    """
    rows = counts.iloc[::-1].reset_index(drop=True)
    color = {"overall": "#7a7a7a", "helped": GROUP_COLORS["IPS"], "hindered": GROUP_COLORS["TAU"]}
    fig = Figure(figsize=(8.0, 3.8))
    ax = fig.subplots()
    ax.barh(range(len(rows)), rows["pct"], color=[color[d] for d in rows["domain"]], alpha=0.85, height=0.6)
    low, high = 100 * rows["ci_low"], 100 * rows["ci_high"]  # the 0-1 interval, drawn in percent
    ax.errorbar(rows["pct"], range(len(rows)), xerr=[rows["pct"] - low, high - rows["pct"]],
                fmt="none", ecolor="black", capsize=3, lw=1)
    for y, r in rows.iterrows():
        ax.annotate(f"{r['count']}/{r['n']}", (min(100 * r["ci_high"], 100), y), xytext=(4, -3),
                    textcoords="offset points", fontsize=8)
    ax.set_yticks(
        range(len(rows)), [f"{d}: {lab}" for d, lab in zip(rows["domain"], rows["label"], strict=True)], fontsize=8.5
    )
    ax.set_xlim(0, 112)
    ax.set_xlabel("IPS respondents at 6 months (%)")
    ax.set_title("Process measures of the trial's IPS arm")
    fig.tight_layout()
    return fig
