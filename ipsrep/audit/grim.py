"""Granularity checks of the paper's printed means and SDs (GRIM and GRIMMER).

Scores on a fixed grid (whole EQ-VAS points, ODI steps of 2, HSCL item means in steps
of 1/25, whole years, whole hours) can only average to certain values for a given n,
and only certain SDs go with each mean. The tests themselves are in
:mod:`ipsrep.methods.granularity`; this module knows the trial's scales and applies them to
Table 1 (n not printed: which n pass), Table 3 (n printed), the hours worked, and the
pilot's interview lengths (through :func:`ipsrep.analyses.pilot.interview_length_check`).

Each scale has a stated grid and, where the scoring manual allows another, a finer
fallback: the ODI rescales a questionnaire with one unanswered item to 0-100 over the
nine answered ones, which puts scores on a grid of 2/9; hours may be logged in half
hours. A mean that fails on the stated grid but passes on the fallback is
``consistent_other_variant``; one that fails both is ``inconsistent``.

References
----------
Brown NJL, Heathers JAJ (2017), Soc Psychol Personal Sci 8:363-9 (GRIM). Anaya J
(2016), PeerJ Preprints 4:e2400v1 (GRIMMER). Fairbank JCT, Pynsent PB. The Oswestry
Disability Index. Spine 2000;25:2940-53 (scoring with unanswered sections).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ipsrep.analyses.pilot import interview_length_check
from ipsrep.audit.common import CONTINUOUS_ROWS, whole_number_span
from ipsrep.inputs.measures import MEASURE_BY_NAME, MEASURES
from ipsrep.inputs.published import load_published
from ipsrep.methods.granularity import grim_consistent, grimmer_consistent
from ipsrep.methods.rounding import decimals_of

__all__ = [
    "Grid",
    "GRIDS",
    "GRANULARITY_COLUMNS",
    "check_mean_sd",
    "admitted_on_grid",
    "grid_admitted_n",
    "table1_granularity",
    "table3_granularity",
    "hours_granularity",
    "pilot_interview_granularity",
    "granularity_checks",
]


@dataclass(frozen=True)
class Grid:
    """The grid one score lies on, and finer fallback grids (step, label), coarsest first."""

    step: Fraction
    label: str
    alternatives: tuple[tuple[Fraction, str], ...] = ()


GRIDS: dict[str, Grid] = {
    "age": Grid(Fraction(1), "whole years"),
    "hours": Grid(Fraction(1), "whole hours", ((Fraction(1, 2), "half hours"),)),
    **{m.name: Grid(m.step, f"steps of {m.step}") for m in MEASURES},
}
GRIDS["odi"] = Grid(
    MEASURE_BY_NAME["odi"].step, "steps of 2",
    ((Fraction(2, 9), "steps of 2/9 (forms with one item unanswered)"),
     (Fraction(1, 18), "steps of 1/18 (forms with up to two unanswered)")),
)
"""Grid of each scale (Table 1 and 3 row names, plus ``age`` and ``hours``).

