"""The data contract: what a participant-level CSV must look like for the report to run.

One row per analysed participant, comma-separated, UTF-8, a header line naming the
columns, an empty cell for a missing value. The columns, their allowed values and the
rules between columns are listed in ``data/README.md``; here they are code. The list
of repeated-measure columns and their legal ranges come from :mod:`ipsrep.inputs.measures`,
the arms from ``measures.GROUPS``, the employment follow-ups from
``measures.FOLLOW_UPS``.

How a file is checked (:func:`check_trial_file`), in order:

1. Reading, by hand: the file must exist, be a file, be readable, be text (not a
   spreadsheet or other binary), decode as UTF-8, not be empty, be comma-separated
   (a header split by ``;`` or tabs is named as such) and hold at least one
   participant row. Each of these stops the check, since nothing after it can be read.
2. The header, by hand: columns missing from it, columns the contract does not know
   (with the nearest known name as a hint), empty or repeated header cells.
3. The rows, by hand: a row with more or fewer cells than the header (typically an
   unquoted comma inside a value) is reported and left out of the value checks; a row
   of only empty cells is reported once rather than cell by cell.
4. Numbers, by hand with Python's ``float`` (words such as ``nan``, ``inf`` and digit
   separators refused): a cell of text in a numeric column is reported and then treated
   as missing, so that one typo yields one message and does not stop the range and
   cross-column checks on the rest of the column (pandera's own dtype coercion would
   leave the whole column unconverted in lazy mode, and ``pandas.to_numeric`` on text
   cells is several times slower on a 5,000-row file).
5. Values and rules, with pandera (:func:`trial_schema`, validated ``lazy=True`` so that
   every failure is collected): allowed sets and ranges per column, non-empty and
   unique ``participant_id``, non-empty ``group``, both arms present, and the
   cross-column rules (:data:`RULES`) as pandera wide checks. Pandera's failure cases
   are translated into :class:`Violation` objects that name the file, column, line
   and participant.

Line numbers are the line numbers of the file as a text editor shows them: the header
is line 1, the first participant is line 2 (a quoted value spanning several lines is
reported at the line where its row starts).

Scores off an instrument's grid (e.g. an ODI of 37 where the questionnaire gives even
numbers) are not violations: real data can hold prorated scores from questionnaires
with a skipped item. Only the legal range of each instrument is checked.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import importlib
import io
import math
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ipsrep import paths
from ipsrep.inputs import measures
from ipsrep.inputs.terminal import terminal_safe  # re-exported: callers import it from here

if TYPE_CHECKING:  # imported lazily at run time (_pandera)
    import pandera.pandas as pa

__all__ = [
    "BENEFITS",
    "FIELDS",
    "RULES",
    "ContractError",
    "DataFileError",
    "Field",
    "Rule",
    "Violation",
    "check_trial_file",
    "column_names",
    "contract_table",
    "load_trial",
    "load_trial_checked",
    "read_data_bytes",
    "terminal_safe",
    "trial_schema",
    "validate_command",
    "violations_frame",
]

BENEFITS: tuple[str, ...] = ("work_assessment_allowance", "disability", "other", "none")
"""Labels of the ``benefits`` column (main benefit received at baseline)."""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest data file read (64 MiB, some 300,000 participants): a larger file is refused
at once, before anything is parsed."""

HOURS_IN_12_MONTHS = 366 * 24
"""Upper bound of ``hours_12m``: the hours in 12 months, leap day included (8,784)."""

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,39}")
"""Shape of a participant id: 3 to 40 letters, digits, ``.``, ``_`` or ``-``, starting
with a letter or digit; :func:`id_problem` also asks for at least one letter and one
digit, so that no id reads as a word (``Table``, ``mean``, ``IPS``) or a number (``17``)
on a page, and the build's search for participant rows in its outputs is exact."""

