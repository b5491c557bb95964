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
- ``source_inconsistent``: the paper's own numbers disagree with each other, so a
  reproduction cannot match every one of them (set by the caller, with the reason in
  ``note``);
- ``consistent``: a check of printed numbers against each other (no participant data):
  the value recomputed from other printed numbers falls within what their rounding
  admits (``compare(..., check=True)``, :mod:`ipsrep.audit.ledger_rows`; the admissible
  range or the matching variant is in ``note``);
- ``inconsistent``: such a check fails; the printed numbers disagree.

``reproduced`` is kept for reproductions from participant-level data: a value computed
from printed numbers alone is ``consistent`` or ``inconsistent``, never ``reproduced``.

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
STATUSES = ("reproduced", "discrepant", "approximate", "source_inconsistent", "consistent", "inconsistent")
"""Every ledger status, in the order the report lists them."""
CHECK_STATUSES = ("consistent", "inconsistent")
"""The statuses of checks of printed numbers against printed numbers."""


def compare(
    reproduced: Mapping[str, float],
    *,
    bundled: bool = True,
    status: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    quantities: Mapping[str, str] | None = None,
    check: bool = False,
) -> pd.DataFrame:
    """Ledger rows for computed values, set beside the published numbers by key.

    `reproduced` maps ledger keys to the values computed from the data in use. A key that
    is not published (in ``data/published/``) is our own quantity: say what it is in
    `quantities` (or, as before, in `notes`); its source is ``ipsrep`` and its status empty.
    `status` overrides the computed status for chosen keys (``approximate``,
    ``source_inconsistent``, ...); `notes` adds an explanation per key. With
    ``bundled=False`` the published and status columns are left empty.

    With ``check=True`` the values were computed from printed numbers only (a check of
    the sources against each other, not a reproduction from participant data): the
    status is then ``consistent`` or ``inconsistent`` instead of ``reproduced`` or
    ``discrepant``.

    >>> compare({"t2.12m.ips_count": 19}, check=True)["status"].tolist()
    ['consistent']
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
        good, bad = CHECK_STATUSES if check else ("reproduced", "discrepant")
        row_status = status.get(key) or ("" if ok is None else good if ok else bad)
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
