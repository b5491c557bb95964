"""Figures of the ensemble of reconstructions: how far what the paper does not print swings.

:func:`table4_spread_figure` places every member's Table 4 estimate against the printed
one in printed standard errors; :func:`p_spread_figure` shows, per p-value, its range over
the members against the significance level. Both take the tidy summaries of
:mod:`ipsrep.synthetic.ensemble` (aggregates over synthetic reconstructions, never a
participant row) and return a :class:`matplotlib.figure.Figure` made without pyplot.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ipsrep.inputs.measures import MEASURE_BY_NAME, MEASURES
from ipsrep.plots import GROUP_COLORS

_TERMS = ("group", "time", "interaction", "intercept")
_REFERENCE = GROUP_COLORS["TAU"]
_MEMBERS = GROUP_COLORS["IPS"]


def key_label(key: str) -> str:
    """A short reader's label for a ledger key (instrument labels for health keys).

    >>> key_label("t4.odi.interaction.p")
    'Table 4 ODI: interaction'
    >>> key_label("rq2.hours.permutation_p")
    'hours: permutation p'
    """
    parts = key.split(".")
    if parts[0] in ("t3", "t4") and len(parts) > 2 and parts[1] in MEASURE_BY_NAME:
        label = _short(parts[1])
        if parts[0] == "t4":
            return f"Table 4 {label}: {parts[2]}"
        stat = {"p": "p", "p_holm": "Holm p", "levene_p": "Levene p"}.get(parts[3], parts[3])
        return f"Table 3 {label} {parts[2]}: {stat}"
    if parts[0] == "rq2":
        stat = parts[-1].replace("_p", " p").replace("p_", "p ").replace("_", " ")
        return f"{'hours' if parts[1] == 'hours' else '≥ 20 h'}: {stat}"
    return key


def _short(name: str) -> str:
    return {"odi": "ODI", "eqvas": "EQ-VAS", "hscl": "HSCL-25", "anxiety": "HSCL anxiety",
            "depression": "HSCL depression",
            "bpi_current": "pain now", "bpi_worst": "pain worst", "bpi_average": "pain average",
            "bpi_least": "pain least"}.get(name, name)


def table4_spread_figure(spread: pd.DataFrame, *, reference_seed: int | None = None) -> Figure:
    """Every member's Table 4 estimate, minus the printed one, in printed SEs.

    Parameters
    ----------
    spread : pandas.DataFrame
        Output of :func:`ipsrep.synthetic.ensemble.table4_spread`: ``member, seed, measure,
        term, distance``.
    reference_seed : int, optional
        Seed drawn as a red marker (the committed reconstruction); omitted when absent.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per term, one row per outcome; small dots are members, the black bar
        spans the middle 95% of them, the grey band is +/- 1 printed SE.
    """
    names = [m.name for m in MEASURES if m.name in set(spread["measure"])]
    terms = [t for t in _TERMS if t in set(spread["term"])]
    reach = float(np.nanmax(np.abs(spread["distance"].to_numpy(dtype=float)))) if len(spread) else 1.0
    reach = max(1.5, reach + 0.25)
    fig = Figure(figsize=(10.0, 0.42 * len(names) + 2.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(terms), sharey=True, squeeze=False).ravel())
    rng = np.random.default_rng(0)
    for ax, term in zip(axes, terms, strict=True):
        ax.axvspan(-1, 1, color="0.9", zorder=0)
        ax.axvline(0, color="0.5", lw=0.8)
        for y, name in enumerate(names):
            d = spread[(spread["term"] == term) & (spread["measure"] == name)]
            x = d["distance"].to_numpy(dtype=float)
            if not len(x):
                continue
            ax.scatter(x, y + rng.uniform(-0.18, 0.18, len(x)), s=5, color=_MEMBERS, alpha=0.35, lw=0, zorder=2)
            lo, hi = np.percentile(x, [2.5, 97.5])
            ax.plot([lo, hi], [y, y], color="black", lw=1.6, zorder=3)
            if reference_seed is not None:
                ref = d.loc[d["seed"] == reference_seed, "distance"]
                if len(ref):
                    ax.scatter([float(ref.iloc[0])], [y], marker="D", s=22, color=_REFERENCE, zorder=4,
                               label="committed reconstruction" if y == 0 else None)
        ax.set_title(term, fontsize=10)
        ax.set_xlim(-reach, reach)
        ax.tick_params(labelsize=8)
    axes[0].set_yticks(np.arange(len(names)), [_short(n) for n in names], fontsize=8)
    axes[0].invert_yaxis()
    n = int(spread["member"].nunique())
    fig.suptitle(f"The paper's Table 4 refitted on {n} reconstructions: distance from the printed estimates",
                 fontweight="bold", fontsize=11)
    handles, _ = axes[0].get_legend_handles_labels()
    key = "\nblack bar: middle 95% of members; red diamond: the committed reconstruction" if handles else ""
    # the marker key is part of the axis label: a legend beside it would overlap it once text is enlarged
    fig.supxlabel("(member's estimate - printed estimate) / printed SE; grey: within one printed SE" + key,
                  fontsize=9)
    return fig


def p_spread_figure(summary: pd.DataFrame, *, alpha: float = 0.05, title: str | None = None) -> Figure:
    """Range of each p-value over the members, on a log scale, against `alpha`.

    Parameters
    ----------
    summary : pandas.DataFrame
        Rows of :func:`ipsrep.synthetic.ensemble.summarise` for p-values: ``key, min,
        p2_5, median, p97_5, max, below_alpha, members`` and ``reference`` (may be NaN).
    alpha : float, default 0.05
        Drawn as a vertical line; the count of members below it is written on the right.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One row per key in the given order: thin line min to max, thick bar the middle
        95%, white dot the median, red diamond the committed reconstruction.
    """
    rows = summary.reset_index(drop=True)
    fig = Figure(figsize=(8.5, 0.32 * len(rows) + 2.0))
    ax = fig.subplots()
    smallest = float(np.nanmin(rows[["min", "reference"]].to_numpy(dtype=float))) if len(rows) else alpha
    floor = 10 ** np.floor(np.log10(max(min(smallest, alpha / 10), 1e-12)))
    clip = lambda v: np.maximum(np.asarray(v, dtype=float), floor)  # noqa: E731
    y = np.arange(len(rows))
    ax.hlines(y, clip(rows["min"]), clip(rows["max"]), color="0.55", lw=1)
    ax.hlines(y, clip(rows["p2_5"]), clip(rows["p97_5"]), color=_MEMBERS, lw=4)
    ax.scatter(clip(rows["median"]), y, s=14, color="white", edgecolors="black", lw=0.7, zorder=3)
    ref = rows["reference"].to_numpy(dtype=float)
    ok = ~np.isnan(ref)
    if ok.any():
        ax.scatter(clip(ref[ok]), y[ok], marker="D", s=16, color=_REFERENCE, zorder=4, label="committed reconstruction")
        ax.legend(loc="lower left", fontsize=7, frameon=True)
    ax.axvline(alpha, color="black", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlim(floor, 1.5)
    ax.set_yticks(y, [key_label(k) for k in rows["key"]], fontsize=7)
    ax.invert_yaxis()
    for yi, below, n in zip(y, rows["below_alpha"], rows["members"], strict=True):
        ax.text(1.02, float(yi), f"{int(below)} of {int(n)}", transform=ax.get_yaxis_transform(), va="center",
                fontsize=7)
    ax.text(1.02, -1.0, f"p < {alpha:g}", transform=ax.get_yaxis_transform(), va="center", fontsize=7,
            fontweight="bold")
    ax.set_xlabel("p-value over the ensemble (log scale)", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


LINKAGE_COLORS = {"searched": "0.3", "unsearched": _MEMBERS}
"""Colour of each ensemble's members in :func:`table4_p_figure`."""


