"""Figures for the reporting audit (notebook 06), drawn from aggregate tables only.

- :func:`t_test_variants_figure`: each printed t-test p beside the p recomputed under
  Student's and Welch's test (Table 3 and the hours worked), so the rows the paper
  took from Welch's test stand out.
- :func:`table4_z_figure`: Table 4's printed z ("F Score") against estimate / SE.
- :func:`power_figure`: power of the chi-squared test over plausible true IPS rates at
  the trial's achieved sizes, and over group sizes for the benchmark scenarios.
- :func:`simulated_power_figure`: the simulated power around the target that fixes
  the simulated sample size.

All return a :class:`matplotlib.figure.Figure` built without pyplot.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ipsrep.plots import GROUP_COLORS

_VARIANT_STYLE = {"student": ("o", "#4c72b0", "Student t"), "welch": ("s", "#dd8452", "Welch t")}
_SCENARIO_COLORS = ["#1b6ca8", "#2a9d8f", "#8d6a9f", "#d1495b"]


def _label(key: str) -> str:
    parts = key.split(".")
    return " ".join(parts[1:-1]) if parts[0] in ("t3", "t1") else "hours worked"


def t_test_variants_figure(checks: pd.DataFrame) -> Figure:
    """Printed t-test p-values against Student and Welch recomputations.

    Parameters
    ----------
    checks : pandas.DataFrame
        Rows of :func:`ipsrep.audit.recompute.check_t_test` (``key, printed, value,
        intervals, matched``); each row's Student and Welch intervals are read from
        ``intervals``.

    Returns
    -------
    matplotlib.figure.Figure
        One line per printed p: the Student and Welch intervals (markers at their
        midpoints) and the printed value (black bar). Rows reproduced only by Welch's
        test are labelled in bold.
    """
    rows = checks.reset_index(drop=True)
    fig = Figure(figsize=(7.5, 0.32 * len(rows) + 1.4))
    ax = fig.subplots()
    for i, (_, r) in enumerate(rows.iterrows()):
        y = len(rows) - 1 - i
        for piece in str(r["intervals"]).split(";"):
            name, _, iv = piece.split(":")[-1].strip().partition(" ")
            if name not in _VARIANT_STYLE:
                continue
            lo, hi = (float(v) for v in iv.strip("[] ").split(","))
            marker, color, label = _VARIANT_STYLE[name]
            ax.plot([lo, hi], [y, y], color=color, lw=4, alpha=0.6, solid_capstyle="butt")
            ax.plot([(lo + hi) / 2], [y], marker=marker, color=color, ms=5, ls="none", label=label if i == 0 else None)
        ax.plot([float(r["printed"])], [y], marker="|", color="black", ms=12, mew=2, ls="none",
                label="printed p" if i == 0 else None)
    ax.set_yticks(range(len(rows)), [_label(k) for k in rows["key"]][::-1])
    for tick, (_, r) in zip(ax.get_yticklabels(), rows.iloc[::-1].iterrows(), strict=False):
        if r["matched"].strip() == "welch":
            tick.set_fontweight("bold")
    ax.set_xlim(0, 1)
    ax.set_xlabel("two-sided p")
    ax.set_title("Printed p and the two t-tests (bold: Welch only)")
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def table4_z_figure(checks: pd.DataFrame) -> Figure:
    """Table 4's printed z against the range estimate / SE admits.

    Parameters
    ----------
    checks : pandas.DataFrame
        The ``...z`` rows of :func:`ipsrep.audit.recompute.table4_checks` (``key,
        printed, low, high, verdict``). Intercepts (z above 5) are left out for scale.

    Returns
    -------
    matplotlib.figure.Figure
        Printed z (y) against estimate / SE (x, with its rounding range); points off
        the diagonal are labelled.
    """
    z = checks[checks["statistic"].eq("z") & ~checks["key"].str.contains("intercept")].copy()
    z["printed_z"] = z["printed"].astype(float)
    fig = Figure(figsize=(6.0, 5.0))
    ax = fig.subplots()
    lim = float(np.nanmax(np.abs(np.r_[z["printed_z"], z["low"], z["high"]]))) * 1.1
    ax.plot([-lim, lim], [-lim, lim], color="0.6", lw=1, ls="--", label="printed z = estimate / SE")
    ok = z["verdict"].eq("consistent")
    for sel, color, label in ((ok, "#4c72b0", "consistent"), (~ok, "#d1495b", "not consistent")):
        part = z[sel]
        mid = (part["low"] + part["high"]) / 2
        ax.errorbar(mid, part["printed_z"], xerr=[mid - part["low"], part["high"] - mid], fmt="o", color=color,
                    ms=5, capsize=2, label=label, ls="none")
    for _, r in z[~ok].iterrows():
        name = " ".join(r["key"].split(".")[1:3])
        ax.annotate(f"{name}: {r['printed']}", ((r["low"] + r["high"]) / 2, r["printed_z"]), textcoords="offset points",
                    xytext=(8, -4), fontsize=8, color="#d1495b")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("estimate / SE from the printed columns")
    ax.set_ylabel('printed "F Score" (z)')
    ax.set_title("The paper's Table 4: printed z against estimate / SE")
    ax.legend(loc="upper left", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def power_figure(curve: pd.DataFrame, points: pd.DataFrame, by_size: pd.DataFrame, size_points: pd.DataFrame,
                 *, targets: tuple[float, ...] = (0.8, 0.9)) -> Figure:
    """Power of the chi-squared test: over true IPS rates, and over group sizes.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`ipsrep.audit.planning.power_curve` (``control, p_tau, design, p_ips,
        power``).
    points : pandas.DataFrame
        Scenarios to mark on the left panel: ``label, control, design, p_ips, power``.
    by_size : pandas.DataFrame
        :func:`ipsrep.audit.planning.power_by_size` (``scenario, n_per_group, power``).
    size_points : pandas.DataFrame
        Marks on the right panel: ``scenario, n_per_group, power`` (e.g. the size for
        each target, and the achieved size).
    targets : tuple of float
        Powers drawn as horizontal reference lines.

    Returns
    -------
    matplotlib.figure.Figure
        Left: power against the true IPS employment rate, one colour per control rate,
        solid for the achieved sizes and dashed for other designs, with the scenarios
        marked. Right: power against participants per group (log scale), one line per
        scenario, with the marks.
    """
    fig = Figure(figsize=(11.0, 5.0))
    ax, bx = fig.subplots(1, 2)
    controls = list(dict.fromkeys(curve["control"]))
    designs = list(dict.fromkeys(curve["design"]))
    colors = {c: _SCENARIO_COLORS[i % len(_SCENARIO_COLORS)] for i, c in enumerate(controls)}
    styles = {d: ls for d, ls in zip(designs, ["-", "--", ":", "-."], strict=False)}
    for (c, d), g in curve.groupby(["control", "design"], sort=False):
        ax.plot(100 * g["p_ips"], 100 * g["power"], color=colors[c], ls=styles[d], lw=1.8, label=f"{c}; {d}")
        ax.axvline(100 * g["p_tau"].iloc[0], color=colors[c], lw=0.8, alpha=0.4)
    for _, p in points.iterrows():
        ax.plot(100 * p["p_ips"], 100 * p["power"], marker="D", color=colors.get(p["control"], "black"), ms=7,
                mec="black", ls="none")
        ax.annotate(p["label"], (100 * p["p_ips"], 100 * p["power"]), textcoords="offset points", xytext=(-8, 8),
                    fontsize=8, ha="right")
    for t in targets:
        for a in (ax, bx):
            a.axhline(100 * t, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("true employment rate with IPS (%)")
    ax.set_ylabel("power (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_title("Power over true IPS rates")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7, frameon=False)

    scen = list(dict.fromkeys(by_size["scenario"]))
    scolors = {s: _SCENARIO_COLORS[i % len(_SCENARIO_COLORS)] for i, s in enumerate(scen)}
    for s, g in by_size.groupby("scenario", sort=False):
        bx.plot(g["n_per_group"], 100 * g["power"], color=scolors[s], lw=1.8, label=s)
    for _, p in size_points.iterrows():
        bx.plot(p["n_per_group"], 100 * p["power"], marker="o", color=scolors.get(p["scenario"], "black"), ms=6,
                mec="black", ls="none")
        bx.annotate(f"{int(p['n_per_group'])}", (p["n_per_group"], 100 * p["power"]), textcoords="offset points",
                    xytext=(4, -12), fontsize=8)
    bx.set_xscale("log")
    ticks = [
        t
        for t in (10, 20, 50, 100, 200, 500, 1000, 2000)
        if by_size["n_per_group"].min() <= t <= by_size["n_per_group"].max()
    ]
    bx.set_xticks(ticks, [str(t) for t in ticks])
    bx.minorticks_off()
    bx.set_xlabel("participants per group (log scale)")
    bx.set_ylim(0, 100)
    bx.set_title("Power over trial size")
    bx.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7, frameon=False, ncol=len(scen))
    fig.tight_layout()
    return fig


def simulated_power_figure(table: pd.DataFrame, *, target: float, chosen: int, analytic: float | None = None) -> Figure:
    """Simulated chi-squared power over the sizes tried, with the target and the answer.

    Parameters
    ----------
    table : pandas.DataFrame
        Second output of :func:`ipsrep.audit.planning.n_per_group_simulated`
        (``n_per_group, power, mc_se``).
    target : float
        Target power.
    chosen : int
        The simulated answer (first size reaching the target).
    analytic : float, optional
        The formula's real-valued n, drawn for comparison.

    Returns
    -------
    matplotlib.figure.Figure
        Simulated power (%) against participants per group with error bars of two
        Monte Carlo SEs, the target as a dotted line, the chosen size in red and the
        formula's n dashed.
    """
    fig = Figure(figsize=(7.0, 3.6))
    ax = fig.subplots()
    ax.errorbar(table["n_per_group"], 100 * table["power"], yerr=200 * table["mc_se"], fmt="o", ms=3,
                color=GROUP_COLORS["IPS"], capsize=0, lw=0.8, label="simulated power (2 MC SE)")
    ax.axhline(100 * target, color="0.4", lw=1, ls=":", label=f"target {100 * target:g}%")
    ax.axvline(chosen, color="#d1495b", lw=1.2, label=f"first size reaching it: {chosen}")
    if analytic is not None:
        ax.axvline(analytic, color="0.3", lw=1, ls="--", label=f"pooled formula: {analytic:.1f}")
    ax.set_xlabel("participants per group")
    ax.set_ylabel("power (%)")
    ax.set_title("Simulated power of Pearson's chi-squared test")
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig
