"""The data contract's columns: their names, kinds, allowed values and meaning.

One :class:`Field` per column of a participant-level CSV (``data/README.md`` prints them
as a table, :func:`contract_table`), and the shape of a participant id
(:func:`id_problem`). The repeated-measure columns and their legal ranges come from
:mod:`ipsrep.inputs.measures`. Checking a file against them is :mod:`ipsrep.inputs.contract`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ipsrep.inputs import measures

__all__ = ["BENEFITS", "FIELDS", "FIELD_BY_NAME", "HOURS_IN_12_MONTHS", "ID_PATTERN", "POSITION", "Field",
           "column_names", "contract_table", "id_problem"]

BENEFITS: tuple[str, ...] = ("work_assessment_allowance", "disability", "other", "none")
"""Labels of the ``benefits`` column (main benefit received at baseline)."""

HOURS_IN_12_MONTHS = 366 * 24
"""Upper bound of ``hours_12m``: the hours in 12 months, leap day included (8,784)."""

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,39}")
"""Shape of a participant id: 3 to 40 letters, digits, ``.``, ``_`` or ``-``, starting
with a letter or digit; :func:`id_problem` also asks for at least one letter and one
digit, so that no id reads as a word (``Table``, ``mean``, ``IPS``) or a number (``17``)
on a page, and the build's search for participant rows in its outputs is exact."""


@dataclass(frozen=True)
class Field:
    """One contract column: its name, kind, allowed values and meaning.

    ``kind`` is ``"id"`` (free text, unique), ``"label"`` (one of ``labels``),
    ``"binary"`` (0 or 1) or ``"number"`` (``low`` to ``high``; ``high`` None for no
    upper bound). ``required`` columns may not have empty cells.
    """

    name: str
    kind: str
    meaning: str
    labels: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    required: bool = False

    @property
    def type(self) -> str:
        """Type as written in data/README.md."""
        return {"id": "text", "label": "text", "binary": "0/1", "number": "number"}[self.kind]

    @property
    def allowed(self) -> str:
        """Allowed values, in words (without the empty cell)."""
        if self.kind == "id":
            return ("unique; 3-40 letters, digits, '.', '_' or '-', with at least one letter "
                    "and one digit (e.g. P017)")
        if self.kind == "label":
            return ", ".join(self.labels)
        if self.kind == "binary":
            return "0, 1"
        if self.high is None:
            return f"{self.low:g} or more"
        return f"{self.low:g}-{self.high:g}"

    @property
    def numeric(self) -> bool:
        return self.kind in ("binary", "number")


def _visit_words(visit: str) -> str:
    months = int(visit.rstrip("m"))
    return "baseline" if months == 0 else f"{months} months"


def _fields() -> tuple[Field, ...]:
    out = [
        Field("participant_id", "id", "Participant identifier; one row per participant",
              required=True),
        Field("group", "label", "Randomised arm: IPS = Individual Placement and Support "
              "added to treatment as usual; TAU = treatment as usual alone",
              labels=measures.GROUPS, required=True),
        Field("female", "binary", "1 = woman, 0 = man"),
        Field("age", "number", "Age in years at enrolment", low=18, high=65),
        Field("higher_education", "binary", "1 = higher education (Table 1's row; the paper does not define it)"),
        Field("married", "binary", "1 = married or living with a partner"),
        Field("has_children", "binary", "1 = has children"),
        Field("out_of_work_over_2y", "binary",
              "1 = outside working life for more than two years at enrolment"),
        Field("benefits", "label", "Main benefit at enrolment", labels=BENEFITS),
    ]
    for visit in measures.FOLLOW_UPS:
        out.append(Field(f"employed_{visit}", "binary",
                         f"1 = held a competitive job at some time between enrolment and the "
                         f"{visit.removesuffix('m')}-month follow-up (cumulative)"))
    out += [
        Field("hours_12m", "number", "Total hours of competitive work in the 12 months after "
              "enrolment (0 for a participant without a job)", low=0, high=HOURS_IN_12_MONTHS),
        Field("worked_20h_week_12m", "binary",
              "1 = worked 20 hours or more in at least one week within the 12 months"),
    ]
    for m in measures.MEASURES:
        for visit in measures.VISITS:
            out.append(Field(m.column(visit), "number", f"{m.label} at {_visit_words(visit)}",
                             low=float(m.low), high=float(m.high)))
    return tuple(out)


FIELDS: tuple[Field, ...] = _fields()
"""Every contract column, in the order the report keeps them."""
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
"""Every contract column by name."""
POSITION: dict[str, int] = {f.name: i for i, f in enumerate(FIELDS)}
"""Each contract column's place in :data:`FIELDS` (the order violations are listed in)."""


def column_names() -> list[str]:
    """Names of the contract's columns, in contract order."""
    return [f.name for f in FIELDS]


def contract_table() -> pd.DataFrame:
    """The contract as a table: one row per column.

    Returns
    -------
    DataFrame with columns ``column, type, allowed, missing_allowed, meaning``; the
    table printed in data/README.md.

    Examples
    --------
    >>> contract_table().set_index("column").loc["hscl_6m", ["type", "allowed"]].tolist()
    ['number', '1-4']
    """
    return pd.DataFrame(
        [(f.name, f.type, f.allowed, "no" if f.required else "yes", f.meaning) for f in FIELDS],
        columns=["column", "type", "allowed", "missing_allowed", "meaning"],
    )


def id_problem(cell: str) -> str | None:
    """Why `cell` cannot be a participant id (see :data:`ID_PATTERN`), or None.

    >>> id_problem("P017") is None
    True
    >>> print(id_problem("Table"))  # doctest: +NORMALIZE_WHITESPACE
    'Table' has no digit; an id needs at least one letter and one digit (e.g. P017), so that it cannot be read
    as a word on a page
    """
    if not ID_PATTERN.fullmatch(cell):
        if len(cell) < 3 or len(cell) > 40:
            return (f"{cell!r} has {len(cell)} characters; an id has 3-40 letters, digits, "
                    "'.', '_' or '-'")
        return (f"{cell!r} is not an id: use 3-40 letters, digits, '.', '_' or '-', starting "
                "with a letter or digit (no spaces or other characters)")
    if not any(c.isdigit() for c in cell):
        return (f"{cell!r} has no digit; an id needs at least one letter and one digit "
                "(e.g. P017), so that it cannot be read as a word on a page")
    if not any(c.isalpha() for c in cell):
        return (f"{cell!r} has no letter; an id needs at least one letter and one digit "
                "(e.g. P017), so that it cannot be read as a number on a page")
    return None
