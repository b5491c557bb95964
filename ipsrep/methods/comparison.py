"""Comparing a computed value with the number a source prints: the ledger's rows.

Each notebook compares the numbers it computes with the printed ones; :func:`compare`
sets them side by side under the published key with a status, and
:mod:`ipsrep.report.ledger` collects every notebook's rows into ``ledger.csv``. Columns:
``key, source, quantity, published, reproduced, status, note``.

Status vocabulary:

- ``reproduced``: a value computed from participant-level data rounds to the printed
  digits (a printed bound such as "< 0.001" is reproduced when the value satisfies it;
  :func:`ipsrep.methods.rounding.rounds_to`);
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

from ipsrep.inputs.published import load_published
from ipsrep.methods.rounding import rounds_to

LEDGER_COLUMNS = ["key", "source", "quantity", "published", "reproduced", "status", "note"]
STATUSES = ("reproduced", "discrepant", "approximate", "source_inconsistent")


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
