"""What the build says when something goes wrong: its errors, and a failed cell read back.

Every failure of ``ipsrep build`` ends in one message on the terminal, never a
traceback: :class:`BuildError` carries that message, :func:`failure_message` turns
papermill's report of a failed cell into it (notebook, cell, line of the ``.py`` file,
exception, innermost project frame). :func:`say` writes every message, with control
characters shown escaped (:func:`ipsrep.inputs.contract.terminal_safe`), so that a file
name, id or parameter value cannot act on the terminal.
"""
from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

from ipsrep import paths
from ipsrep.inputs.contract import terminal_safe
from ipsrep.report.normalise import scrub_text

__all__ = ["BuildError", "UsageError", "Interrupted", "failure_message", "one_line", "say", "shown"]


class BuildError(Exception):
    """A build step failed; the message is the whole story (no traceback is shown)."""


class UsageError(BuildError):
    """The command line asks for something impossible (exit status 2)."""


class Interrupted(BuildError):
    """The user pressed Ctrl-C (exit status 130)."""


_print_lock = threading.Lock()


def say(message: str) -> None:
    """Write `message` to stderr, each line made terminal-safe."""
    safe = "\n".join(terminal_safe(line) for line in str(message).split("\n"))
    with _print_lock:
        print(safe, file=sys.stderr, flush=True)


def shown(path) -> str:
    """`path` relative to the project root when inside it, else as an absolute path, with
    control characters shown escaped (a newline in a file name must not start a line of
    its own in :func:`say`, which splits messages into lines)."""
    path = Path(path).resolve()
    try:
        return terminal_safe(path.relative_to(paths.PROJECT_ROOT).as_posix() or ".")
    except ValueError:
        return terminal_safe(str(path))


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line (whitespace runs joined, ANSI colours removed), at most `limit` characters."""
    text = " ".join(strip_ansi(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failure_message(path: Path, source: bytes, nb, injected: bool, err) -> str:
    """Which notebook, which cell (number in the notebook and first line) and what error.

    Parameters
    ----------
    path, source : the notebook's ``.py`` file and its bytes.
    nb : the notebook as executed (nbformat node, before papermill's injection).
    injected : True when papermill injected a parameters cell (its cell index counts
        that cell, which the source notebook does not have).
    err : papermill's ``PapermillExecutionError``. The line of the ``.py`` file that was
        running, and the innermost frame inside the project (say a module of
        ``ipsrep``), are read from the kernel's traceback when it has them.
    """
    index = err.cell_index
    if injected:
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
        injected_at = tagged[0] + 1 if tagged else 0
        if index >= injected_at:
            index -= 1
    source_lines = (err.source or "").splitlines()
    first_at = next((i for i, line in enumerate(source_lines) if line.strip()), None)
    first = source_lines[first_at].strip() if first_at is not None else "(empty cell)"
    where = f"cell {index + 1} ({first})"
    start = _source_line(source, first, index + 1)
    traceback = [strip_ansi(line) for line in (err.traceback or [])]
    in_cell = next((int(m.group(1)) for line in traceback
                    for m in [re.search(r"Cell In\[\d+\], line (\d+)", line)] if m), None)
    if start is not None:
        offset = (in_cell - 1 - first_at) if in_cell and first_at is not None and in_cell - 1 >= first_at else 0
        where += f", line {start + offset} of the .py file"
    raised = _innermost_project_frame(traceback)
    detail = f"  {err.ename}: {one_line(scrub_text(err.evalue or ''))}"
    if raised:
        detail += f"\n  raised in {raised}"
    return (f"{shown(path)} failed at {where}\n{detail}\n"
            "  No report was written; the previous report folder is unchanged.")


def _innermost_project_frame(traceback: list[str]) -> str | None:
    """``path:line`` of the last traceback frame in a project file (not the installed
    libraries), relative to the project root."""
    found = None
    libraries = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    for line in traceback:
        for m in re.finditer(r"File (\S+?):(\d+)", line):
            path = m.group(1)
            if path.startswith(str(paths.PROJECT_ROOT)) and not path.startswith(libraries):
                found = f"{Path(path).relative_to(paths.PROJECT_ROOT).as_posix()}:{m.group(2)}"
    return found


def _source_line(source: bytes, first_line: str, cell_number: int) -> int | None:
    """Line of the jupytext file where cell `cell_number` shows `first_line`, if found."""
    lines = source.decode("utf-8", errors="replace").splitlines()
    markers = 0
    hits = []
    for i, line in enumerate(lines, start=1):
        if line.startswith("# %%"):
            markers += 1
        elif line.strip() == first_line:
            hits.append((markers, i))
    if not hits:
        return None
    exact = [i for m, i in hits if m == cell_number]
    return exact[0] if exact else hits[0][1]
