"""The data holder's own file: SPSS ``.sav`` and Stata ``.dta`` through a mapping file.

The trial was analysed in SPSS 25 and Stata 16, so its records live in a ``.sav`` or
``.dta`` file with the team's own variable names and numeric codes with value labels.
Such a file is read with pyreadstat (the ReadStat library's reader, as used by pandas'
``read_spss``) and turned into the contract's table through a **mapping file**: a CSV
with one row per contract column naming the file's variable, and one row per code of a
labelled variable naming the contract's value. The mapped table is written as the
contract's CSV and checked by :mod:`ipsrep.inputs.contract`, unchanged, so that every
rule of ``data/README.md`` applies to it as to any CSV.

Mapping file (``kind,contract_column,their_variable,their_code,contract_value,note``):

- ``column`` rows: ``contract_column`` is filled from ``their_variable`` (empty: the
  column was not measured; its cells stay empty). Values pass through as they are
  unless the variable has ``value`` rows.
- ``value`` rows: the code ``their_code`` of ``their_variable`` becomes
  ``contract_value`` (``(missing)`` for an empty cell). A variable with value rows must
  have one for every code found in the file.
- ``variable`` rows: the template's list of the file's variables, with their labels, for
  reading; they change nothing.

``ipsrep validate --mapping-template trial.sav`` writes ``trial.mapping.csv`` with every
contract column (pre-filled where the file has a variable of the same name) and every
value label of the file, for the holder to fill in.

References
----------
Fajardo O. pyreadstat: read and write SAS, SPSS and Stata files into pandas data frames
(https://github.com/Roche/pyreadstat). Miller E. ReadStat (https://github.com/WizardMac/ReadStat).
"""
from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.inputs import contract
from ipsrep.inputs.contract import FIELDS, DataFileError, Violation, read_data_bytes, sha256_hex, terminal_safe

FOREIGN_SUFFIXES = (".sav", ".zsav", ".dta")
"""File name endings read with pyreadstat (SPSS, compressed SPSS, Stata)."""

MAPPING_COLUMNS = ["kind", "contract_column", "their_variable", "their_code", "contract_value", "note"]
KINDS = ("column", "value", "variable")
MISSING = "(missing)"
"""``contract_value`` of a code that stands for a missing value."""

_FIELD = {f.name: f for f in FIELDS}


def is_foreign(path: str | os.PathLike) -> bool:
    """True for a ``.sav``, ``.zsav`` or ``.dta`` file name."""
    return Path(path).suffix.lower() in FOREIGN_SUFFIXES


def default_mapping(path: str | os.PathLike) -> Path:
    """``trial.mapping.csv`` beside ``trial.sav``."""
    p = Path(path)
    return p.with_name(p.stem + ".mapping.csv")