_NA_WORDS = {"na", "n/a", "nan", "null", "none", "missing", ".", "-", "?", "#n/a", "<na>"}


# --------------------------------------------------------------------------------------
# The columns
# --------------------------------------------------------------------------------------
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
_FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
_POSITION: dict[str, int] = {f.name: i for i, f in enumerate(FIELDS)}


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


# --------------------------------------------------------------------------------------
# The rules between columns
# --------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Rule:
    """A rule between columns of one row.

    ``broken(table)`` is True on the rows that break the rule (rows with a needed cell
    missing never do: the rules bind only where both sides were observed);
    ``explain(row)`` says what is wrong in one row; the violation is reported in
    ``column``.
    """

    name: str
    column: str
    needs: tuple[str, ...]
    text: str
    broken: Callable[[pd.DataFrame], pd.Series] = field(repr=False)
    explain: Callable[[pd.Series], str] = field(repr=False)


def _cumulative_rule(later: str, earlier: tuple[str, ...]) -> Rule:
    def broken(t: pd.DataFrame) -> pd.Series:
        return (t[later] == 0) & (t[list(earlier)] == 1).any(axis=1)

    def explain(row: pd.Series) -> str:
        first = next(c for c in earlier if row[c] == 1)
        return (f"0 after {first} = 1; employment counts any job since enrolment, "
                "so once 1 it stays 1")

    return Rule(f"cumulative_{later}", later, (later, *earlier),
                f"`{later}` cannot be 0 when an earlier employment column "
                f"({', '.join(f'`{c}`' for c in earlier)}) is 1", broken, explain)


def _rules() -> tuple[Rule, ...]:
    employed = [f"employed_{v}" for v in measures.FOLLOW_UPS]
    out = [_cumulative_rule(later, tuple(employed[:i])) for i, later in enumerate(employed) if i]
    out += [
        Rule("hours_need_job", "hours_12m", ("hours_12m", "employed_12m"),
             "`hours_12m` must be 0 when `employed_12m` is 0 (with no job in the 12 months "
             "there are no hours worked)",
             lambda t: (t["hours_12m"] > 0) & (t["employed_12m"] == 0),
             lambda r: (f"{_fmt(r['hours_12m'])} hours with employed_12m = 0; a participant "
                        "with no job in the 12 months worked no hours")),
        Rule("week_20h_needs_job", "worked_20h_week_12m", ("worked_20h_week_12m", "employed_12m"),
             "`worked_20h_week_12m` must be 0 when `employed_12m` is 0",
             lambda t: (t["worked_20h_week_12m"] == 1) & (t["employed_12m"] == 0),
             lambda r: ("1 with employed_12m = 0; a week of 20 hours or more needs a job "
                        "in the 12 months")),
        Rule("week_20h_needs_hours", "worked_20h_week_12m", ("worked_20h_week_12m", "hours_12m"),
             "`worked_20h_week_12m` = 1 needs `hours_12m` of at least 20",
             lambda t: (t["worked_20h_week_12m"] == 1) & (t["hours_12m"] < 20),
             lambda r: (f"1 but hours_12m = {_fmt(r['hours_12m'])}; a week of 20 hours or "
                        "more means at least 20 hours in the 12 months")),
    ]
    return tuple(out)


RULES: tuple[Rule, ...] = _rules()
"""The cross-column rules, each reported in its ``column``."""
_RULE_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


# --------------------------------------------------------------------------------------
# The pandera schema
# --------------------------------------------------------------------------------------
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
        f, x = _FIELD_BY_NAME[name], table[name]
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
    return pa.DataFrameSchema({c: _column_schema(_FIELD_BY_NAME[c]) for c in present},
                              checks=checks, name="ipsrep trial contract")


