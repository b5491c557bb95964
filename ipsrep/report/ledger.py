"""The ledger as the build collects it from executed notebooks.

A notebook hands its comparison rows (:func:`ipsrep.methods.comparison.compare`, also
available here as :func:`compare`) to :func:`emit`, which displays them and tags them
with a MIME type so that ``ipsrep build`` can collect every notebook's rows into
``ledger.csv`` (:func:`rows_from_notebook`). The columns and status words are defined in
:mod:`ipsrep.methods.comparison`.
"""
from __future__ import annotations

import pandas as pd

from ipsrep.methods.comparison import LEDGER_COLUMNS, STATUSES, compare

__all__ = ["LEDGER_COLUMNS", "STATUSES", "LEDGER_MIMETYPE", "compare", "LedgerDisplay", "emit", "rows_from_notebook"]

LEDGER_MIMETYPE = "application/vnd.ipsrep.ledger+json"


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