class MappingError(ValueError):
    """The data file or its mapping cannot be used; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]):
        self.problems = [terminal_safe(p) for p in problems]
        super().__init__("\n".join(self.problems))


def read_foreign(path: str | os.PathLike):
    """The table and pyreadstat metadata of a ``.sav``/``.dta`` file, codes not labels.

    Only a regular file of at most 64 MiB is read (:func:`ipsrep.inputs.contract.read_data_bytes`);
    the bytes are read once and parsed from memory.

    Raises
    ------
    MappingError : one line when the file cannot be read or parsed.
    """
    import pyreadstat

    name = str(path)
    if not is_foreign(path):
        raise MappingError([f"{name}: a mapping applies to SPSS (.sav, .zsav) and Stata (.dta) files; "
                            "check a CSV without --mapping"])
    try:
        data = read_data_bytes(paths.resolve(path))
    except DataFileError as exc:
        raise MappingError([f"{name}: {exc}"]) from None
    reader = pyreadstat.read_dta if Path(path).suffix.lower() == ".dta" else pyreadstat.read_sav
    try:
        table, meta = reader(io.BytesIO(data))
    except Exception as exc:  # pyreadstat's ReadstatError and friends: a damaged or other file
        kind = "Stata .dta" if reader is pyreadstat.read_dta else "SPSS .sav"
        raise MappingError([f"{name}: cannot be read as an {kind} file ({type(exc).__name__}: {exc})"]) from None
    return table, meta, sha256_hex(data)


# ------------------------------------------------------------------------------ mapping
@dataclass
class Mapping:
    """A parsed mapping file: contract column to their variable, and per variable the
    code-to-value table (with the mapping file's line of each row)."""

    columns: dict[str, str]
    codes: dict[str, dict[str, str]]
    lines: dict[tuple[str, str | None], int]


def _code_text(value) -> str:
    """A code as the mapping file writes it: whole numbers without a decimal point."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def read_mapping(path: str | os.PathLike, variables: list[str]) -> Mapping:
    """Parse and check the mapping file at `path` against the data file's `variables`.

    Raises
    ------
    MappingError : one line per problem, naming the mapping file, its line, and what is allowed.
    """
    name = str(path)
    try:
        raw = read_data_bytes(paths.resolve(path))
    except DataFileError as exc:
        hint = (" (write a template with `ipsrep validate --mapping-template DATA_FILE`)"
                if "no such" in str(exc) else "")
        raise MappingError([f"{name}: {exc}{hint}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError([f"{name}: is not UTF-8 text; save the mapping as UTF-8 CSV"]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [c.strip() for c in rows[0]] != MAPPING_COLUMNS:
        raise MappingError([f"{name}: line 1: the header must be {','.join(MAPPING_COLUMNS)}"])
    known = set(variables)
    problems: list[str] = []
    columns: dict[str, str] = {}
    codes: dict[str, dict[str, str]] = {}
    lines: dict[tuple[str, str | None], int] = {}
    value_rows: list[tuple[int, str, str, str]] = []
    shown_vars = ", ".join(variables[:12]) + (", ..." if len(variables) > 12 else "")
    for line_no, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * (len(MAPPING_COLUMNS) - len(cells))
        kind, column, variable, code, value = cells[:5]
        where = f"{name}: line {line_no}"
        if kind not in KINDS:
            problems.append(f"{where}: kind {kind!r} is not allowed; allowed: {', '.join(KINDS)}")
            continue
        if kind == "variable":
            continue
        if variable and variable not in known:
            problems.append(f"{where}: variable {variable!r} is not in the data file; its variables: {shown_vars}")
            continue
        if kind == "column":
            if column not in _FIELD:
                problems.append(f"{where}: {column!r} is not a column of the contract (data/README.md)")
            elif column in columns or (column, None) in lines:
                problems.append(f"{where}: column {column!r} is mapped twice (also on line {lines[(column, None)]})")
            else:
                lines[(column, None)] = line_no
                if variable:
                    columns[column] = variable
            continue
        if not variable or code == "":
            problems.append(f"{where}: a value row needs their_variable and their_code")
            continue
        if (variable, code) in lines:
            problems.append(f"{where}: code {code} of {variable!r} is mapped twice (also on line "
                            f"{lines[(variable, code)]})")
            continue
        lines[(variable, code)] = line_no
        value_rows.append((line_no, column, variable, code))
        codes.setdefault(variable, {})[code] = value
    target_of = {v: c for c, v in columns.items()}
    unmapped: dict[str, list[int]] = {}
    for line_no, column, variable, code in value_rows:
        where = f"{name}: line {line_no}"
        target = target_of.get(variable)
        if target is None:
            unmapped.setdefault(variable, []).append(line_no)
            continue
        if column and column != target:
            problems.append(f"{where}: {variable!r} is mapped to {target!r}, not {column!r}")
            continue
        value = codes[variable][code]
        if value == "":
            problems.append(f"{where}: code {code} of {variable!r} has no contract_value; allowed: "
                            f"{_FIELD[target].allowed} or {MISSING}")
        elif value != MISSING and _value_problem(_FIELD[target], value):
            problems.append(f"{where}: {value!r} is not a value of {target!r}; allowed: "
                            f"{_FIELD[target].allowed} or {MISSING}")
    for variable, at in unmapped.items():
        lines_text = f"line {at[0]}" if len(at) == 1 else f"lines {at[0]}-{at[-1]}"
        problems.append(f"{name}: {lines_text}: value rows of {variable!r}, which no column row maps to a "
                        "contract column; name it as their_variable of one")
    if problems:
        raise MappingError(problems)
    return Mapping(columns, codes, lines)


def _value_problem(field, value: str) -> bool:
    if field.kind == "label":
        return value not in field.labels
    if field.kind == "binary":
        return value not in ("0", "1")
    if field.kind == "number":
        try:
            x = float(value)
        except ValueError:
            return True
        return not (math.isfinite(x) and field.low <= x <= (field.high if field.high is not None else math.inf))
    return False


def apply_mapping(table: pd.DataFrame, mapping: Mapping, *, data_name: str, mapping_name: str) -> pd.DataFrame:
    """The contract's columns as text cells (empty for missing), from `table` through
    `mapping`.

    Raises
    ------
    MappingError : one line per code of a mapped variable that the mapping does not
        list, naming the file, the variable, the code, the rows it is on and the codes mapped.
    """
    problems = []
    out = {}
    for f in FIELDS:
        variable = mapping.columns.get(f.name)
        if variable is None:
            out[f.name] = [""] * len(table)
            continue
        cells = [_code_text(v) if not _missing(v) else "" for v in table[variable].tolist()]
        recode = mapping.codes.get(variable)
        if recode:
            unknown: dict[str, list[int]] = {}
            for i, c in enumerate(cells):
                if c != "" and c not in recode:
                    unknown.setdefault(c, []).append(i + 1)
            for code, rows in unknown.items():
                listed = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
                mapped = ", ".join(f"{k} ({v})" for k, v in recode.items())
                problems.append(f"{data_name}: variable {variable!r} ({f.name}), code {code} on row(s) {listed}: "
                                f"not in {mapping_name}; mapped codes: {mapped}")
            cells = [recode.get(c, c) if c != "" else "" for c in cells]
            cells = ["" if c == MISSING else c for c in cells]
        out[f.name] = cells
    if problems:
        raise MappingError(problems)
    return pd.DataFrame(out, columns=[f.name for f in FIELDS])


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def contract_csv(table: pd.DataFrame) -> bytes:
    """The mapped table as the contract's CSV bytes (the same bytes for the same table)."""
    buffer = io.StringIO(newline="")
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def mapped_csv_bytes(data: str | os.PathLike, mapping: str | os.PathLike | None = None) -> bytes:
    """Read `data` (.sav/.dta) through `mapping` (default :func:`default_mapping`) into
    the contract's CSV bytes; not yet checked against the contract.

    Raises
    ------
    MappingError : every problem of the file or the mapping, one line each.
    """
    mapping = Path(mapping) if mapping is not None else default_mapping(data)
    table, _, _ = read_foreign(data)
    parsed = read_mapping(mapping, list(table.columns))
    return contract_csv(apply_mapping(table, parsed, data_name=str(data), mapping_name=str(mapping)))


def _violation_line(v: Violation, data: str, mapping: Mapping) -> str:
    """A contract violation of the mapped table, in the data holder's terms: their file,
    their variable and the case (row) number."""
    where = []
    if v.column is not None:
        their = mapping.columns.get(v.column)
        where.append(f"variable {their!r} ({v.column})" if their else f"column {v.column!r} (not mapped)")
    if v.row is not None:
        who = f" (participant {v.participant_id})" if v.participant_id else ""
        where.append(f"row {v.row - 1}{who}")
    place = f"{', '.join(where)}: " if where else ""
    return terminal_safe(f"{data}: {place}{v.message}")


def check_foreign(data: str | os.PathLike, mapping: str | os.PathLike | None = None) -> tuple[list[str], bytes | None]:
    """Every problem of `data` read through `mapping`, one line each (empty when it keeps
    the contract), and the mapped CSV bytes (None when the mapping cannot be applied)."""
    mapping_path = Path(mapping) if mapping is not None else default_mapping(data)
    try:
        table, _, _ = read_foreign(data)
        parsed = read_mapping(mapping_path, list(table.columns))
        mapped = contract_csv(apply_mapping(table, parsed, data_name=str(data), mapping_name=str(mapping_path)))
    except MappingError as exc:
        return exc.problems, None
    with tempfile.TemporaryDirectory(prefix="ipsrep-mapped-") as tmp:
        csv_path = Path(tmp) / "mapped.csv"
        csv_path.write_bytes(mapped)
        violations = contract.check_trial_file(csv_path)
    return [_violation_line(v, str(data), parsed) for v in violations], mapped


def load_foreign_checked(data: str | os.PathLike, mapping: str | os.PathLike | None = None) -> tuple[pd.DataFrame, str]:
    """The contract's table from `data` through `mapping`, and the SHA-256 of the mapped
    CSV bytes (what ``ipsrep build`` checks and names).

    Raises
    ------
    MappingError : every problem, one line each.
    """
    problems, mapped = check_foreign(data, mapping)
    if problems:
        raise MappingError(problems)
    assert mapped is not None  # check_foreign returns the mapped CSV when it finds no problem
    with tempfile.TemporaryDirectory(prefix="ipsrep-mapped-") as tmp:
        csv_path = Path(tmp) / "mapped.csv"
        csv_path.write_bytes(mapped)
        table, sha256 = contract.load_trial_checked(csv_path, label=str(data))
    return table, sha256


def write_mapped_csv(data: str | os.PathLike, mapping: str | os.PathLike | None, out: str | os.PathLike) -> Path:
    """Check `data` through `mapping` and write the contract CSV to `out` (atomically).

    Raises
    ------
    MappingError : every problem, one line each; nothing is written.
    """
    problems, mapped = check_foreign(data, mapping)
    if problems:
        raise MappingError(problems)
    assert mapped is not None  # check_foreign returns the mapped CSV when it finds no problem
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(mapped)
    os.replace(tmp, out)
    return out


# ------------------------------------------------------------------------------ template
def mapping_template(data: str | os.PathLike) -> str:
    """A mapping file for `data` to fill in: a ``column`` row per contract column
    (their variable pre-filled where the file has one of the same name, any case), a
    ``value`` row per value label of the file (their code and label, contract value
    empty) and a ``variable`` row per variable of the file (its label), for reading."""
    table, meta, _ = read_foreign(data)
    variables = list(table.columns)
    by_lower = {v.lower(): v for v in variables}
    labels = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names), strict=True))
    buffer = io.StringIO(newline="")
    w = csv.writer(buffer, lineterminator="\n")
    w.writerow(MAPPING_COLUMNS)
    for f in FIELDS:
        guess = by_lower.get(f.name.lower(), "")
        w.writerow(["column", f.name, guess, "", "", f"allowed: {f.allowed}"])
    value_labels = meta.variable_value_labels or {}
    for variable in variables:
        target = next((f.name for f in FIELDS if by_lower.get(f.name.lower()) == variable), "")
        for code, label in value_labels.get(variable, {}).items():
            w.writerow(["value", target, variable, _code_text(code), "", f"label: {label}"])
    for variable in variables:
        label = labels.get(variable) or ""
        coded = "value labels" if variable in value_labels else "no value labels"
        w.writerow(["variable", "", variable, "", "", f"{label} ({coded})".strip()])
    return buffer.getvalue()