# --------------------------------------------------------------------------------------
# Violations
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Violation:
    """One breach of the data contract.

    ``row`` is the line number in the file (header = line 1, first participant = line
    2), None for a problem of the whole file or of a whole column; ``column`` and
    ``participant_id`` are None when they do not apply.
    """

    file: str
    column: str | None
    row: int | None
    participant_id: str | None
    message: str

    def line(self) -> str:
        """The violation as one readable line.

        Examples
        --------
        >>> Violation("data.csv", "age", 7, "P07", "17 is outside 18-65").line()
        "data.csv: column 'age', line 7 (participant P07): 17 is outside 18-65"
        >>> Violation("data.csv", None, None, None, "no such file").line()
        'data.csv: no such file'
        """
        where = []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            who = f" (participant {self.participant_id})" if self.participant_id else ""
            where.append(f"line {self.row}{who}")
        place = f"{', '.join(where)}: " if where else ""
        return terminal_safe(f"{self.file}: {place}{self.message}")

    def _order(self) -> tuple:
        return (self.row or 0, _POSITION.get(self.column or "", -1))


def _summary(violations: list[Violation]) -> str:
    n = len(violations)
    return terminal_safe(f"{violations[0].file}: {n} violation{'s' if n != 1 else ''} of the data "
                         "contract (see data/README.md)")


class ContractError(Exception):
    """A file breaks the data contract; ``violations`` lists every breach."""

    def __init__(self, violations: list[Violation]):
        self.violations = list(violations)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join([_summary(self.violations), *(v.line() for v in self.violations)])


def violations_frame(violations: list[Violation]) -> pd.DataFrame:
    """Violations as a table: ``file, column, row, participant_id, message``."""
    return pd.DataFrame([asdict(v) for v in violations],
                        columns=["file", "column", "row", "participant_id", "message"])


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
@dataclass
class _Parsed:
    violations: list[Violation]
    table: pd.DataFrame | None = None
    sha256: str | None = None


class DataFileError(ValueError):
    """The data file cannot be read at all (missing, not a regular file, too large,
    unreadable); the message is one line, without the file name."""


def read_data_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of the data file at `path`, read once and safely.

    Only a regular file is opened for its contents (a FIFO, device or socket is refused
    without waiting on it: it is opened non-blocking and checked again after opening),
    and at most :data:`MAX_FILE_BYTES` are read.

    Raises
    ------
    DataFileError
        One line saying why the file cannot be read (no such file, a folder, not a
        regular file, too large, permission denied).
    """
    from ipsrep.inputs.datafiles import UnreadableFile, read_local_bytes

    try:
        return read_local_bytes(path, limit=MAX_FILE_BYTES, noun="a CSV file", name="",
                                why_large="; the contract's files are a few kilobytes per participant")
    except UnreadableFile as exc:
        raise DataFileError(str(exc).removeprefix(": ")) from None


def sha256_hex(data: bytes) -> str:
    """SHA-256 of `data`, hex."""
    return hashlib.sha256(data).hexdigest()


def _read_text(path: Path, label: str, data: bytes | None = None) -> tuple[str | None, Violation | None]:
    """The file's text, or the reason it cannot be read as UTF-8 CSV text."""
    def fail(msg: str) -> tuple[None, Violation]:
        return None, Violation(label, None, None, None, msg)

    if data is None:
        try:
            data = read_data_bytes(path)
        except DataFileError as exc:
            return fail(str(exc))
    if data.startswith(b"PK\x03\x04"):
        return fail("is a zip archive or spreadsheet (e.g. .xlsx), not CSV text; "
                    "export it as CSV (comma-separated, UTF-8)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return fail("is UTF-16 text; save it as UTF-8 CSV")
    if b"\x00" in data[:65536]:
        return fail("is a binary file (it contains NUL bytes), not CSV text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return fail(f"is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot "
                    "be decoded; save the file as UTF-8 (in Excel: 'CSV UTF-8')")
    return text, None


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """(line where the row starts, cells) for every row, blank lines left out."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    start = 1
    try:
        for cells in reader:
            if cells:
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:  # a cell past csv's field size limit (131,072 characters)
        raise _CellTooLarge(start, str(exc)) from None


class _CellTooLarge(ValueError):
    def __init__(self, line: int, why: str):
        super().__init__(why)
        self.line = line


def _separator(header_line: str) -> str:
    """The character that splits the header: a comma unless ';' or a tab is commoner."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: (counts[s], s == ","))


def _check_header(header: list[str], v: Callable[..., None]) -> dict[str, int]:
    """Report header problems; return {contract column: cell position} of usable ones."""
    known = column_names()
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        if name == "":
            v(None, None, f"header cell {i + 1} is empty; every column needs a name "
                          "from the contract")
        elif name in positions:
            v(name, None, f"appears twice in the header (cells {positions[name] + 1} "
                          f"and {i + 1}); only the first is checked")
        elif name in _FIELD_BY_NAME:
            positions[name] = i
        else:
            hint = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.75)
            tip = f" (did you mean {hint[0]!r}?)" if hint else ""
            v(name, None, f"is not a column of the contract{tip}; rename or remove it "
                          "(the columns are listed in data/README.md)")
            positions.setdefault(name, i)
    for name in known:
        if name not in positions:
            v(name, None, "is missing from the header; the contract requires it "
                          "(leave its cells empty where it was not measured)")
    return {k: i for k, i in positions.items() if k in _FIELD_BY_NAME}


