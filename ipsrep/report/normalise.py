"""Executed notebooks made identical from run to run, so they can be committed.

A rebuild with nothing changed must leave ``git status`` clean: papermill's timings and
paths, random cell ids, memory addresses and machine paths in outputs are removed or
replaced by :func:`normalise` before a notebook is cached or published.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys

from ipsrep import paths

__all__ = ["normalise", "notebook_text", "scrub_text", "ERROR_TAG"]

_HEX_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
ERROR_TAG = "papermill-error-cell-tag"
"""Tag of the marker cells papermill adds above a failed cell (removed)."""


def _machine_prefixes() -> list[tuple[str, str]]:
    pairs = [(str(paths.PROJECT_ROOT), "<project>")]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        pairs.append((prefix, "<python>"))
    home = os.path.expanduser("~")
    if home not in ("", "/", "~"):
        pairs.append((home, "~"))
    return sorted(pairs, key=lambda p: -len(p[0]))


def scrub_text(text: str) -> str:
    """`text` without machine paths and memory addresses.

    The project root becomes ``<project>``, the Python installation ``<python>``, the
    home folder ``~`` (longest first, so a virtual environment inside the project is
    ``<python>``), and hexadecimal object addresses such as ``0x7f3a2c1b9d60`` become
    ``0x...`` (so ``<Axes at 0x...>`` reads the same every run). The nbval sanitize
    patterns in ``tests/nbval_sanitize.cfg`` map fresh output onto the same text.

    >>> scrub_text("<matplotlib.axes._axes.Axes at 0x7f3a2c1b9d60>")
    '<matplotlib.axes._axes.Axes at 0x...>'
    >>> scrub_text(str(paths.PROJECT_ROOT / "ipsrep" / "stats.py") + ":12: FutureWarning")
    '<project>/ipsrep/stats.py:12: FutureWarning'
    """
    for prefix, replacement in _machine_prefixes():
        text = text.replace(prefix, replacement)
    return _HEX_ADDRESS.sub("0x...", text)


def _scrub_output(output) -> None:
    if "text" in output and isinstance(output["text"], str):
        output["text"] = scrub_text(output["text"])
    if "traceback" in output:
        output["traceback"] = [scrub_text(line) for line in output["traceback"]]
    if "evalue" in output:
        output["evalue"] = scrub_text(output["evalue"])
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue
        if isinstance(value, str):
            output["data"][mime] = scrub_text(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            output["data"][mime] = [scrub_text(v) for v in value]


def _cell_ids(cells) -> list[str]:
    """Stable cell ids: a hash of the cell's type and source (numbered when repeated)."""
    seen: dict[str, int] = {}
    ids = []
    for cell in cells:
        base = hashlib.sha1(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:8]
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def normalise(nb):
    """Make an executed notebook identical from run to run (modifies and returns `nb`).

    Removes papermill's timings, paths and version from the notebook and cell metadata
    (the injected parameters are kept), nbclient's execution timestamps, empty tag lists,
    the kernel's exact Python version, and papermill's error-marker cells; gives cells
    stable ids; merges consecutive stream outputs and applies their carriage returns as a
    notebook front end would (nbconvert's ``CoalesceStreamsPreprocessor``: a progress bar
    leaves its last state, not every redraw); and scrubs machine paths and memory
    addresses from the outputs (:func:`scrub_text`). Execution counts and images stay as
    they are.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    CoalesceStreamsPreprocessor().preprocess(nb, {})
    meta = nb.metadata
    pm = meta.get("papermill", {})
    meta["papermill"] = {k: pm[k] for k in ("parameters",) if pm.get(k)}
    if not meta["papermill"]:
        del meta["papermill"]
    if "language_info" in meta:
        meta["language_info"].pop("version", None)
    meta.pop("widgets", None)
    nb.cells = [c for c in nb.cells if ERROR_TAG not in c.metadata.get("tags", [])]
    for cell, cell_id in zip(nb.cells, _cell_ids(nb.cells), strict=True):
        cell["id"] = cell_id
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if not cell.metadata.get("tags", True):
            del cell.metadata["tags"]
        for output in cell.get("outputs", []):
            _scrub_output(output)
    return nb


def notebook_text(nb) -> str:
    """`nb` as the text of an ``.ipynb`` file (nbformat 4, ending in a newline)."""
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"
