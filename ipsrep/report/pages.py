"""The report's pages before rendering: :class:`Page` (a notebook's file stem, title,
executed notebook and ledger rows), what the navigation calls a page
(:func:`page_title`, :func:`notebook_title`), whether a page computes anything from
participant-level rows (:func:`uses_participant_data`), and the pages of a report folder
built earlier (:func:`pages_from_report`, :func:`report_data`), which the PDF renders
again without executing anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ipsrep.report.context import PARAMETERS_MIMETYPE, recorded_parameters
from ipsrep.report.ledger import rows_from_notebook

__all__ = ["Page", "cell_source", "notebook_title", "page_title", "pages_from_report", "report_data",
           "uses_participant_data"]

HEADING = re.compile(r"^(\s{0,3}#\s+)(.+?)\s*$", re.MULTILINE)
"""A page's level-one Markdown heading (group 2: its text)."""
_NUMBERED = re.compile(r"^\s*\d+\s*[·.:-]\s*")
_PARTICIPANT_DATA = re.compile(r"\bctx\.trial\b")


@dataclass(frozen=True)
class Page:
    """One page of the report: a notebook's file stem, title, ledger rows and the executed
    notebook.

    Attributes
    ----------
    stem : str
        File stem of the notebook (``01_rq1_employment``); the page is ``<stem>.html``.
    title : str
        Page title (the notebook's first heading).
    ledger : pandas.DataFrame
        The ledger rows the notebook displayed (columns
        :data:`ipsrep.report.ledger.LEDGER_COLUMNS`), already without published values and
        statuses when the data are not the bundled reconstruction.
    notebook : nbformat.NotebookNode, optional
        The executed, normalised notebook (None where only the ledger matters, as for the
        scorecard's counts).
    """

    stem: str
    title: str
    ledger: pd.DataFrame
    notebook: Any = None

    @property
    def href(self) -> str:
        return f"{self.stem}.html"

    @property
    def label(self) -> str:
        """Short name for navigation, from the file stem (``01_rq1_employment`` -> ``01 RQ1 employment``).

        >>> Page("01_rq1_employment", "", pd.DataFrame()).label
        '01 RQ1 employment'
        """
        words = [w.upper() if re.fullmatch(r"rq\d+", w) else w for w in self.stem.split("_")]
        return " ".join(words)


def cell_source(cell) -> str:
    """A notebook cell's source as one string (nbformat allows a list of lines)."""
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def notebook_title(nb, fallback: str) -> str:
    """Text of the first Markdown heading of `nb` (an nbformat node), else `fallback`."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def uses_participant_data(nb) -> bool:
    """True when a code cell of the notebook reads the participant table (``ctx.trial``).

    Every notebook loads the data file to say what it is; only those that read
    ``ctx.trial`` compute anything from participant-level rows.
    """
    return any(c.get("cell_type") == "code" and _PARTICIPANT_DATA.search(cell_source(c)) for c in nb["cells"])


def page_title(stem: str, title: str) -> str:
    """The title as the navigation shows it: the notebook's number, a middle dot, its title.

    >>> page_title("05_pilot", "The pilot study"), page_title("00_trial", "00 · The trial")
    ('05 · The pilot study', '00 · The trial')
    """
    number = stem.split("_", 1)[0]
    plain = _NUMBERED.sub("", title).strip()
    return f"{number} · {plain}" if number.isdigit() else plain


def pages_from_report(report_dir: Path, *, bundled: bool) -> tuple[list[Page], dict]:
    """The pages of a built report folder (its executed ``NN_*.ipynb``) and the
    parameters they recorded, to render them again without executing anything."""
    import nbformat

    pages: list[Page] = []
    parameters: dict = {}
    for path in sorted(Path(report_dir).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        rows = rows_from_notebook(nb)
        if not bundled:
            rows = rows.assign(published="", status="")
        pages.append(Page(path.stem, notebook_title(nb, path.stem), rows, notebook=nb))
        for name, value in (recorded_parameters(nb) or {}).items():
            parameters.setdefault(name, value)
    return pages, parameters


def report_data(pages: list[Page]) -> tuple[str | None, str | None]:
    """The data file a built report's notebooks ran on, as they recorded it: its
    ``data_path`` parameter (None for the bundled reconstruction) and the SHA-256 their
    banner names (None when it names none)."""
    data_path, sha = None, None
    for page in pages:
        for cell in page.notebook.cells:
            for output in cell.get("outputs", []):
                bundle = output.get("data", {})
                if PARAMETERS_MIMETYPE in bundle:
                    recorded = bundle[PARAMETERS_MIMETYPE].get("parameters", {})
                    data_path = data_path or recorded.get("data_path")
                    found = re.search(r"sha256 ([0-9a-f]{64})", str(bundle.get("text/plain", "")))
                    sha = sha or (found.group(1) if found else None)
    return data_path, sha

