"""Prose that holds on one kind of data only: the notebooks' cells tagged for it.

A notebook's text about the synthetic reconstruction ("on the bundled file these are
synthetic participants", "reproduced by construction") is true on the bundled file and
false on the trial's own records. Such a passage sits in a cell of its own, tagged
:data:`BUNDLED_ONLY`; a passage meant for other data only is tagged :data:`OTHER_ONLY`.
``ipsrep build`` keeps the cells that hold for the data in use (:func:`for_data`) before
any notebook runs, so neither the executed notebook nor its page carries the other text.
In the jupytext percent format a tagged cell starts::

    # %% [markdown] tags=["bundled-data"]
"""
from __future__ import annotations

import re

__all__ = ["BUNDLED_ONLY", "OTHER_ONLY", "for_data"]

BUNDLED_ONLY = "bundled-data"
"""Tag of a cell that is shown only when the report runs on the bundled reconstruction."""

OTHER_ONLY = "other-data"
"""Tag of a cell that is shown only when the report runs on another file."""

_CELL_START = re.compile(rb"^# %%(?:[ \t].*)?$")
_TAGS = re.compile(rb"tags=\[([^\]]*)\]")


def _tags(header: bytes) -> set[str]:
    found = _TAGS.search(header)
    if not found:
        return set()
    return {t.strip().strip("\"'") for t in found.group(1).decode("utf-8").split(",") if t.strip()}


def for_data(source: bytes, *, bundled: bool) -> bytes:
    """The jupytext percent notebook `source` without the cells that do not hold for the
    data in use: on the bundled reconstruction the cells tagged :data:`OTHER_ONLY` are
    dropped, on any other file those tagged :data:`BUNDLED_ONLY`. A source with no such
    cell comes back byte for byte.

    >>> nb = b"# %%\\nx = 1\\n\\n# %% [markdown] tags=[\\"bundled-data\\"]\\n# synthetic\\n\\n# %%\\ny = 2\\n"
    >>> for_data(nb, bundled=True) == nb
    True
    >>> print(for_data(nb, bundled=False).decode())
    # %%
    x = 1
    <BLANKLINE>
    # %%
    y = 2
    <BLANKLINE>
    """
    drop = BUNDLED_ONLY if not bundled else OTHER_ONLY
    if drop.encode() not in source:
        return source
    lines = source.splitlines(keepends=True)
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if _CELL_START.match(line.rstrip(b"\r\n")):
            skipping = drop in _tags(line)
        if not skipping:
            kept.append(line)
    return b"".join(kept)
