"""The ledger as the build collects it from executed notebooks.

A notebook hands its comparison rows (:func:`ipsrep.analyses.paper.compare`, also
available here as :func:`compare`) to :func:`emit`, which displays them and tags them
with a MIME type so that ``ipsrep build`` can collect every notebook's rows into
``ledger.csv`` (:func:`rows_from_notebook`). The columns and status words are defined in
:mod:`ipsrep.methods.comparison`.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from ipsrep.analyses.paper import compare
from ipsrep.methods.comparison import LEDGER_COLUMNS, STATUSES
from ipsrep.report.tables import use_report_tables

__all__ = ["LEDGER_COLUMNS", "STATUSES", "LEDGER_MIMETYPE", "compare", "LedgerDisplay", "emit", "rows_from_notebook",
           "ledger_csv_text", "compare_ledgers", "read_ledger_file", "reproduced_text", "ours_text"]

LEDGER_MIMETYPE = "application/vnd.ipsrep.ledger+json"

use_report_tables()  # every notebook imports this module: its tables show whole cells


RECORD_COMPARISONS = ("audit.registry.",)
"""Key prefixes of ledger rows that set one published record beside another (the
registry entry beside the paper). Neither value is ours: their "Ours" cell stays empty
on the page and the note names both records' values (the CSV keeps the checked value)."""

FOLD_ROWS = 12
"""A ledger display with more rows than this is folded (a ``<details>`` element)."""