def write_mapping_template(data: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Write :func:`mapping_template` to `out` (default ``<data stem>.mapping.csv`` beside
    the file); an existing file is never overwritten.

    Raises
    ------
    MappingError : the data file cannot be read, or `out` exists.
    """
    out = Path(out) if out is not None else default_mapping(data)
    text = mapping_template(data)
    try:
        with open(out, "x", encoding="utf-8", newline="") as f:
            f.write(text)
    except FileExistsError:
        raise MappingError([f"{out}: exists; the template is not written over it (move it away or edit it)"]) from None
    except OSError as exc:
        raise MappingError([f"{out}: cannot be written ({exc.strerror or exc})"]) from None
    return out


def build_input(data: str | os.PathLike, mapping: str | os.PathLike | None, cache_dir: str | os.PathLike) -> Path:
    """The contract CSV ``ipsrep build --data trial.sav`` runs on: `data` read through
    `mapping` and written as ``<cache_dir>/<digest>/<stem>.csv``, where the digest covers
    the data and mapping bytes (an unchanged pair maps to the same file).

    Raises
    ------
    MappingError : every problem of the file, the mapping or the mapped table.
    """
    mapping = Path(mapping) if mapping is not None else default_mapping(data)
    try:
        digest = sha256_hex(read_data_bytes(paths.resolve(data)) + b"\0" + read_data_bytes(paths.resolve(mapping)))
    except DataFileError as exc:
        which = data if "mapping" not in str(exc) else mapping
        raise MappingError([f"{which}: {exc}"]) from None
    return write_mapped_csv(data, mapping, Path(cache_dir) / digest[:16] / (Path(data).stem + ".csv"))