def table4_p_figure(spreads: dict[str, pd.DataFrame], *, alpha: float = 0.05, printed: pd.DataFrame | None = None,
                    terms: tuple[str, ...] = ("group", "time", "interaction")) -> Figure:
    """Table 4 p-values of every member of one or more ensembles, per outcome and term.

    Parameters
    ----------
    spreads : dict
        Ensemble label (``searched``, ``unsearched``) -> output of
        :func:`ipsrep.synthetic.ensemble.table4_spread` (``measure, term, p`` per member).
    alpha : float, default 0.05
        Drawn as a dashed vertical line.
    printed : pandas.DataFrame, optional
        ``measure, term, printed_p`` (e.g. :func:`ipsrep.synthetic.ensemble.table4_ranges`):
        the paper's p, drawn as a black bar.
    terms : tuple of str
        Terms shown, one panel each (intercepts, whose p is always tiny, are left out).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per term, one row per outcome; each ensemble's members are dots in its
        colour (:data:`LINKAGE_COLORS`), one band per ensemble within the row; the black
        tick is the p the paper prints (where the printed SE and estimate give one, see
        the keys); log scale, p below 1e-4 drawn at 1e-4.
    """
    first = next(iter(spreads.values()))
    names = [m.name for m in MEASURES if m.name in set(first["measure"])]
    floor = 1e-4
    fig = Figure(figsize=(10.0, 0.55 * len(names) + 2.2))
    axes = np.atleast_1d(fig.subplots(1, len(terms), sharey=True, squeeze=False).ravel())
    rng = np.random.default_rng(0)
    labels = list(spreads)
    offsets = np.linspace(-0.2, 0.2, len(labels)) if len(labels) > 1 else np.zeros(1)
    for ax, term in zip(axes, terms, strict=True):
        ax.axvline(alpha, color="black", ls="--", lw=1)
        for off, label in zip(offsets, labels, strict=True):
            d = spreads[label]
            for y, name in enumerate(names):
                p = d.loc[(d["term"] == term) & (d["measure"] == name), "p"].to_numpy(dtype=float)
                if not len(p):
                    continue
                ax.scatter(np.maximum(p, floor), y + off + rng.uniform(-0.08, 0.08, len(p)), s=14,
                           color=LINKAGE_COLORS.get(label, _MEMBERS), alpha=0.45, lw=0, zorder=2,
                           label=f"{label} ensemble" if (y == 0 and term == terms[0]) else None)
        if printed is not None:
            for y, name in enumerate(names):
                q = printed.loc[(printed["term"] == term) & (printed["measure"] == name), "printed_p"]
                q = q.dropna()
                if len(q):
                    ax.plot([max(float(q.iloc[0]), floor)] * 2, [y - 0.38, y + 0.38], color="black", lw=2.2,
                            zorder=4, label="printed p" if (y == 0 and term == terms[0]) else None)
        ax.set_xscale("log")
        ax.set_xlim(floor * 0.7, 1.4)
        ax.set_title(term, fontsize=11)
        ax.tick_params(labelsize=9)
    axes[0].set_yticks(np.arange(len(names)), [_short(n) for n in names], fontsize=10)
    axes[0].invert_yaxis()
    fig.suptitle("The paper's Table 4: p-values over the ensembles", fontweight="bold", fontsize=12)
    fig.supxlabel(f"p (log scale; dashed line: {alpha:g}; below 1e-4 drawn at 1e-4)", fontsize=10)
    handles, texts = axes[0].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0, 1, 0.9 if handles else 1))
    if handles:
        legend = fig.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, 0.94), fontsize=10,
                            frameon=False, ncol=len(handles))
        for h in legend.legend_handles:
            if h is not None and hasattr(h, "set_alpha"):
                h.set_alpha(1)
    return fig