def _parse(path: str | Path, *, label: str | None = None, trusted_sha256: str | None = None) -> _Parsed:
    """Read and check the file at `path` (named `label` in messages). When the SHA-256 of
    its bytes equals `trusted_sha256` (a file checked before), the rows are typed without
    the header and value checks."""
    label = str(path) if label is None else label
    out: list[Violation] = []

    def v(column: str | None, row: int | None, message: str, pid: str | None = None) -> None:
        out.append(Violation(label, column, row, pid, message))

    if not str(path).strip():
        return _Parsed([Violation("ipsrep", None, None, None, "no file name given")])
    try:
        data = read_data_bytes(paths.resolve(path))
    except DataFileError as exc:
        return _Parsed([Violation(label, None, None, None, str(exc))])
    digest = sha256_hex(data)
    if trusted_sha256 and digest == trusted_sha256:
        return _Parsed([], _trusted_table(data), digest)
    text, problem = _read_text(paths.resolve(path), label, data)
    if problem is not None:
        return _Parsed([problem], None, digest)
    assert text is not None  # _read_text returns the text or the problem
    if not text.strip():
        v(None, None, "the file is empty; the contract asks for a header line naming the "
                      "columns and one line per participant")
        return _Parsed(out)

    try:
        rows = iter(list(_rows(text)))
    except _CellTooLarge as exc:
        v(None, exc.line, f"a cell on this line is longer than {csv.field_size_limit():,} characters "
                          "(no value of the contract comes near); is a closing quote missing?")
        return _Parsed(out)
    _, header = next(rows)
    header = [name.strip() for name in header]
    sep = _separator(",".join(header))
    if sep != ",":
        name = "tabs" if sep == "\t" else f"{sep!r}"
        v(None, None, f"the file is separated by {name}; the contract asks for commas")
        return _Parsed(out)

    positions = _check_header(header, v)
    pid_at = positions.get("participant_id")
    grid: dict[int, list[str]] = {}
    n_rows = 0
    for line_no, cells in rows:
        n_rows += 1
        cells = [c.strip() for c in cells]
        pid = cells[pid_at] if pid_at is not None and pid_at < len(cells) else ""
        if not any(cells):
            v(None, line_no, "every cell is empty; delete the line")
        elif len(cells) != len(header):
            v(None, line_no, f"{len(cells)} cells but the header has {len(header)} (an "
                             "unquoted comma inside a value, or a decimal comma?); the line "
                             "is not checked further", pid or None)
        else:
            grid[line_no] = cells
    if n_rows == 0:
        v(None, None, "the file has a header line but no participant rows")
        return _Parsed(out)

    table = _typed(grid, positions, v)
    _validate(table, grid, positions, v, all_rows=len(grid) == n_rows)
    out.sort(key=Violation._order)
    return _Parsed(out, table, digest)


