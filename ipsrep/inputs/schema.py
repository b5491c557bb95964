"""The pandera schema of the data contract, and its failures as :class:`Violation` lines.

Step 5 of the check of a file (:mod:`ipsrep.inputs.contract`): allowed sets and ranges
per column, a non-empty and unique ``participant_id``, a non-empty ``group``, both arms
present, and the cross-column rules (:data:`ipsrep.inputs.rules.RULES`) as pandera wide
checks, validated ``lazy=True`` so that every failure is collected. Pandera is imported
on first use.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ipsrep.inputs import measures
from ipsrep.inputs.fields import FIELD_BY_NAME, Field, column_names, id_problem
from ipsrep.inputs.rules import RULE_BY_NAME, RULES

if TYPE_CHECKING:  # imported lazily at run time (_pandera)
    import pandera.pandas as pa

__all__ = ["MIN_PER_ARM", "trial_schema", "schema_violations"]


def _pandera():
    """pandera, imported on first use: loading a file the build has already checked
    (``trusted_sha256``) needs no schema, and pandera takes about a second to import."""
    return importlib.import_module("pandera.pandas")


MIN_PER_ARM = 2
"""Participants each arm needs: a t-test (Tables 1 and 3, hours) needs a standard deviation
per group, which one participant cannot give."""


def _column_schema(f: Field) -> pa.Column:
    pa = _pandera()
    if f.kind == "id":
        shape = pa.Check(lambda s: s.map(lambda x: x is None or id_problem(x) is None).astype(bool),
                         name="id_shape", ignore_na=True)
        return pa.Column(None, shape, nullable=False, unique=True)
    if f.kind == "label":
        checks = [pa.Check.isin(list(f.labels))]
        if f.name == "group":
            checks += [pa.Check(lambda s, g=g: int((s == g).sum()) >= MIN_PER_ARM, name=f"has_{g}")
                       for g in f.labels]
        return pa.Column(None, checks, nullable=not f.required)
    if f.kind == "binary":
        return pa.Column(float, pa.Check.isin([0.0, 1.0]), nullable=True)
    if f.high is None:
        return pa.Column(float, pa.Check.ge(f.low), nullable=True)
    return pa.Column(float, pa.Check.in_range(f.low, f.high), nullable=True)


def _within_contract(table: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """`columns` of the parsed `table` with values outside their allowed set or range
    made NaN, so that a rule between columns never repeats a value error."""
    out = {}
    for name in columns:
        f, x = FIELD_BY_NAME[name], table[name]
        if f.kind == "binary":
            ok = x.isin([0, 1])
        elif f.kind == "number":
            ok = (x >= f.low) & (x <= (np.inf if f.high is None else f.high))
        else:
            ok = x.isin(f.labels)
        out[name] = x.where(ok)
    return pd.DataFrame(out, index=table.index)


def trial_schema(columns: Iterable[str] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of the contract's value checks and cross-column rules.

    Parameters
    ----------
    columns : the columns present (default: all contract columns). Rules needing an
        absent column are left out, so a file missing a column is still checked on
        everything else.

    It validates the parsed table of :func:`check_trial_file` (text columns as text,
    every numeric column as float with NaN for an empty cell), not the loaded table.
    """
    pa = _pandera()
    present = column_names() if columns is None else [c for c in column_names() if c in set(columns)]
    checks = [
        pa.Check(lambda t, r=r: ~r.broken(_within_contract(t, r.needs)), name=r.name,
                 ignore_na=False)
        for r in RULES if set(r.needs) <= set(present)
    ]
    return pa.DataFrameSchema({c: _column_schema(FIELD_BY_NAME[c]) for c in present},
                              checks=checks, name="ipsrep trial contract")


def _value_message(f: Field, cell: str) -> str:
    if f.kind == "label":
        hint = [g for g in f.labels if g.lower() == cell.lower()]
        tip = f" (did you mean {hint[0]!r}?)" if hint else ""
        return f"{cell!r} is not allowed{tip}; allowed: {f.allowed}" + (
            "" if f.required else " or empty")
    if f.kind == "binary":
        return f"{cell} is not allowed; allowed: 0, 1 or empty"
    if f.high is None:
        return f"{cell} is below {f.low:g}; allowed: {f.allowed}"
    return f"{cell} is outside {f.allowed}"


def schema_violations(table: pd.DataFrame, grid: dict[int, list[str]], positions: dict[str, int],
              v: Callable[..., None], *, all_rows: bool = True) -> None:
    """Run the pandera schema on the parsed `table` (indexed by line; `grid` holds each line's
    cells, `positions` each column's place) and report its failures through `v`
    (column, line, message, participant id); the participants per arm only when `all_rows`
    (no line was left unchecked)."""
    pa = _pandera()
    try:
        trial_schema(table.columns).validate(table, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases

    def cell(line_no: int, column: str) -> str:
        return grid[line_no][positions[column]]

    def pid(line_no: int | None) -> str | None:
        if line_no is None or "participant_id" not in positions:
            return None
        return cell(line_no, "participant_id") or None

    first_line: dict[str, int] = {}
    if "participant_id" in positions:
        for grid_line in grid:
            first_line.setdefault(cell(grid_line, "participant_id"), grid_line)
    done: set[tuple[str, int | None]] = set()
    bad_labels = bool(((cases["column"] == "group") & ~cases["check"].astype(str).str.startswith("has_")).any())
    for case in cases.itertuples(index=False):
        check, column = str(case.check), case.column
        line_no = None if pd.isna(case.index) else int(case.index)
        if check in RULE_BY_NAME:
            if (check, line_no) in done:
                continue  # pandera lists a broken wide check once per column
            done.add((check, line_no))
            rule = RULE_BY_NAME[check]
            assert line_no is not None  # a wide check fails row by row
            row = table.loc[line_no]  # one row: the index holds each line once (pandas-stubs: `Series | DataFrame`)
            v(rule.column, line_no, rule.explain(row), pid(line_no))  # type: ignore[arg-type]
        elif check.startswith("has_"):
            if ("arms", None) in done or bad_labels or not all_rows:
                continue  # one line for both arms; none when a label is wrong (that line says it)
            done.add(("arms", None))
            arms = ", ".join(f"{g} {int((table[column] == g).sum())}" for g in measures.GROUPS)
            v(column, None, f"participants per arm {arms}; the two-arm analyses need at least {MIN_PER_ARM} in "
                            f"each arm (a t-test needs a standard deviation per group)")
        elif check == "not_nullable":
            what = "every row needs a participant id" if column == "participant_id" else (
                f"allowed: {FIELD_BY_NAME[column].allowed}")
            v(column, line_no, f"empty; {what}", pid(line_no))
        elif check == "id_shape":
            assert line_no is not None  # an element check fails row by row
            v(column, line_no, id_problem(cell(line_no, column)) or "not an id")
        elif check == "field_uniqueness":
            assert line_no is not None  # a duplicate is a row
            used = cell(line_no, column)
            if first_line[used] != line_no:
                v(column, line_no, f"{used!r} is already used on line {first_line[used]}; "
                                   "one row per participant", used)
        elif case.schema_context == "Column":  # the column's allowed set or range
            assert line_no is not None  # an element check fails row by row
            v(column, line_no, _value_message(FIELD_BY_NAME[column], cell(line_no, column)),
              pid(line_no))
        else:  # not expected: pandera failed in a way the contract does not describe
            v(column, line_no, f"failed pandera check {check} ({case.failure_case!r})",
              pid(line_no))
