"""What the audit's checks share: Table 1's continuous rows, the denominators behind
printed percentages, and how a set of admitted whole numbers is written.

:func:`implied_denominators` finds the n behind a printed count and percentage (rounded,
else truncated); :func:`percentage_denominator_table` applies it to every printed pair
of the trial paper and :func:`table1_valid_n_range` turns Table 1's pairs into the range
of respondents its continuous rows are searched over. :mod:`.recompute`, :mod:`.grim`
and :mod:`.denominators` all build on these.

References
----------
Brown NJL, Heathers JAJ. The GRIM test. Soc Psychol Personal Sci 2017;8:363-9 (the same
arithmetic, applied to percentages). Sveinsdottir et al. Pain Med 2022 (Tables 1-2).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import pandas as pd

from ipsrep.inputs.measures import MEASURES
from ipsrep.inputs.published import load_published
from ipsrep.methods.granularity import denominators_for
from ipsrep.methods.rounding import decimals_of

__all__ = [
    "CONTINUOUS_ROWS",
    "whole_number_span",
    "implied_denominators",
    "percentage_denominator_table",
    "table1_valid_n_range",
]

CONTINUOUS_ROWS: tuple[str, ...] = ("age",) + tuple(m.name for m in MEASURES)
"""Table 1's continuous rows (mean and SD per group) in table order."""


def whole_number_span(values: Sequence[int]) -> str:
    """Compact text of whole numbers: ``[29, 30, 31, 33]`` -> ``"29-31, 33"``."""
    values = sorted(int(v) for v in values)
    if not values:
        return "none"
    parts, start, prev = [], values[0], values[0]
    for v in values[1:] + [None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(parts)


def implied_denominators(count: int, printed_pct: str, *, n_max: int | None = None) -> dict[str, list[int]]:
    """Denominators n for which ``100 * count / n`` prints as `printed_pct`.

    Parameters
    ----------
    count : int
        The printed count.
    printed_pct : str
        The percentage as printed (its decimals set the rounding window).
    n_max : int, optional
        Largest denominator considered (e.g. the group size).

    Returns
    -------
    dict
        ``rounded``: the n that round to it (:func:`ipsrep.methods.granularity.denominators_for`);
        ``truncated``: the n whose percentage, with its further digits cut off, prints as
        it (``P <= 100 k / n < P + unit``), in exact fractions.

    Examples
    --------
    >>> implied_denominators(11, "32.3", n_max=38)
    {'rounded': [], 'truncated': [34]}
    >>> implied_denominators(11, "32.4", n_max=38)["rounded"]
    [34]
    """
    if int(count) != count or count < 0:
        raise ValueError(f"count must be a whole number >= 0, got {count!r}")
    d = decimals_of(printed_pct)
    rounded = denominators_for(int(count), float(printed_pct), d, n_max)
    p = Fraction(str(printed_pct).strip())
    unit = Fraction(1, 10**d)
    top = n_max if n_max is not None else (math.floor(100 * count / p) if p > 0 else int(count))
    truncated = [n for n in range(max(int(count), 1), int(top) + 1) if p <= Fraction(100 * int(count), n) < p + unit]
    return {"rounded": rounded, "truncated": truncated}


# (prefix, group, count key suffix, base) for every printed count with a percentage.
_BENEFIT_ROWS = ("benefit_waa", "benefit_disability", "benefit_other")


def _count_pct_rows(pub: pd.DataFrame) -> list[dict]:
    rows = []
    for key in pub.index:
        if not key.endswith("_pct") or not key.startswith(("t1.", "t2.", "rq2.20h.", "hist.")):
            continue
        stem = key[: -len("_pct")]
        if stem + "_count" not in pub.index:
            continue
        prefix, group = stem.rsplit(".", 1)
        if key.startswith("hist.") and group == "hc":
            base, base_label = int(pub.at["hist.hc_n", "value"]), "historical controls with a 12-month answer"
        elif any(prefix == f"t1.{b}" for b in _BENEFIT_ROWS):
            base = int(pub.at[f"t1.benefit_recipient.{group}_count", "value"])
            base_label = "benefit recipients in the group"
        else:
            base = int(pub.at[f"flow.{group}_n", "value"])
            base_label = "analysed participants in the group"
        rows.append(
            {
                "key": key,
                "count_key": stem + "_count",
                "group": group.upper() if group != "hc" else "historical",
                "base": base,
                "base_label": base_label,
            }
        )
    return rows


def percentage_denominator_table() -> pd.DataFrame:
    """The denominator behind every printed count-and-percentage pair of the trial paper.

    Covers Table 1 (including the benefit types, whose base is the benefit
    recipients), Table 2, the >= 20 hours comparison and the historical controls.

    Returns
    -------
    pandas.DataFrame
        One row per printed percentage: ``key, source, group, count, printed``,
        ``n_rounded, n_truncated`` (admitted denominators, as text), ``n`` (the one
        used: the smallest rounded, else the smallest truncated; NaN if none),
        ``base`` (the group size, or recipients, or the 315 historical controls),
        ``missing`` (base - n), ``verdict`` and ``note``.
    """
    pub = load_published()
    out = []
    for r in _count_pct_rows(pub):
        count = int(pub.at[r["count_key"], "value"])
        printed = str(pub.at[r["key"], "printed"])
        found = implied_denominators(count, printed, n_max=r["base"])
        n: float  # a participant count, or nan when no count fits
        if found["rounded"]:
            n, verdict, note = found["rounded"][0], "consistent", ""
        elif found["truncated"]:
            n, verdict = found["truncated"][0], "consistent_other_variant"
            note = (f"{count}/{n} = {100 * count / n:.3f}% rounds to {round(100 * count / n, decimals_of(printed))}; "
                    f"{printed} is the value with its last digit cut off")
        else:
            n, verdict, note = (
                math.nan,
                "inconsistent",
                f"no denominator up to {r['base']} gives {printed}% for {count}",
            )
        if len(found["rounded"]) > 1:
            note = f"several denominators fit: {whole_number_span(found['rounded'])}"
        out.append({
            "key": r["key"], "source": str(pub.at[r["key"], "source"]),
            "group": r["group"], "count": count, "printed": printed,
            "n_rounded": whole_number_span(found["rounded"]), "n_truncated": whole_number_span(found["truncated"]),
            "n": n, "base": r["base"], "missing": r["base"] - n if not math.isnan(n) else math.nan,
            "verdict": verdict, "note": note,
        })
    return pd.DataFrame(out)


def table1_valid_n_range(table: pd.DataFrame | None = None) -> dict[str, tuple[int, int]]:
    """Range of respondents per group that Table 1's own yes/no rows imply.

    The smallest implied denominator over Table 1's characteristic rows (not the
    benefit types, whose base is the recipients) up to the group size. Table 1 prints
    no n for its continuous rows; this range is where they are searched.

    >>> table1_valid_n_range()
    {'IPS': (29, 38), 'TAU': (16, 20)}
    """
    table = percentage_denominator_table() if table is None else table
    t1 = table[table["key"].str.startswith("t1.") & ~table["key"].str.contains("|".join(_BENEFIT_ROWS))]
    out = {}
    for group in ("IPS", "TAU"):
        g = t1[t1["group"] == group]
        out[group] = (int(g["n"].min()), int(g["base"].max()))
    return out
