"""Reading a participant-level CSV by hand: its bytes, its text, its header, its rows and
its numbers (steps 1 to 4 of the check in :mod:`ipsrep.inputs.contract`), then the
pandera schema (step 5, :mod:`ipsrep.inputs.schema`).

Every problem is one :class:`~ipsrep.inputs.violations.Violation` naming the file,
column, line and participant; the reading stops only where nothing after it can be read.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep import paths
from ipsrep.inputs.fields import FIELD_BY_NAME, Field, column_names
from ipsrep.inputs.schema import schema_violations
from ipsrep.inputs.violations import Violation

__all__ = ["MAX_FILE_BYTES", "DataFileError", "ParsedFile", "parse_trial_file", "read_data_bytes", "sha256_hex"]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest data file read (64 MiB, some 300,000 participants): a larger file is refused
at once, before anything is parsed."""

_NA_WORDS = {"na", "n/a", "nan", "null", "none", "missing", ".", "-", "?", "#n/a", "<na>"}


@dataclass
class ParsedFile:
    """What reading a file gave: its violations, and its typed table and SHA-256 where read."""

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
        elif name in FIELD_BY_NAME:
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
    return {k: i for k, i in positions.items() if k in FIELD_BY_NAME}


def parse_trial_file(path: str | Path, *, label: str | None = None, trusted_sha256: str | None = None) -> ParsedFile:
    """Read and check the file at `path` (named `label` in messages). When the SHA-256 of
    its bytes equals `trusted_sha256` (a file checked before), the rows are typed without
    the header and value checks."""
    label = str(path) if label is None else label
    out: list[Violation] = []

    def v(column: str | None, row: int | None, message: str, pid: str | None = None) -> None:
        out.append(Violation(label, column, row, pid, message))

    if not str(path).strip():
        return ParsedFile([Violation("ipsrep", None, None, None, "no file name given")])
    try:
        data = read_data_bytes(paths.resolve(path))
    except DataFileError as exc:
        return ParsedFile([Violation(label, None, None, None, str(exc))])
    digest = sha256_hex(data)
    if trusted_sha256 and digest == trusted_sha256:
        return ParsedFile([], trusted_table(data), digest)
    text, problem = _read_text(paths.resolve(path), label, data)
    if problem is not None:
        return ParsedFile([problem], None, digest)
    assert text is not None  # _read_text returns the text or the problem
    if not text.strip():
        v(None, None, "the file is empty; the contract asks for a header line naming the "
                      "columns and one line per participant")
        return ParsedFile(out)

    try:
        rows = iter(list(_rows(text)))
    except _CellTooLarge as exc:
        v(None, exc.line, f"a cell on this line is longer than {csv.field_size_limit():,} characters "
                          "(no value of the contract comes near); is a closing quote missing?")
        return ParsedFile(out)
    _, header = next(rows)
    header = [name.strip() for name in header]
    sep = _separator(",".join(header))
    if sep != ",":
        name = "tabs" if sep == "\t" else f"{sep!r}"
        v(None, None, f"the file is separated by {name}; the contract asks for commas")
        return ParsedFile(out)

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
        return ParsedFile(out)

    table = typed_table(grid, positions, v)
    schema_violations(table, grid, positions, v, all_rows=len(grid) == n_rows)
    out.sort(key=Violation.sort_key)
    return ParsedFile(out, table, digest)


def trusted_table(data: bytes) -> pd.DataFrame:
    """The typed table of a file whose bytes passed the contract before (same steps as
    :func:`_parse`, without the checks)."""
    rows = iter(_rows(data.decode("utf-8-sig")))
    _, header = next(rows)
    positions = {name.strip(): i for i, name in enumerate(header) if name.strip() in FIELD_BY_NAME}
    grid = {line_no: [c.strip() for c in cells] for line_no, cells in rows if any(c.strip() for c in cells)}

    def never(*args, **kwargs) -> None:
        raise ValueError("a file that passed the contract before no longer does")

    return typed_table(grid, positions, never)


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


def typed_table(grid: dict[int, list[str]], positions: dict[str, int],
           v: Callable[..., None]) -> pd.DataFrame:
    """The usable rows as a table indexed by line number: text columns as text (None for
    an empty cell), numeric columns as float (NaN for an empty cell). A numeric cell
    holding text is reported and becomes NaN."""
    columns = [c for c in column_names() if c in positions]
    text = [c for c in columns if not FIELD_BY_NAME[c].numeric]
    numeric = [c for c in columns if FIELD_BY_NAME[c].numeric]
    pid_at = positions.get("participant_id")
    text_rows, number_rows = [], []
    for line_no, cells in grid.items():
        text_rows.append([cells[positions[c]] or None for c in text])
        numbers = []
        for c in numeric:
            x = _number(cells[positions[c]])
            if x is None:
                v(c, line_no, _not_a_number(FIELD_BY_NAME[c], cells[positions[c]]),
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
