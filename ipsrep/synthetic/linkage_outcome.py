"""How close a linkage comes to the printed Table 4, as tables and text.

The adopted Table 4 refit of a data set beside the linkage search's targets
(:func:`linkage_report`), its counts (:func:`linkage_summary`), the Markdown of
``data/reconstructed/README.md``'s generated section (:func:`readme_section`) and the
sentences of notebook 03 (:func:`agreement_markdown`, :func:`misses_markdown`). The search itself
is :mod:`ipsrep.synthetic.linkage`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ipsrep.analyses.mixed import table4
from ipsrep.methods.formatting import p_statement
from ipsrep.synthetic.linkage import BATCH, ESTIMATE_TOLERANCE, SE_TOLERANCE, linkage_targets

__all__ = [
    "linkage_report",
    "linkage_summary",
    "linkage_markdown",
    "search_markdown",
    "agreement_markdown",
    "misses_markdown",
    "README_START",
    "README_END",
    "readme_section",
]


def linkage_report(trial: pd.DataFrame, fitted: pd.DataFrame | None = None) -> pd.DataFrame:
    """The adopted Table 4 refit on `trial` beside the targets, coefficient by coefficient.

    Parameters
    ----------
    trial : DataFrame
        Participant table in the data contract (normally the bundled reconstruction).
    fitted : DataFrame, optional
        :func:`ipsrep.analyses.mixed.table4` of `trial` (fitted here when not given).

    Returns
    -------
    DataFrame
        ``measure, term, estimate, target_estimate, printed_estimate, printed_se,
        distance`` ((estimate - target) / printed SE), ``se, se_ratio, z, printed_z, p,
        printed_p, source_inconsistent, estimate_ok`` (|distance| <= 0.5), ``se_ok``
        (SE within 10%), ``p_ok`` (p on the printed side of .05), ``all_ok``.
    """
    fitted = table4(trial) if fitted is None else fitted
    t = linkage_targets()
    both = fitted[["measure", "term", "estimate", "se", "z", "p"]].merge(t, on=["measure", "term"], how="inner")
    both["distance"] = (both["estimate"] - both["target_estimate"]) / both["printed_se"]
    both["se_ratio"] = both["se"] / both["printed_se"]
    both["estimate_ok"] = both["distance"].abs() <= ESTIMATE_TOLERANCE
    both["se_ok"] = (both["se_ratio"] - 1.0).abs() <= SE_TOLERANCE
    both["p_ok"] = (both["p"] < 0.05) == both["significant"]
    both["all_ok"] = both["estimate_ok"] & both["se_ok"] & both["p_ok"]
    return both[["measure", "term", "estimate", "target_estimate", "printed_estimate", "printed_se", "distance",
                 "se", "se_ratio", "z", "printed_z", "p", "printed_p", "source_inconsistent", "estimate_ok",
                 "se_ok", "p_ok", "all_ok"]]


def linkage_summary(report: pd.DataFrame) -> dict[str, int]:
    """How many coefficients of :func:`linkage_report` meet each target, and in all."""
    return {
        "coefficients": len(report),
        "estimate_ok": int(report["estimate_ok"].sum()),
        "se_ok": int(report["se_ok"].sum()),
        "p_ok": int(report["p_ok"].sum()),
        "all_ok": int(report["all_ok"].sum()),
        "interactions_p_below_05": int(((report["term"] == "interaction") & (report["p"] < 0.05)).sum()),
        "printed_interactions_p_below_05": int(
            ((report["term"] == "interaction") & (report["printed_p"] < 0.05)).sum()
        ),
    }


def linkage_markdown(report: pd.DataFrame) -> str:
    """The coefficient-by-coefficient table of :func:`linkage_report` as Markdown."""
    lines = [
        "| measure | term | refit | target | distance (printed SE) | SE | printed SE | SE ratio "
        "| z | printed z | p | printed p | targets met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _, r in report.iterrows():
        met = "yes" if r["all_ok"] else "no: " + ", ".join(
            w for w, ok in (("estimate", r["estimate_ok"]), ("SE", r["se_ok"]), ("p", r["p_ok"])) if not ok)
        flag = " (printed row inconsistent; target from its z)" if r["source_inconsistent"] else ""
        lines.append(f"| {r['measure']} | {r['term']}{flag} | {r['estimate']:.3f} | {r['target_estimate']:.3f} | "
                     f"{r['distance']:+.2f} | {r['se']:.3f} | {r['printed_se']:.2f} | {r['se_ratio']:.3f} | "
                     f"{r['z']:.2f} | {r['printed_z']:.2f} | {r['p']:.3f} | {r['printed_p']:.3f} | {met} |")
    return "\n".join(lines)


def search_markdown(search: pd.DataFrame) -> str:
    """The search's account (:func:`link_visits`, second frame) as a Markdown table, with totals."""
    lines = ["| measure | steps | moves made | loss at start | loss at end | stopped because | CPU seconds |",
             "|---|---:|---:|---:|---:|---|---:|"]
    for _, r in search.iterrows():
        why = "well inside the targets" if r["done"] else "budget or no further gain"
        lines.append(f"| {r['measure']} | {int(r['steps'])} | {int(r['accepted'])} | {r['loss_start']:.2f} | "
                     f"{r['loss']:.2f} | {why} | {r['cpu_seconds']:.2f} |")
    lines.append(f"| all | {int(search['steps'].sum())} | {int(search['accepted'].sum())} | | | | "
                 f"{search['cpu_seconds'].sum():.2f} |")
    return "\n".join(lines)


