"""The published-versus-reproduced ledger.

Each notebook compares the numbers it computes with the printed ones and hands the
comparison to :func:`emit`, which displays it and tags it so that ``ipsrep build`` can
collect every notebook's rows into ``ledger.csv``. Columns: ``key, source, quantity,
published, reproduced, status, note``.

Status vocabulary:

- ``reproduced``: the computed value rounds to the printed digits (a printed bound such
  as "< 0.001" is reproduced when the value satisfies it);
- ``discrepant``: it does not;
- ``approximate``: the value depends on what a reconstruction cannot know (set by the
  caller, e.g. mixed-model coefficients that depend on within-person correlation);
- ``source_inconsistent``: the paper's own numbers disagree with each other (set by
  the caller, with the reason in ``note``).

On data other than the bundled reconstruction the ``published`` and ``status`` cells
stay empty: the same keys then carry the new trial's values.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from .published import load_published

LEDGER_COLUMNS = ["key", "source", "quantity", "published", "reproduced", "status", "note"]
STATUSES = ("reproduced", "discrepant", "approximate", "source_inconsistent")
LEDGER_MIMETYPE = "application/vnd.ipsrep.ledger+json"


def rounds_to(value: float, printed: str, relation: str = "=") -> bool:
    """True when `value` would be printed as `printed` (same digits after the point).

    Rounding ties are accepted either way, since the paper's software is not known to
    round half up or half to even.

    >>> rounds_to(0.33596, "0.336"), rounds_to(1.7589, "1.76"), rounds_to(0.0004, "0.001", "<")
    (True, True, True)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    target = float(printed)
    if relation == "<":
        return value < target
    if relation == ">":
        return value > target
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    half = 0.5 * 10.0 ** (-decimals)
    return abs(value - target) <= half * (1 + 1e-9)


def compare(
    reproduced: Mapping[str, float],
    *,
    bundled: bool = True,
    status: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    quantities: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Ledger rows for computed values, set beside the published numbers by key.

    `reproduced` maps ledger keys to the values computed from the data in use. A key that
    is not published (in ``data/published/``) is our own quantity: say what it is in
    `quantities` (or, as before, in `notes`); its source is ``ipsrep`` and its status empty.
    `status` overrides the computed status for chosen keys (``approximate`` or
    ``source_inconsistent``); `notes` adds an explanation per key. With
    ``bundled=False`` the published and status columns are left empty.
    """
    published = load_published()
    status = dict(status or {})
    notes = dict(notes or {})
    quantities = dict(quantities or {})
    bad = set(status.values()) - set(STATUSES)
    if bad:
        raise ValueError(f"unknown ledger status {sorted(bad)}; allowed: {', '.join(STATUSES)}")
    rows = []
    for key, val in reproduced.items():
        val = float(val) if val is not None else math.nan
        if key in published.index:
            pub = published.loc[key]
            source, quantity = pub["source"], pub["quantity"]
            printed = pub["printed"] if pub["relation"] == "=" else f"{pub['relation']}{pub['printed']}"
            ok = rounds_to(val, pub["printed"], pub["relation"])
        else:
            source, printed, ok = "ipsrep", "", None
            quantity = quantities.get(key, notes.get(key, ""))
        row_status = status.get(key) or ("" if ok is None else "reproduced" if ok else "discrepant")
        rows.append(
            {
                "key": key,
                "source": source,
                "quantity": quantity,
                "published": printed if bundled else "",
                "reproduced": val,
                "status": row_status if bundled else "",
                "note": notes.get(key, "") if (key in published.index or key in quantities) else "",
            }
        )
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


class LedgerDisplay:
    """Rich display of ledger rows: a readable table for people, JSON for the build."""

    def __init__(self, rows: pd.DataFrame):
        self.rows = rows.reset_index(drop=True)

    def _repr_mimebundle_(self, include=None, exclude=None):
        records = self.rows.to_dict(orient="records")
        for r in records:
            r["reproduced"] = repr(float(r["reproduced"]))
        styled = self.rows.assign(reproduced=self.rows["reproduced"].map(lambda v: f"{v:.6g}"))
        return {
            LEDGER_MIMETYPE: {"rows": records},
            "text/plain": styled.to_string(index=False),
            "text/html": styled.to_html(index=False, classes="ledger", border=0),
        }


def emit(*frames: pd.DataFrame) -> LedgerDisplay:
    """Combine ledger frames into one display object; the last expression of a cell.

    ``ipsrep build`` reads the ``application/vnd.ipsrep.ledger+json`` output of every
    executed notebook and writes them, in notebook order, to ``ledger.csv``.
    """
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LEDGER_COLUMNS)
    return LedgerDisplay(rows[LEDGER_COLUMNS])


def rows_from_notebook(nb) -> pd.DataFrame:
    """Ledger rows displayed by an executed notebook (nbformat node), in cell order."""
    records = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if LEDGER_MIMETYPE in data:
                records.extend(data[LEDGER_MIMETYPE]["rows"])
    table = pd.DataFrame(records, columns=LEDGER_COLUMNS)
    table["reproduced"] = table["reproduced"].astype(float)
    return table