def reproduced_text(value) -> str:
    """A reproduced value for reading: up to six significant digits, no exponent, no
    sign on zero, empty when missing.

    >>> reproduced_text(0.29720001), reproduced_text(-0.0), reproduced_text(1.6897e-52), reproduced_text(None)
    ('0.2972', '0', '0', '')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    if v == 0 or abs(v) < 5e-7:
        return "0"
    text = f"{v:.6g}"
    return f"{v:.6f}".rstrip("0").rstrip(".") if "e" in text else text


_PRINTED_DECIMALS = re.compile(r"^[<>≤≥~]?\s*[-+−]?\d*\.(\d+)\s*%?$")


def ours_text(key: str, reproduced, published="") -> str:
    """The "Ours" cell of a ledger row as a reader sees it: empty for a row that sets two
    published records side by side (:data:`RECORD_COMPARISONS`); one decimal more than the
    printed number when one is printed with decimals (so the rounding to the printed
    digits shows: 32.35 beside 32.4); else up to six significant digits.

    >>> ours_text("t2.6m.ips_pct", 32.352941, "32.4"), ours_text("t2.6m.p", 0.3355924, "0.336")
    ('32.35', '0.3356')
    >>> ours_text("t1.n", 58.0, "58"), ours_text("audit.registry.enrollment", 65.0, "67"), ours_text("x", 1.2e-9, "")
    ('58', '', '0')
    >>> ours_text("t4.odi.intercept.p", 1.7e-44, "<0.001"), ours_text("t3.p", 0.0004, "< .001")
    ('< 0.001', '< .001')
    """
    if str(key).startswith(RECORD_COMPARISONS):
        return ""
    try:
        v = float(reproduced)
    except (TypeError, ValueError):
        return reproduced_text(reproduced)
    printed = str(published or "").strip()
    bound = re.fullmatch(r"<\s*(\d*\.?\d+)", printed)
    if bound and math.isfinite(v) and 0 <= v < float(bound.group(1)):
        return f"< {bound.group(1)}"  # as printed: a p below the bound is written as the bound
    m = _PRINTED_DECIMALS.match(printed)
    if m and math.isfinite(v):
        text = f"{v:.{len(m.group(1)) + 1}f}"
        return text[1:] if re.fullmatch(r"-0\.?0*", text) else text
    return reproduced_text(v)


class LedgerDisplay:
    """Rich display of ledger rows: a readable table for people (no row numbers, status
    words, folded when longer than :data:`FOLD_ROWS` rows), JSON for the build."""

    def __init__(self, rows: pd.DataFrame):
        self.rows = rows.reset_index(drop=True)

    def _shown(self) -> pd.DataFrame:
        shown = self.rows.assign(reproduced=[ours_text(k, v, p) for k, v, p in
                                             zip(self.rows["key"], self.rows["reproduced"], self.rows["published"],
                                                 strict=True)])
        shown = shown.astype(object).where(shown.notna(), "")
        return shown.rename(columns={"key": "Key", "source": "Source", "quantity": "Quantity",
                                     "published": "Published", "reproduced": "Ours", "status": "Status",
                                     "note": "Note"})

    def _repr_html_(self) -> str:
        table = self._shown().to_html(index=False, classes="ledger", border=0, escape=True)
        n = len(self.rows)
        opened = "" if n > FOLD_ROWS else " open"
        return (f'<details class="ipsrep-ledger"{opened}><summary>Ledger: {n} row{"s" if n != 1 else ""}'
                f"</summary>{table}</details>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        records = self.rows.to_dict(orient="records")
        for r in records:
            r["reproduced"] = repr(float(r["reproduced"]))
        return {
            LEDGER_MIMETYPE: {"rows": records},
            "text/plain": self._shown().to_string(index=False, max_colwidth=60),
            "text/html": self._repr_html_(),
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


def ledger_csv_text(table: pd.DataFrame) -> str:
    """Ledger rows as CSV text (the columns of :data:`LEDGER_COLUMNS`), ``reproduced`` in
    full precision (``repr``; empty when missing), other missing values empty.

    >>> print(ledger_csv_text(pd.DataFrame([{"key": "a", "source": "s", "quantity": "q", "published": "1.0",
    ...     "reproduced": 0.1 + 0.2, "status": "reproduced", "note": None}])), end="")
    key,source,quantity,published,reproduced,status,note
    a,s,q,1.0,0.30000000000000004,reproduced,
    """
    out = table.reindex(columns=LEDGER_COLUMNS).copy()
    out["reproduced"] = [
        "" if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else repr(float(v))
        for v in out["reproduced"]
    ]
    out = out.astype(object).where(out.notna(), "")
    return out.to_csv(index=False, lineterminator="\n")


def compare_ledgers(a: pd.DataFrame, b: pd.DataFrame, *, rel_tol: float = 1e-9) -> pd.DataFrame:
    """What changed between two ledgers (two builds' ``ledger.csv``), key by key.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Ledgers with at least ``key`` and ``reproduced`` (``quantity``, ``published``
        and ``status`` are used when present); the first row of a repeated key counts.
    rel_tol : float
        Relative tolerance under which two reproduced values count as equal.

    Returns
    -------
    pandas.DataFrame
        One row per key that differs, in `a`'s order then `b`'s new keys: ``key``,
        ``quantity``, ``change`` (``value``, ``status``, ``value and status``, ``only in
        A``, ``only in B``), ``reproduced_a``, ``reproduced_b``, ``status_a``, ``status_b``.

    >>> a = pd.DataFrame({"key": ["x", "y", "z"], "reproduced": [0.1, 2.0, 3.0], "status": ["reproduced"] * 3})
    >>> b = pd.DataFrame({"key": ["x", "y", "w"], "reproduced": [0.1, 2.5, 1.0],
    ...                   "status": ["reproduced", "discrepant", ""]})
    >>> compare_ledgers(a, b)[["key", "change"]].values.tolist()
    [['y', 'value and status'], ['z', 'only in A'], ['w', 'only in B']]
    """
    def prepared(t: pd.DataFrame) -> pd.DataFrame:
        t = t.drop_duplicates("key").set_index("key")
        out = pd.DataFrame(index=t.index)
        out["quantity"] = t["quantity"].fillna("").astype(str) if "quantity" in t else ""
        out["reproduced"] = pd.to_numeric(t["reproduced"], errors="coerce")
        out["status"] = t["status"].fillna("").astype(str) if "status" in t else ""
        return out

    left, right = prepared(a), prepared(b)
    rows = []
    for key in [*left.index, *(k for k in right.index if k not in left.index)]:
        ra = left.loc[key] if key in left.index else None
        rb = right.loc[key] if key in right.index else None
        if ra is not None and rb is not None:
            va, vb = ra["reproduced"], rb["reproduced"]
            same_value = (pd.isna(va) and pd.isna(vb)) or (
                not pd.isna(va) and not pd.isna(vb) and math.isclose(va, vb, rel_tol=rel_tol, abs_tol=1e-12))
            same_status = ra["status"] == rb["status"]
            if same_value and same_status:
                continue
            change = (
                "value and status" if not (same_value or same_status) else ("value" if not same_value else "status")
            )
        else:
            change = "only in A" if ra is not None else "only in B"
        quantity = ra["quantity"] if ra is not None else rb["quantity"] if rb is not None else ""
        rows.append({"key": key, "quantity": quantity, "change": change,
                     "reproduced_a": ra["reproduced"] if ra is not None else float("nan"),
                     "reproduced_b": rb["reproduced"] if rb is not None else float("nan"),
                     "status_a": ra["status"] if ra is not None else "",
                     "status_b": rb["status"] if rb is not None else ""})
    return pd.DataFrame(rows, columns=["key", "quantity", "change", "reproduced_a", "reproduced_b",
                                       "status_a", "status_b"])


def read_ledger_file(path: str) -> pd.DataFrame:
    """The ledger.csv of a build, read as the user's file it is (local, bounded; see
    :func:`ipsrep.inputs.datafiles.read_local_csv`). Raises ValueError (one line) when it
    cannot be read or has no ``key`` or ``reproduced`` column."""
    from ipsrep.inputs.datafiles import UnreadableFile, read_local_csv

    try:
        table = read_local_csv(path, dtype={"key": str, "status": str, "published": str})
    except UnreadableFile as err:
        raise ValueError(f"cannot read {err}") from None
    missing = [c for c in ("key", "reproduced") if c not in table.columns]
    if missing:
        raise ValueError(f"{path} is not a ledger (no column {', '.join(missing)}; "
                         f"expected the columns {', '.join(LEDGER_COLUMNS)})")
    return table
