"""What the report's pages are called: a page's file stem, title and ledger rows
(:class:`Page`, what :mod:`ipsrep.report.scorecard` counts) and a notebook's title
(:func:`notebook_title`). The pages themselves are rendered by Sphinx
(:mod:`ipsrep.report.site`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Page:
    """One notebook's page in the report: file stem, title, and its ledger rows."""

    stem: str
    title: str
    ledger: pd.DataFrame

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