def _trusted_table(data: bytes) -> pd.DataFrame:
    """The typed table of a file whose bytes passed the contract before (same steps as
    :func:`_parse`, without the checks)."""
    rows = iter(_rows(data.decode("utf-8-sig")))
    _, header = next(rows)
    positions = {name.strip(): i for i, name in enumerate(header) if name.strip() in _FIELD_BY_NAME}
    grid = {line_no: [c.strip() for c in cells] for line_no, cells in rows if any(c.strip() for c in cells)}

    def never(*args, **kwargs) -> None:
        raise ValueError("a file that passed the contract before no longer does")

    return _typed(grid, positions, never)


def _number(cell: str) -> float | None:
    """The number written in `cell` (NaN for an empty cell), None when it is not one."""
    if not cell:
        return math.nan
    try:
        x = float(cell)
    except ValueError:
        return None
    return x if math.isfinite(x) and "_" not in cell else None


def _not_a_number(f: Field, cell: str) -> str:
    if cell.lower() in _NA_WORDS:
        return f"{cell!r} is not a number; leave the cell empty for a missing value"
    if "," in cell:
        return f"{cell!r} is not a number; use a point as decimal separator"
    return f"{cell!r} is not a number; allowed: {f.allowed} or empty"


def _typed(grid: dict[int, list[str]], positions: dict[str, int],
           v: Callable[..., None]) -> pd.DataFrame:
    """The usable rows as a table indexed by line number: text columns as text (None for
    an empty cell), numeric columns as float (NaN for an empty cell). A numeric cell
    holding text is reported and becomes NaN."""
    columns = [c for c in column_names() if c in positions]
    text = [c for c in columns if not _FIELD_BY_NAME[c].numeric]
    numeric = [c for c in columns if _FIELD_BY_NAME[c].numeric]
    pid_at = positions.get("participant_id")
    text_rows, number_rows = [], []
    for line_no, cells in grid.items():
        text_rows.append([cells[positions[c]] or None for c in text])
        numbers = []
        for c in numeric:
            x = _number(cells[positions[c]])
            if x is None:
                v(c, line_no, _not_a_number(_FIELD_BY_NAME[c], cells[positions[c]]),
                  (cells[pid_at] or None) if pid_at is not None else None)
                x = math.nan
            numbers.append(x)
        number_rows.append(numbers)
    index = pd.Index(list(grid), name="line", dtype="int64")
    table = pd.concat([
        pd.DataFrame(text_rows, index=index, columns=text, dtype=object),
        pd.DataFrame(np.array(number_rows, dtype=float).reshape(len(grid), len(numeric)),
                     index=index, columns=numeric),
    ], axis=1)
    return table[columns]


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


def _validate(table: pd.DataFrame, grid: dict[int, list[str]], positions: dict[str, int],
              v: Callable[..., None], *, all_rows: bool = True) -> None:
    """Run the pandera schema on the parsed table and turn its failures into violations
    (the participants per arm only when `all_rows`: no line was left unchecked)."""
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
        if check in _RULE_BY_NAME:
            if (check, line_no) in done:
                continue  # pandera lists a broken wide check once per column
            done.add((check, line_no))
            rule = _RULE_BY_NAME[check]
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
                f"allowed: {_FIELD_BY_NAME[column].allowed}")
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
            v(column, line_no, _value_message(_FIELD_BY_NAME[column], cell(line_no, column)),
              pid(line_no))
        else:  # not expected: pandera failed in a way the contract does not describe
            v(column, line_no, f"failed pandera check {check} ({case.failure_case!r})",
              pid(line_no))


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------
def check_trial_file(path: str | Path) -> list[Violation]:
    """Every way the CSV at `path` breaks the data contract (empty list: none).

    Parameters
    ----------
    path : the participant-level CSV (see data/README.md). A relative path is looked up
        in the working directory, then in the project root (:func:`ipsrep.paths.resolve`);
        messages name it as given.

    Returns
    -------
    list of :class:`Violation`, file-level problems first, then by line and by the
    contract's column order. Never raises for a bad file.
    """
    return _parse(path).violations