README_START = "<!-- linkage: generated by ipsrep.synthetic.reconstruct.write_linkage_readme; do not edit -->"
README_END = "<!-- end of generated linkage section -->"


def readme_section(search: pd.DataFrame, report: pd.DataFrame, *, budget: int) -> str:
    """The generated part of ``data/reconstructed/README.md``: time and closeness of the search.

    Parameters
    ----------
    search : DataFrame
        The search's account for the committed seed (:func:`link_visits`).
    report : DataFrame
        :func:`linkage_report` of the committed reconstruction.
    budget : int
        The budget the committed file was searched with.
    """
    n = linkage_summary(report)
    total = float(search["cpu_seconds"].sum())
    return "\n".join([
        README_START,
        "",
        (f"Search for the committed seed (budget {budget} steps per measure, {BATCH} candidate moves scored per "
         f"step): {int(search['steps'].sum())} steps and {int(search['accepted'].sum())} moves in "
         f"{total:.1f} s of processor time (one core, measured when this section was written; the result "
         "depends on the seed and the budget only)."),
        "",
        search_markdown(search),
        "",
        (f"Refit of the adopted specification on the committed file ({n['coefficients']} coefficients): "
         f"{n['estimate_ok']} estimates within {ESTIMATE_TOLERANCE:g} printed SE of their target, "
         f"{n['se_ok']} SEs within {SE_TOLERANCE:.0%} of the printed SE, {n['p_ok']} p-values on the printed "
         f"side of .05; {n['all_ok']} meet all three. Group-by-time interactions with p < .05: "
         f"{n['interactions_p_below_05']} (printed: {n['printed_interactions_p_below_05']})."),
        "",
        linkage_markdown(report),
        "",
        README_END,
    ])


def agreement_markdown(report: pd.DataFrame, *, spec_label: str, linkage: str) -> str:
    """How the Table 4 refit compares with the targets, as Markdown for notebook 03.

    Parameters
    ----------
    report : DataFrame
        :func:`linkage_report` of the data in use.
    spec_label : str
        The specification fitted (:attr:`ipsrep.analyses.mixed.Spec.label`).
    linkage : str
        How the visits of the data were linked (said in the text).
    """
    n = linkage_summary(report)
    inter = report[report["term"] == "interaction"]
    return (f"With {spec_label} ({linkage}): **{n['estimate_ok']} of {n['coefficients']}** estimates lie within "
            f"{ESTIMATE_TOLERANCE:g} printed SE of their target, **{n['se_ok']}** SEs within {SE_TOLERANCE:.0%} of "
            f"the printed SE, and **{n['p_ok']}** p-values on the printed side of .05. "
            f"Group-by-time interactions with p < .05: **{n['interactions_p_below_05']} of {len(inter)}** "
            f"(printed: {n['printed_interactions_p_below_05']}); "
            f"{int((np.sign(inter['estimate']) == np.sign(inter['printed_estimate'])).sum())} of {len(inter)} "
            "have the printed sign.")


def misses_markdown(report: pd.DataFrame) -> str:
    """The coefficients of :func:`linkage_report` that miss a target, one clause each (Markdown)."""
    bad = report[~report["all_ok"]]
    if not len(bad):
        return "Every coefficient meets all three targets."
    clauses = []
    for _, r in bad.iterrows():
        est_text = f"estimate {r['estimate']:.2f} against {r['target_estimate']:.2f}, {r['distance']:+.2f} printed SE"
        why = [w for w, ok in ((est_text, r["estimate_ok"]),
                               (f"SE ratio {r['se_ratio']:.2f}", r["se_ok"]),
                               (f"{p_statement(r['p'])} against printed {r['printed_p']:.3f}", r["p_ok"])) if not ok]
        clauses.append(f"{r['measure']} {r['term']} ({'; '.join(why)})")
    return "Missing a target: " + "; ".join(clauses) + "."
