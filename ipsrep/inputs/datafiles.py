"""Reading the small CSV files bundled under ``data/`` with every problem in one message.

The pilot's participant and provenance tables (:mod:`ipsrep.analyses.pilot`) and the interview
codebook, themes and quotations (:mod:`ipsrep.analyses.qualitative`) are hand-made CSV files. A
reader who edits one for a "what if" should learn from a single message every cell
that breaks the file's rules, named by file, column, line and record, rather than a
traceback about the first one.
"""
from __future__ import annotations

import hashlib

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa


def read_checked_csv(path: str | Path, schema: pa.DataFrameSchema, id_column: str) -> pd.DataFrame:
    """Read a small bundled CSV and validate it with `schema`, every failure in one message.

    Parameters
    ----------
    path : str or Path
        The CSV (header on line 1, first record on line 2).
    schema : pandera.DataFrameSchema
        Column types, allowed values and whole-table checks.
    id_column : str
        Column naming each record, quoted in messages.

    Returns
    -------
    pandas.DataFrame
        The validated table (pandera's coerced dtypes).

    Raises
    ------
    ValueError
        ``<file>: column '<c>', line <n> (<id>): <value> is not allowed: <check>``, one
        line per failure, or a missing-file / missing-column message.

    Notes
    -----
    Every cell is read as text and empty cells become missing; integer columns also
    accept a whole number written with a decimal point (``7.0``). Validation is
    pandera's lazy mode (``schema.validate(table, lazy=True)``), which collects every
    failure case before raising; each is reported once, and a column-wide echo of
    failures already listed cell by cell is dropped.

    References
    ----------
    Niels Bantilan. pandera: Statistical Data Validation of Pandas Dataframes.
    Proceedings of the 19th Python in Science Conference (SciPy 2020), 116-24.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: file not found")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in schema.columns if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(schema.columns)}")
    table = raw.replace("", np.nan)
    for name, column in schema.columns.items():  # "7.0" is a whole number too
        if "int" in str(column.dtype).lower():
            numbers = pd.to_numeric(table[name], errors="coerce")
            whole = numbers.notna() & (numbers % 1 == 0)
            table[name] = table[name].where(~whole, numbers[whole].astype("Int64").astype(str))
    try:
        return schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems: dict[tuple, str] = {}
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) and case.column != schema.name else None
        row = None if pd.isna(case.index) else int(case.index)
        if row is None and any(k[0] == column and k[1] is not None for k in problems):
            continue  # a column-wide echo of cell errors already listed
        check = str(case.check)
        what = "is not a whole number" if "dtype" in check and "int" in check.lower() else f"is not allowed: {check}"
        where = f"column {column!r}" if column else "table"
        if row is not None:
            where += f", line {row + 2} ({raw.at[row, id_column] or 'no id'})"
        problems.setdefault((column, row), f"{path.name}: {where}: {case.failure_case!r} {what}")
    lines = list(problems.values())
    raise ValueError(f"{path}: {len(lines)} problem(s)\n" + "\n".join(lines))


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