def _final_dtypes(table: pd.DataFrame) -> pd.DataFrame:
    out = table.reset_index(drop=True)[column_names()]
    for f in FIELDS:
        if f.kind == "id":
            out[f.name] = out[f.name].astype("str")
        elif f.kind == "label":
            out[f.name] = pd.Categorical(out[f.name], categories=list(f.labels))
        elif f.kind == "binary":
            out[f.name] = out[f.name].astype("Int64")
        else:
            out[f.name] = out[f.name].astype("float64")
    return out


def load_trial(path: str | Path) -> pd.DataFrame:
    """Check the CSV at `path` against the data contract and load it.

    Returns
    -------
    DataFrame with one row per participant and the contract's columns in contract
    order: ``participant_id`` as ``str``; ``group`` and ``benefits`` as categoricals
    with every allowed label as a category (``group``: IPS, TAU, in that order); the
    0/1 columns as nullable ``Int64``; every other numeric column as ``float64``;
    missing values as ``<NA>``/NaN. ``attrs["source"]`` holds the path as given.

    Raises
    ------
    ContractError : listing every violation, when there is any.
    """
    return load_trial_checked(path)[0]


def load_trial_checked(path: str | Path, *, trusted_sha256: str | None = None,
                       label: str | None = None) -> tuple[pd.DataFrame, str]:
    """:func:`load_trial`, also returning the SHA-256 of the bytes that were loaded.

    Parameters
    ----------
    path : the participant-level CSV.
    trusted_sha256 : SHA-256 of a file already checked against the contract (by ``ipsrep
        build``); when the file's bytes have exactly this checksum they are loaded without
        checking them again. Any other file is checked in full.
    label : the file's name in messages (default `path` as given).

    Raises
    ------
    ContractError : listing every violation, when there is any.
    """
    parsed = _parse(path, label=label, trusted_sha256=trusted_sha256)
    if parsed.violations:
        raise ContractError(parsed.violations)
    assert parsed.table is not None and parsed.sha256 is not None  # a parse without violations has both
    out = _final_dtypes(parsed.table)
    out.attrs["source"] = str(path) if label is None else label
    return out, parsed.sha256


def validate_command(path: str | Path) -> int:
    """``ipsrep validate FILE``: 0 and an OK line on stdout when the file keeps the
    contract; 1 and every violation plus a summary line on stderr when it does not."""
    try:
        parsed = _parse(path)
    except Exception as exc:  # a failure of ipsrep itself, still reported without a traceback
        print(terminal_safe(f"{path}: could not be checked ({type(exc).__name__}: {exc}); this is a "
                            "bug in ipsrep, please report it"), file=sys.stderr)
        return 2
    if parsed.violations:
        for violation in parsed.violations:
            print(violation.line(), file=sys.stderr)
        if len(parsed.violations) > 1 or parsed.violations[0].row is not None or parsed.violations[0].column:
            print(_summary(parsed.violations), file=sys.stderr)  # a file that cannot be read: its one line
        return 1
    assert parsed.table is not None  # a parse without violations has its table
    counts = parsed.table["group"].value_counts()
    arms = ", ".join(f"{g} {int(counts.get(g, 0))}" for g in measures.GROUPS)
    print(terminal_safe(f"OK: {path}: {len(parsed.table)} participants ({arms})"))
    return 0
