"""Rendering: executed notebooks in, every HTML file of the report site out.

The one interface between the build and whatever draws the pages is
:func:`render_site`. The build hands it the pages (:class:`PageSource`: the executed
notebook, its title and its ledger rows), the data in use
(:class:`ipsrep.report.context.DataInUse`), the parameters the notebooks ran with and
whether code is shown; it writes ``index.html``, one page per notebook and any asset
into an empty folder. It does not copy the executed notebooks or ``ledger.csv`` (the
build does), check the pages (the build checks every file of the folder, see
:mod:`ipsrep.report.check`) or publish them (:mod:`ipsrep.report.publish`).

This implementation wraps the nbconvert renderer of :mod:`ipsrep.report.html`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.report.context import DataInUse

__all__ = ["PageSource", "render_site", "renderer_digest"]

RENDERER_FILES = ("report/html.py", "report/scorecard.py", "report/render.py", "report/templates")
"""Parts of the package that shape the pages (their bytes are part of the site's cache key)."""

RENDERER_LIBRARIES = ("nbconvert", "beautifulsoup4", "jinja2", "pygments", "mistune", "bleach")
"""Libraries whose versions shape the pages."""


@dataclass(frozen=True)
class PageSource:
    """One page of the report before rendering.

    Attributes
    ----------
    stem : str
        File stem of the notebook (``01_rq1_employment``); the page is ``<stem>.html``.
    title : str
        Page title (the notebook's first heading).
    notebook : nbformat.NotebookNode
        The executed, normalised notebook.
    ledger : pandas.DataFrame
        The ledger rows the notebook displayed (columns
        :data:`ipsrep.report.ledger.LEDGER_COLUMNS`), already without published values and
        statuses when the data are not the bundled reconstruction.
    """

    stem: str
    title: str
    notebook: object
    ledger: pd.DataFrame


def render_site(pages: list[PageSource], *, data: DataInUse, parameters: dict, show_code: bool,
                dest: Path) -> None:
    """Write every HTML file and asset of the report site into the empty folder `dest`.

    Parameters
    ----------
    pages : list of PageSource
        The notebooks' pages in report order.
    data : DataInUse
        The data the notebooks ran on (banner on every page and on the index).
    parameters : dict
        Parameters the notebooks ran with, as recorded in their outputs (name -> value,
        for the names on which every notebook that declares them agrees). ``alpha``, the
        significance level the index reads the research questions at, is required.
    show_code : bool
        Pages show their code cells unfolded.
    dest : Path
        An existing, empty folder.

    Writes ``index.html`` and ``<stem>.html`` for every page (UTF-8).
    """
    from ipsrep.report.html import NotebookRenderer, Page, banner_html, render_index

    dest = Path(dest)
    if any(dest.iterdir()):
        raise ValueError(f"render_site: {dest} is not empty")
    alpha = parameters.get("alpha")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise ValueError(f"render_site: parameters must hold alpha as a number (got {alpha!r})")
    infos = [Page(p.stem, p.title, p.ledger) for p in pages]
    banner = banner_html(data.label, data.bundled, compact=True)
    renderer = NotebookRenderer(show_code=show_code)
    for number, page in enumerate(pages):
        text = renderer.render(page.notebook, page.title, pages=infos, current=number, banner=banner)
        (dest / f"{page.stem}.html").write_text(text, encoding="utf-8")
    index = render_index(infos, data_label=data.label, bundled=data.bundled, alpha=float(alpha))
    (dest / "index.html").write_text(index, encoding="utf-8")


def renderer_digest() -> str:
    """SHA-256 of what shapes the rendered site besides its inputs: the renderer's
    source and templates and the versions of the libraries it uses."""
    h = hashlib.sha256(b"ipsrep-renderer-1")
    for rel in RENDERER_FILES:
        path = paths.PACKAGE_DIR / rel
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in files:
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for name in RENDERER_LIBRARIES:
        try:
            h.update(f"{name}={importlib_metadata.version(name)}".encode())
        except importlib_metadata.PackageNotFoundError:
            h.update(f"{name}=absent".encode())
    return h.hexdigest()