def table4_ranges_table(ranges: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """Table 4 on the printed summaries alone, for display: per outcome and term (intercepts
    left out) the range of estimates, SEs and p over the unsearched members beside the
    printed values, and the count of members with p below `alpha`
    (:func:`ipsrep.synthetic.ensemble.table4_ranges` gives `ranges`)."""
    from ipsrep.synthetic.ensemble_summary import count_text

    shown = ranges[ranges["term"] != "intercept"]

    def span(lo: str, hi: str, fmt: str) -> list[str]:
        return [f"{a:{fmt}} to {b:{fmt}}" for a, b in zip(shown[lo], shown[hi], strict=True)]

    return pd.DataFrame({
        "outcome": [key_label(f"t4.{m}.{t}.p").split(": ")[0].removeprefix("Table 4 ") for m, t in
                    zip(shown["measure"], shown["term"], strict=True)],
        "term": shown["term"],
        "estimate (min to max)": span("estimate_min", "estimate_max", ".2f"),
        "printed estimate": shown["printed_estimate"],
        "SE (min to max)": span("se_min", "se_max", ".3f"),
        "printed SE": shown["printed_se"],
        "p (min to max)": span("p_min", "p_max", ".3g"),
        "printed p": shown["printed_p"],
        f"members with p < {alpha:g}": [count_text(b, n) for b, n in
                                        zip(shown["below_alpha"], shown["members"], strict=True)],
    }).reset_index(drop=True)
