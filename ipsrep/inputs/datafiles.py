"""Reading files: one way for every path the tool opens, and the small CSV files bundled
under ``data/`` with every problem in one message.

:func:`read_local_bytes` is how every file a user can name is read (the data file, files
named by ``-p`` parameters, ``compare``'s ledgers, ensemble folders, cache entries): a
local regular file only (a FIFO, device or socket is refused without waiting on it, a URL
is just a name that does not exist), its size checked before reading and at most the
limit read, never decompressed; :func:`read_local_text`, :func:`read_local_csv` and
:func:`read_local_json` build on it. Every refusal is one line (:class:`UnreadableFile`).

The pilot's participant and provenance tables (:mod:`ipsrep.analyses.pilot`) and the interview
codebook, themes and quotations (:mod:`ipsrep.analyses.qualitative`) are hand-made CSV files. A
reader who edits one for a "what if" should learn from a single message every cell
that breaks the file's rules, named by file, column, line and record, rather than a
traceback about the first one.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ipsrep.inputs.terminal import terminal_safe

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Default largest file read (64 MiB): far above any file the tool is meant to read."""


class UnreadableFile(ValueError):
    """A file the tool was asked to read cannot be read safely; the message is one line,
    naming the file."""


def _kind(mode: int, noun: str) -> str:
    if stat.S_ISDIR(mode):
        return f"is a directory, not {noun}"
    if stat.S_ISFIFO(mode):
        return f"is a named pipe (FIFO), not a regular file; give {noun}"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"is a device, not a regular file; give {noun}"
    if stat.S_ISSOCK(mode):
        return f"is a socket, not a regular file; give {noun}"
    return f"is not a regular file; give {noun}"


def _too_large(size: int, limit: int, why: str) -> str:
    return f"is larger than {limit // (1024 * 1024)} MiB ({size:,} bytes or more){why}"


@contextlib.contextmanager
def _os_errors(refuse):
    try:
        yield
    except FileNotFoundError:
        refuse("no such file")
    except PermissionError:
        refuse("cannot be read (permission denied)")
    except OSError as exc:
        refuse(f"cannot be read ({exc.strerror or exc})")


def _shown(path) -> str:
    return terminal_safe(str(path))


def file_problem(path: str | os.PathLike, *, limit: int = MAX_INPUT_BYTES, noun: str = "a regular file",
                 why_large: str = "") -> str | None:
    """Why `path` cannot be read as a local regular file of at most `limit` bytes (one
    phrase, without the file name), or None when it can; looks with ``os.stat`` only."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "no such file"
    except PermissionError:
        return "cannot be read (permission denied)"
    except (OSError, ValueError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if not stat.S_ISREG(info.st_mode):
        return _kind(info.st_mode, noun)
    if info.st_size > limit:
        return _too_large(info.st_size, limit, why_large)
    return None


def read_local_bytes(path: str | os.PathLike, *, limit: int = MAX_INPUT_BYTES, noun: str = "a regular file",
                     why_large: str = "", name: str | None = None) -> bytes:
    """The bytes of the local regular file at `path`, at most `limit` of them.

    The file is looked at with ``os.stat`` before it is opened: a folder, FIFO, device or
    socket is refused without waiting on it, and a file larger than `limit` is refused
    before anything is read. It is then opened non-blocking, checked again (it may have
    been swapped between the two looks) and read up to ``limit + 1`` bytes. Nothing is
    decompressed, and a URL is a file name like any other (that does not exist).

    Raises
    ------
    UnreadableFile
        ``<name>: <why>``, one line (`name` defaults to the path, control characters
        shown escaped).
    """
    label = _shown(path) if name is None else name

    def refuse(why: str):
        raise UnreadableFile(f"{label}: {why}") from None

    problem = file_problem(path, limit=limit, noun=noun, why_large=why_large)
    if problem:
        refuse(problem)
    with _os_errors(refuse):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            refuse(_kind(mode, noun))
        with _os_errors(refuse):
            data = f.read(limit + 1)
    if len(data) > limit:
        refuse(_too_large(len(data), limit, why_large))
    return data


def read_local_text(path: str | os.PathLike, *, limit: int = MAX_INPUT_BYTES, noun: str = "a text file") -> str:
    """The UTF-8 text of a local regular file (:func:`read_local_bytes`); a file that is
    not UTF-8 (compressed, binary) is refused in one line."""
    data = read_local_bytes(path, limit=limit, noun=noun)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (a compressed file? give it uncompressed)" if data[:2] in (b"\x1f\x8b", b"PK", b"BZ") or \
            data[:4] == b"\x28\xb5\x2f\xfd" or data[:6] == b"\xfd7zXZ\x00" else ""
        raise UnreadableFile(f"{_shown(path)}: is not UTF-8 text (byte {exc.start}){hint}") from None


def read_local_csv(path: str | os.PathLike, *, limit: int = MAX_INPUT_BYTES, **read_csv) -> pd.DataFrame:
    """A CSV file read with :func:`read_local_text` and parsed by pandas from that text
    (so pandas never opens the path, infers a compression or fetches a URL).

    Raises :class:`UnreadableFile` in one line when the file cannot be read or parsed.
    """
    text = read_local_text(path, limit=limit, noun="a CSV file")
    try:
        return pd.read_csv(io.StringIO(text), **read_csv)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnreadableFile(f"{_shown(path)}: is not a readable CSV file ({_shown(first)})") from None


def read_local_json(path: str | os.PathLike, *, limit: int = 16 * 1024 * 1024):
    """A JSON file read with :func:`read_local_text`; one line when it is not JSON."""
    text = read_local_text(path, limit=limit, noun="a JSON file")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UnreadableFile(f"{_shown(path)}: is not JSON ({_shown(str(exc))[:120]})") from None


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
    raw = read_local_csv(path, dtype=str, keep_default_na=False)
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
    """SHA-256 of a file's bytes, hex (read as :func:`read_local_bytes` reads)."""
    return hashlib.sha256(read_local_bytes(path)).hexdigest()
