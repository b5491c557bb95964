"""The tables and sentences of the ensemble page (notebook 09), from the ensembles that
:mod:`ipsrep.synthetic.ensemble` computes.

Counts of members are written as counts ("1 of 200", :func:`ipsrep.synthetic.ensemble_summary.count_text`),
never as rounded percentages.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable

import pandas as pd

from ipsrep.plots.ensemble import key_label
from ipsrep.synthetic import ensemble, ensemble_member, ensemble_summary

__all__ = ["free_results", "free_results_summary", "verdicts_text", "interactions_by_r", "answers_table",
           "timing_text"]

R_BANDS = (0.3, 0.5, 0.7, 0.9)
"""Edges of the bands of drawn within-person correlation the page counts interactions in."""


def _free(summary: pd.DataFrame) -> pd.DataFrame:
    return summary[summary["kind"] == "free"]


def free_results(summary: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """The free keys of :func:`ipsrep.synthetic.ensemble_summary.summarise` for reading: key,
    median, the middle 95% of members, minimum, maximum, for a p-value the members below
    `alpha` (a count), the committed reconstruction's value and whether the key holds in
    every member."""
    free = _free(summary)
    shown = free[["key", "median", "p2_5", "p97_5", "min", "max", "reference", "holds"]].reset_index(drop=True)
    shown.insert(6, f"members with p < {alpha:g}",
                 [ensemble_summary.count_text(b, n) if b >= 0 else "" for b, n in
                  zip(free["below_alpha"], free["members"], strict=True)])
    return shown


def free_results_summary(summary: pd.DataFrame) -> str:
    """How many free keys hold in every member and how many do not (Markdown), the
    sentence set before the full table."""
    free = _free(summary)
    holds = int(free["holds"].astype(bool).sum())
    p_values = free[free["p_value"].astype(bool)]
    return (f"Of the **{len(free)}** free keys, **{holds}** tell the same story in every member and "
            f"**{len(free) - holds}** do not; {len(p_values)} of the free keys are p-values. The full table "
            "follows (its first rows; \"show all rows\" opens the rest).")


def verdicts_text(e: ensemble.Ensemble, name: str, *, alpha: float) -> str:
    """The free p-values of ensemble `e` (intercepts aside) below `alpha` in every member,
    in none, and those that swing with the draw, with their counts (Markdown)."""
    s = ensemble_summary.summarise(e.results, e.keys, alpha=alpha)
    p = s[(s["kind"] == "free") & s["p_value"] & ~s["key"].str.contains(".intercept.", regex=False)]
    always = p[p["below_alpha"] == p["members"]]
    never = p[p["below_alpha"] == 0]
    swing = p[(p["below_alpha"] > 0) & (p["below_alpha"] < p["members"])]
    listed = "; ".join(f"{key_label(k)} ({ensemble_summary.count_text(b, n)})" for k, b, n in
                       zip(swing["key"], swing["below_alpha"], swing["members"], strict=True)) or "none"
    return (f"**{name.capitalize()} ensemble** ({e.members} members): of its {len(p)} free p-values (intercepts "
            f"aside), {len(always)} {'is' if len(always) == 1 else 'are'} below {alpha:g} in every member, "
            f"{len(never)} in none, and {len(swing)} "
            f"swing with the draw (members below {alpha:g} in brackets): {listed}.")


def interactions_by_r(unsearched: ensemble.Ensemble, *, alpha: float) -> pd.DataFrame:
    """Group-by-time interactions of the unsearched ensemble with p below `alpha`, counted
    per band of the member's drawn within-person correlation (:data:`R_BANDS`)."""
    drawn = ensemble_member.within_person_r_table(unsearched.metadata["seeds"])
    inter_p = unsearched.results[unsearched.results["key"].str.endswith(".interaction.p")]
    inter_p = inter_p.assign(measure=inter_p["key"].str.split(".").str[1])
    joined = inter_p.merge(drawn, on=["seed", "measure"])
    labels = [f"{lo:g} to {hi:g}" for lo, hi in itertools.pairwise(R_BANDS)]
    bands = pd.cut(joined["r"], list(R_BANDS), include_lowest=True, labels=labels)
    by_r = joined.assign(band=bands, below=joined["value"] < alpha).groupby("band", observed=False).agg(
        fits=("below", "size"), below=("below", "sum")).reset_index()
    return pd.DataFrame({"drawn within-person r": by_r["band"].astype(str),
                         f"interactions with p < {alpha:g} (members x outcomes)":
                             [ensemble_summary.count_text(b, n)
                              for b, n in zip(by_r["below"], by_r["fits"], strict=True)]})


def answers_table(answers: Iterable, ensembles: dict[str, ensemble.Ensemble | None], *,
                  alpha: float) -> pd.DataFrame:
    """What decides each front-page answer (`answers`: the scorecard's answer functions)
    in each ensemble: the verdict of :func:`ipsrep.synthetic.ensemble_summary.answer_robustness`
    and how many members answer as the committed reconstruction does."""
    answers = list(answers)
    present = {name: e for name, e in ensembles.items() if e is not None}
    first = next(iter(present.values()))
    out = pd.DataFrame({"question": [ensemble_summary.answer_robustness(fn, first, alpha=alpha).question
                                     for fn in answers]})
    for name, e in present.items():
        found = [ensemble_summary.answer_robustness(fn, e, alpha=alpha) for fn in answers]
        out[f"{name.capitalize()}: verdict"] = [r.verdict for r in found]
        out[f"{name.capitalize()}: members as here"] = [ensemble_summary.count_text(r.same, r.members)
                                           if r.verdict != "not from participant data" else "" for r in found]
    return out


def timing_text(ensembles: dict[str, ensemble.Ensemble | None]) -> str:
    """Median and range of the CPU time per member of each ensemble (Markdown)."""
    parts = []
    for name, e in ensembles.items():
        if e is None:
            continue
        if not len(e.timings):
            parts.append(f"No timings were stored with the {name} ensemble.")
            continue
        t = e.timings["cpu_seconds"]
        parts.append(f"{name.capitalize()}: median CPU time per member {t.median():.1f} s (range {t.min():.1f} "
                     f"to {t.max():.1f} s, {len(t)} members).")
    return " ".join(parts) + " The first member on each worker also loads what every member shares."