ODI: ten items scored 0-5, doubled to 0-100, so steps of 2; a form with one item
unanswered is rescaled as 100 * total / 45 (steps of 20/9), so a mix of such scores lies
on steps of 2/9; with two unanswered (100 * total / 40, steps of 5/2) the common grid is
1/18."""

GRANULARITY_COLUMNS: list[str] = [
    "key",
    "source",
    "printed",
    "n",
    "grid",
    "grim",
    "grimmer",
    "matched",
    "verdict",
    "note",
]


def _passes(mean: str, sd: str | None, n: int, step: Fraction) -> tuple[bool, bool]:
    g = grim_consistent(float(mean), n, decimals_of(mean), float(step))
    if sd is None or n < 2:
        return g, g
    return g, g and grimmer_consistent(float(mean), float(sd), n, decimals_of(mean), decimals_of(sd), float(step))


def _nearest_means(mean: str, n: int, step: Fraction) -> str:
    """The two possible means of n grid scores either side of a printed mean."""
    k = np.floor(float(mean) * n / float(step))
    below, above = k * float(step) / n, (k + 1) * float(step) / n
    d = decimals_of(mean) + 1
    return f"{below:.{d}f} or {above:.{d}f}"


def check_mean_sd(key: str, mean: str, sd: str | None, n: int, grid: Grid, *, source: str = "") -> dict:
    """GRIM and GRIMMER of one printed mean (and SD) of n scores on a scale's grid.

    Parameters
    ----------
    key : str
        Published key of the mean.
    mean, sd : str
        Mean and SD as printed (their decimals set the rounding); `sd` None for GRIM
        alone.
    n : int
        Number of scores.
    grid : Grid
        The scale's grid and fallbacks (:data:`GRIDS`).
    source : str
        Where the numbers are printed.

    Returns
    -------
    dict
        The columns of :data:`GRANULARITY_COLUMNS`: ``grim`` and ``grimmer`` on the
        stated grid; ``matched`` names the stated grid when it passes GRIMMER, else the
        fallback grids that do; ``verdict``;
        ``note`` (the nearest possible means when the stated grid fails).

    Notes
    -----
    GRIM asks whether some total of n grid scores averages to the printed mean;
    GRIMMER whether, for such a total, some whole sum of squares gives the printed SD
    (:func:`ipsrep.methods.granularity.grim_consistent`,
    :func:`ipsrep.methods.granularity.grimmer_consistent`).

    References
    ----------
    Brown NJL, Heathers JAJ. Soc Psychol Personal Sci 2017;8:363-9. Anaya J. PeerJ
    Preprints 2016;4:e2400v1.

    Examples
    --------
    >>> check_mean_sd("x", "216.53", "447.25", 35, GRIDS["hours"])["verdict"]
    'consistent_other_variant'
    """
    grim, grimmer = _passes(mean, sd, n, grid.step)
    matched = [grid.label] if grimmer else [label for step, label in grid.alternatives if _passes(mean, sd, n, step)[1]]
    if grimmer:
        verdict, note = "consistent", ""
    else:
        verdict = "consistent_other_variant" if matched else "inconsistent"
        if not grim:
            note = f"{n} scores in {grid.label} average {_nearest_means(mean, n, grid.step)}, not {mean}"
        else:
            note = f"no sum of squares of {n} scores in {grid.label} gives mean {mean} with SD {sd}"
        if matched:
            note += f"; possible with {matched[0]}"
        elif grid.alternatives:
            note += f", even with {grid.alternatives[-1][1]}"
    return {"key": key, "source": source, "printed": mean if sd is None else f"{mean} ({sd})", "n": str(n),
            "grid": grid.label, "grim": grim, "grimmer": grimmer, "matched": "; ".join(matched),
            "verdict": verdict, "note": note}


def admitted_on_grid(mean: str, sd: str | None, n_values: Iterable[int], step: Fraction) -> list[int]:
    """Sizes n for which a printed mean (and SD) pass GRIMMER on a grid of `step`.

    >>> admitted_on_grid("7.80", "1.44", range(16, 21), Fraction(1))
    [20]
    """
    return [n for n in n_values if _passes(mean, sd, n, step)[1]]


def grid_admitted_n(name: str, mean: str, sd: str | None, n_values: Iterable[int]) -> list[int]:
    """Sizes n for which a printed mean (and SD) pass GRIMMER on the scale's grid.

    The stated grid first; if it admits no n, each fallback grid in turn.

    >>> grid_admitted_n("bpi_least", "4.15", "2.43", range(16, 21))
    [20]
    """
    grid = GRIDS[name]
    n_values = list(n_values)
    for step in [grid.step] + [s for s, _ in grid.alternatives]:
        ok = [n for n in n_values if _passes(mean, sd, n, step)[1]]
        if ok:
            return ok
    return []


def table1_granularity(
    ips_n: Iterable[int], tau_n: Iterable[int], *, full_n: tuple[int, int] = (38, 20)
) -> pd.DataFrame:
    """Table 1's means and SDs: which respondent counts their grids allow.

    Table 1 prints no n for these rows, so every n in the given ranges is tried. A row
    is ``consistent`` when some n passes GRIMMER on the stated grid.

    Returns
    -------
    pandas.DataFrame
        :data:`GRANULARITY_COLUMNS` (``n`` lists the admitted sizes) plus ``full_n``
        (whether the whole group, 38 or 20, passes).
    """

    pub = load_published()
    n_by = {"ips": list(ips_n), "tau": list(tau_n)}
    full = {"ips": full_n[0], "tau": full_n[1]}
    rows = []
    for name in CONTINUOUS_ROWS:
        grid = GRIDS[name]
        for g in ("ips", "tau"):
            k = f"t1.{name}.{g}_"
            mean, sd = str(pub.at[k + "mean", "printed"]), str(pub.at[k + "sd", "printed"])
            strict = [n for n in n_by[g] if _passes(mean, sd, n, grid.step)[1]]
            alts = [(label, [n for n in n_by[g] if _passes(mean, sd, n, step)[1]]) for step, label in grid.alternatives]
            alts = [(label, ns) for label, ns in alts if ns]
            matched = [grid.label] if strict else [label for label, _ in alts]
            verdict = "consistent" if strict else ("consistent_other_variant" if alts else "inconsistent")
            used = strict or (alts[0][1] if alts else [])
            note = ""
            if not strict:
                note = f"no n in {whole_number_span(n_by[g])} fits {grid.label}" + (
                    f"; {alts[0][0]} fits n {whole_number_span(alts[0][1])}" if alts else ""
                )
            elif full[g] not in strict:
                note = f"not possible with all {full[g]} participants: some did not answer"
            rows.append(
                {
                    "key": k + "mean",
                    "source": "Sveinsdottir et al. 2022, Table 1",
                    "printed": f"{mean} ({sd})",
                    "n": whole_number_span(used),
                    "grid": grid.label,
                    "grim": any(_passes(mean, None, n, grid.step)[0] for n in n_by[g]),
                    "grimmer": bool(strict),
                    "matched": "; ".join(matched),
                    "verdict": verdict,
                    "note": note,
                    "full_n": full[g] in used,
                }
            )
    return pd.DataFrame(rows, columns=GRANULARITY_COLUMNS + ["full_n"])


def _check_printed_mean_sd(pub: pd.DataFrame, prefix: str, grid: Grid, *, source: str) -> dict:
    """:func:`check_mean_sd` of the published ``<prefix>mean``, ``<prefix>sd`` and ``<prefix>n``."""
    mean, sd = str(pub.at[prefix + "mean", "printed"]), str(pub.at[prefix + "sd", "printed"])
    return check_mean_sd(prefix + "mean", mean, sd, int(pub.at[prefix + "n", "value"]), grid, source=source)


def table3_granularity() -> pd.DataFrame:
    """Table 3's means and SDs (n printed) on each scale's grid.

    Returns :data:`GRANULARITY_COLUMNS`, one row per measure, follow-up and group.
    """
    pub = load_published()
    rows = []
    for m in MEASURES:
        for visit in ("6m", "12m"):
            for g in ("ips", "tau"):
                rows.append(_check_printed_mean_sd(pub, f"t3.{m.name}.{visit}.{g}_", GRIDS[m.name],
                                                   source=f"Sveinsdottir et al. 2022, Table 3, {visit}"))
    return pd.DataFrame(rows, columns=GRANULARITY_COLUMNS)


def hours_granularity() -> pd.DataFrame:
    """Hours worked in 12 months (Results): mean and SD per group, whole or half hours."""
    pub = load_published()
    rows = []
    for g in ("ips", "tau"):
        rows.append(_check_printed_mean_sd(pub, f"rq2.hours.{g}_", GRIDS["hours"],
                                           source="Sveinsdottir et al. 2022, Results (hours worked)"))
    return pd.DataFrame(rows, columns=GRANULARITY_COLUMNS)


def pilot_interview_granularity() -> pd.DataFrame:
    """The pilot's interview lengths (Methods): whole minutes with the printed range.

    Delegates to :func:`ipsrep.analyses.pilot.interview_length_check` (GRIM, GRIMMER and a
    complete enumeration of the eight-interview samples) and condenses it to one row.
    """

    pub = load_published()
    checks, samples = interview_length_check()
    ok = bool(checks["consistent"].all())
    n = int(pub.at["pilot.n", "value"])
    printed = f"{pub.at['pilot.interview_minutes_mean', 'printed']} ({pub.at['pilot.interview_minutes_sd', 'printed']})"
    note = f"{len(samples)} samples of {n} whole-minute interviews fit the range, mean and SD"
    return pd.DataFrame(
        [
            {
                "key": "pilot.interview_minutes_mean",
                "source": "Rødevand et al. 2017, Methods",
                "printed": printed,
                "n": str(n),
                "grid": "whole minutes",
                "grim": bool(checks.loc[0, "consistent"]),
                "grimmer": bool(checks.loc[1, "consistent"]),
                "matched": "whole minutes" if ok else "",
                "verdict": "consistent" if ok else "inconsistent",
                "note": note,
            }
        ],
        columns=GRANULARITY_COLUMNS,
    )


def granularity_checks(ips_n: Iterable[int], tau_n: Iterable[int], *, include_pilot: bool = True) -> pd.DataFrame:
    """All granularity checks: Table 1, Table 3, hours worked and the pilot's interviews.

    Returns :data:`GRANULARITY_COLUMNS` plus ``full_n`` (Table 1 rows only).
    """
    parts = [table1_granularity(ips_n, tau_n), table3_granularity(), hours_granularity()]
    if include_pilot:
        parts.append(pilot_interview_granularity())
    return pd.concat(parts, ignore_index=True)
